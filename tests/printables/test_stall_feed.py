"""The stall screens' feed over the outbox: the doorbell rings at commit, the
mark never passes an event that is still to commit, a rolled-back id is let
go, and a screen's position names exactly what it has."""

import asyncio
import time

import psycopg
import pytest
from django.db import connection

from payments.models import OutboxEvent
from payments.signals import TRANSACTION_CHANGED_CHANNEL
from printables import stall_feed
from printables.stall_feed import Feed, Position
from tests.payments.kit import lan, partner_secrets, post, vnpt, vnpt_body  # noqa: F401 — fixtures

pytestmark = pytest.mark.django_db(transaction=True)

INSERT_EVENT = (
    "INSERT INTO payments_outboxevent (kind, transaction_id, created_at, available_at, attempts, last_error) "
    "VALUES ('transaction.changed', %s, now(), now(), 0, '') RETURNING id"
)


def _pay(client, txn_id: str, amount: int = 45_000) -> int:
    headers, body = vnpt(vnpt_body(txn_id, amount=amount), msg_id=f"msg_{txn_id}")
    assert post(client, "vnpt", headers, body).status_code == 200
    return OutboxEvent.objects.latest("id").transaction_id


def _dsn() -> str:
    return stall_feed.conninfo()


def test_the_doorbell_rings_at_commit_and_not_before(client, lan):
    with psycopg.connect(_dsn(), autocommit=True) as listener:
        listener.execute(f"LISTEN {TRANSACTION_CHANGED_CHANNEL}")
        txn_id = _pay(client, "VNPT2612040000101")
        assert [n.channel for n in listener.notifies(timeout=2, stop_after=1)] == [TRANSACTION_CHANGED_CHANNEL]

        with psycopg.connect(_dsn()) as writer:
            writer.execute(INSERT_EVENT, (txn_id,))
            assert list(listener.notifies(timeout=0.3)) == []
            writer.rollback()
        assert list(listener.notifies(timeout=0.3)) == [], "a rolled-back event rang"


def test_the_mark_waits_for_an_earlier_event_still_to_commit(client, lan):
    txn_id = _pay(client, "VNPT2612040000111")
    feed = Feed(_dsn())

    async def scenario() -> None:
        await feed.start()
        subscriber = feed.subscribe(lan.pk, link_version=1)
        start = feed.mark
        with psycopg.connect(_dsn()) as slow, psycopg.connect(_dsn(), autocommit=True) as fast:
            early = slow.execute(INSERT_EVENT, (txn_id,)).fetchone()[0]
            late = fast.execute(INSERT_EVENT, (txn_id,)).fetchone()[0]
            await feed.poll()
            batch = subscriber.queue.get_nowait()
            assert [c.event_id for c in batch.changes] == [late]
            assert feed.mark == start, "the mark passed an event still to commit"
            slow.commit()
        await feed.poll()
        batch = subscriber.queue.get_nowait()
        assert [c.event_id for c in batch.changes] == [early]
        assert feed.mark == late
        await feed.stop()

    asyncio.run(scenario())


def test_a_rolled_back_id_is_let_go_once_its_transaction_ended(client, lan, monkeypatch):
    monkeypatch.setattr(stall_feed, "GAP_SETTLE_SECONDS", 0.2)
    txn_id = _pay(client, "VNPT2612040000121")
    feed = Feed(_dsn())

    async def scenario() -> None:
        await feed.start()
        with psycopg.connect(_dsn()) as doomed, psycopg.connect(_dsn(), autocommit=True) as fine:
            doomed.execute(INSERT_EVENT, (txn_id,))
            late = fine.execute(INSERT_EVENT, (txn_id,)).fetchone()[0]
            await feed.poll()
            time.sleep(0.3)
            await feed.poll()  # settles the gap's horizon
            await feed.poll()
            assert feed.mark < late, "let go while its transaction may still commit"
            doomed.rollback()
        await feed.poll()
        assert feed.mark == late
        await feed.stop()

    asyncio.run(scenario())


def test_a_position_reads_back_as_written():
    position = Position(120, [125, 123, 119])
    assert str(position) == "120.123.125"
    again = Position.parse(str(position))
    assert again is not None and again.mark == 120 and again.above == {123, 125}
    again.advance(124)
    assert str(again) == "124.125"
    for bad in ["", "abc", "1.-2", "1." + ".".join(["2"] * 300), "9" * 40]:
        assert Position.parse(bad) is None


def test_the_payer_is_kept_masked(client, lan):
    txn = _pay(client, "VNPT2612040000131")
    with connection.cursor() as cursor:
        cursor.execute("SELECT payer FROM payments_transaction WHERE id = %s", [txn])
        assert cursor.fetchone()[0] == "N**** V** A · ***678"


def test_the_periodic_link_check_sees_a_reissue_and_a_closing(lan, board_a):
    from merchants.models import VendorStatus
    from printables import services

    feed = Feed(_dsn())

    async def standing() -> dict[int, int]:
        await feed.start()
        try:
            return await feed.standing([lan.pk])
        finally:
            await feed.stop()

    assert asyncio.run(standing()) == {lan.pk: 1}
    services.vendor_link_reissue(actor=board_a, vendor=lan)
    assert asyncio.run(standing()) == {lan.pk: 2}
    lan.status = VendorStatus.CLOSED
    lan.save()
    assert asyncio.run(standing()) == {}
