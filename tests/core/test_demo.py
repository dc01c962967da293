"""`load_demo` fills a migrated database with logins and vendors, and can run twice."""

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from market40.demo_users import DEMO_PASSWORD, DEMO_USERS
from merchants.models import Market, Vendor, WalletAccount

pytestmark = pytest.mark.django_db


def test_load_demo_gives_every_role_a_login_and_pilot_markets_their_vendors():
    call_command("load_demo", stdout=io.StringIO())

    for username, *_rest in DEMO_USERS:
        assert authenticate(username=username, password=DEMO_PASSWORD) is not None, username
    pilot_with_vendors = Market.objects.filter(is_pilot=True, vendors__isnull=False).distinct().count()
    assert pilot_with_vendors == 18
    assert Vendor.objects.filter(market__is_pilot=False).exists()
    assert Vendor.objects.count() > 2000
    assert set(WalletAccount.objects.values_list("partner", flat=True)) == {"vnpt", "viettel", "mobifone"}
    counts = (Vendor.objects.count(), WalletAccount.objects.count())

    call_command("load_demo", stdout=io.StringIO())

    assert (Vendor.objects.count(), WalletAccount.objects.count()) == counts


def test_demo_banner_prints_where_to_look_and_how_to_log_in():
    out = io.StringIO()
    call_command("demo_banner", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8000/" in text and DEMO_PASSWORD in text
    assert all(username in text for username, *_rest in DEMO_USERS)
