"""Races on PostgreSQL: many copies of one delivery, and two contents of one id."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.test import Client

from payments.models import PaymentAlert, Transaction, WebhookDelivery
from tests.payments.kit import mobifone, mobifone_body, post, viettel, viettel_fields, vnpt, vnpt_body

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def run_in_threads(jobs, workers: int = 16) -> list[int]:
    def call(job):
        try:
            return job(Client())
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(call, jobs))


def test_same_delivery_200_times_from_16_threads_makes_one_transaction(lan):
    headers, body = vnpt(vnpt_body())

    statuses = run_in_threads([lambda c: post(c, "vnpt", headers, body).status_code] * 200)

    assert statuses == [200] * 200
    assert Transaction.objects.count() == 1
    verdicts = list(WebhookDelivery.objects.values_list("verdict", flat=True))
    assert (verdicts.count("accepted"), verdicts.count("duplicate"), len(verdicts)) == (1, 199, 200)


def test_two_contents_of_one_id_racing_never_answer_500(lan):
    pairs = 20
    barriers = [threading.Barrier(2) for _ in range(pairs)]

    def job(index: int, amount: str):
        fields = viettel_fields(f"VT-RACE-{index}", amount=amount)

        def send(c):
            barriers[index].wait(timeout=30)
            response = post(c, "viettel", *viettel(fields))
            return response.status_code, response.json()["code"]

        return send

    jobs = [job(i, amount) for i in range(pairs) for amount in ("45000", "54000")]

    answers = run_in_threads(jobs)

    assert sorted(set(answers)) == [(200, "00"), (409, "04")]
    assert answers.count((200, "00")) == pairs
    assert Transaction.objects.count() == pairs
    assert PaymentAlert.objects.count() == pairs


def test_racing_statuses_end_with_the_latest(lan):
    t0 = 1795137329000
    deliveries = [
        mobifone(mobifone_body(f"MBF-R{i}", status=status, updated_at=t0 + offset))
        for i in range(10)
        for status, offset in (("SUCCESS", 0), ("REVERSED", 60_000), ("SUCCESS", 0))
    ]

    statuses = run_in_threads([lambda c, d=d: post(c, "mobifone", *d).status_code for d in deliveries])

    assert set(statuses) == {200}
    assert set(Transaction.objects.values_list("status", flat=True)) == {"reversed"}
