"""How long a claimed event waits for its worker and a failed one for its
next try come from the settings (the fault proof shortens both)."""

import datetime as dt

import pytest

from core import clock
from payments import outbox
from payments.models import OutboxEvent
from tests.payments.kit import post, vnpt, vnpt_body

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=clock.BUSINESS_TZ)


@pytest.mark.django_db
def test_the_claim_and_the_retry_follow_the_settings(client, lan, settings, monkeypatch):
    # The follow-up is sent after commit, which never comes in this test: the event waits.
    assert post(client, "vnpt", *vnpt(vnpt_body(), msg_id="m1")).status_code == 200
    event = OutboxEvent.objects.get(processed_at__isnull=True)
    OutboxEvent.objects.filter(pk=event.pk).update(available_at=NOW)
    monkeypatch.setattr(clock, "now", lambda: NOW)
    settings.OUTBOX_CLAIM_SECONDS, settings.OUTBOX_RETRY_SECONDS = 11, 7
    claimed_until = []

    def failing(claimed: OutboxEvent) -> None:
        claimed_until.append(OutboxEvent.objects.get(pk=claimed.pk).available_at)
        raise RuntimeError("the handler fails")

    monkeypatch.setitem(outbox.HANDLERS, event.kind, failing)
    assert outbox.process(event.pk) is False

    event.refresh_from_db()
    assert claimed_until == [NOW + dt.timedelta(seconds=11)]
    assert event.attempts == 1
    assert event.available_at == NOW + dt.timedelta(seconds=7 * 2)  # 7 × 2^attempts


def test_beat_sweeps_at_the_interval_the_setting_asks_for(settings):
    from payments.schedule import beat_schedule

    assert beat_schedule()["payments-sweep-outbox"]["schedule"] == 60.0
    settings.OUTBOX_SWEEP_SECONDS = 5
    assert beat_schedule()["payments-sweep-outbox"]["schedule"] == 5.0
