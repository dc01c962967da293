"""The figures Prometheus reads move when a delivery arrives."""

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from payments.models import OutboxEvent
from tests.payments.kit import PARTNERS, example, post

pytestmark = pytest.mark.django_db


def scrape(client: Client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def delivered(figures: dict, partner: str, verdict: str) -> float:
    return figures[("cho40_webhook_deliveries_total", (("partner", partner), ("verdict", verdict)))]


def timed(figures: dict, partner: str) -> float:
    return figures[("cho40_intake_duration_seconds_count", (("partner", partner),))]


@pytest.mark.parametrize("partner", PARTNERS)
def test_an_accepted_delivery_is_counted_and_timed(client, partner, lan):
    before = scrape(client)

    assert post(client, partner, *example(partner)).status_code == 200

    after = scrape(client)
    assert delivered(after, partner, "accepted") == delivered(before, partner, "accepted") + 1
    assert timed(after, partner) == timed(before, partner) + 1
    others = [p for p in PARTNERS if p != partner]
    assert [delivered(after, p, "accepted") for p in others] == [delivered(before, p, "accepted") for p in others]


def test_a_duplicate_and_a_rejected_delivery_have_their_own_verdicts(client, lan):
    headers, body = example("vnpt")
    post(client, "vnpt", headers, body)
    before = scrape(client)

    post(client, "vnpt", headers, body)
    post(client, "vnpt", *example("vnpt", key="wrong"))

    after = scrape(client)
    assert delivered(after, "vnpt", "duplicate") == delivered(before, "vnpt", "duplicate") + 1
    assert delivered(after, "vnpt", "rejected") == delivered(before, "vnpt", "rejected") + 1
    assert delivered(after, "vnpt", "accepted") == delivered(before, "vnpt", "accepted")


def test_the_follow_up_backlog_and_its_oldest_event_are_read_from_the_database(client, lan):
    assert scrape(client)[("cho40_outbox_backlog", ())] == 0
    assert scrape(client)[("cho40_outbox_oldest_age_seconds", ())] == 0

    post(client, "vnpt", *example("vnpt"))  # its event waits: the test transaction never commits
    OutboxEvent.objects.update(created_at=OutboxEvent.objects.get().created_at.replace(year=2000))

    figures = scrape(client)
    assert figures[("cho40_outbox_backlog", ())] == 1
    assert figures[("cho40_outbox_oldest_age_seconds", ())] > 25 * 365 * 86400
