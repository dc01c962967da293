"""A board or a tester aims the simulated partners at one vendor or one
market, or sends one signed test payment of a chosen amount, and watches it
arrive as a transaction of that vendor."""

import pytest
from django.core.management import CommandError, call_command

from payments.models import SimulatedNotice, Transaction, WebhookDelivery


@pytest.mark.django_db(transaction=True)
def test_the_simulator_aimed_at_one_vendor_pays_only_that_vendor(live_server, lan, hoa, capsys):
    call_command("simulate_partners", url=live_server.url, count=30, rate=0, seed=4, vendor=lan.code)

    assert "unexpected answer" not in capsys.readouterr().out
    paid = Transaction.objects.filter(kind="payment")
    assert paid.exists()
    assert set(paid.values_list("vendor", flat=True)) == {lan.pk}


@pytest.mark.django_db(transaction=True)
def test_the_simulator_aimed_at_one_market_pays_only_its_vendors(live_server, lan, hoa, capsys):
    call_command("simulate_partners", url=live_server.url, count=30, rate=0, seed=4, market=hoa.market.code)

    paid = Transaction.objects.filter(kind="payment")
    assert paid.exists()
    assert set(paid.values_list("vendor__market__code", flat=True)) == {hoa.market.code}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("option", "value", "reason"),
    [("vendor", "TT0000000", "no vendor TT0000000"), ("market", "XX99", "no market XX99")],
)
def test_the_simulator_names_a_vendor_or_market_it_cannot_find(lan, option, value, reason):
    with pytest.raises(CommandError, match=reason):
        call_command("simulate_partners", count=1, **{option: value})


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("partner", ["vnpt", "viettel", "mobifone"])
def test_one_signed_test_payment_arrives_for_the_chosen_vendor(live_server, lan, hoa, capsys, partner):
    call_command("send_test_payment", vendor=lan.code, amount=45_000, partner=partner, url=live_server.url)

    txn = Transaction.objects.get()
    assert (txn.vendor, txn.amount, txn.partner, txn.status) == (lan, 45_000, partner, "completed")
    assert WebhookDelivery.objects.get().verdict == "accepted"
    # Written down like the simulator's own, so a settlement file includes it.
    assert SimulatedNotice.objects.filter(partner_transaction_id=txn.partner_transaction_id, amount=45_000).exists()
    out = capsys.readouterr().out
    assert txn.partner_transaction_id in out and "45.000 ₫" in out and lan.code in out


@pytest.mark.django_db
def test_a_test_payment_can_go_straight_to_intake_without_a_server(lan, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_test_payment", vendor=lan.code, amount=12_000, direct=True)

    assert Transaction.objects.get().amount == 12_000


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"amount": 0}, "--amount must be a positive number"),
        ({"amount": 1000, "vendor": "TT0000000"}, "no vendor TT0000000"),
    ],
)
def test_a_test_payment_refuses_what_it_cannot_send(lan, options, reason):
    with pytest.raises(CommandError, match=reason):
        call_command("send_test_payment", **{"vendor": lan.code, "direct": True} | options)
    assert not Transaction.objects.exists()


@pytest.mark.django_db
def test_a_test_payment_names_the_wallets_the_vendor_has(market_a):
    from tests.payments.kit import make_vendor

    vendor = make_vendor(market_a, stall="A-077", reference="C4TEST00001", accounts={"viettel": "0987000001"})
    with pytest.raises(CommandError, match=r"no active wallet account at vnpt \(accounts at: viettel\)"):
        call_command("send_test_payment", vendor=vendor.code, amount=1000, partner="vnpt", direct=True)
