"""The board revokes a vendor's link and issues the next one: audited, the
old link stops at once, the new one works, a closed vendor has none."""

import pytest
from django.test import Client

from core.errors import Conflict, NotFound
from core.models import AuditEntry
from merchants.models import VendorStatus
from printables import links, services
from printables.links import vendor_token
from tests.payments.kit import lan  # noqa: F401 — fixture

pytestmark = pytest.mark.django_db


def test_reissuing_stops_the_old_link_at_once_and_audits(lan, board_a):
    old = vendor_token(lan)
    assert Client().get(f"/v/{old}/").status_code == 200

    assert services.vendor_link_reissue(actor=board_a, vendor=lan) == 2

    new = vendor_token(lan)
    assert new != old
    refused = Client().get(f"/v/{old}/")
    assert refused.status_code == 404
    assert "đã bị thu hồi" in refused.content.decode()
    assert Client().get(f"/v/{new}/").status_code == 200
    entry = AuditEntry.objects.get(action="vendor_link.reissue")
    assert (entry.actor, entry.before, entry.after) == (board_a, {"link_version": 1}, {"link_version": 2})


def test_links_signed_before_versions_still_open_until_reissued(lan, board_a):
    unversioned = links.signing.dumps({"v": lan.code}, salt=links.SALT, compress=False)
    assert links.vendor_from_token(unversioned) == lan
    services.vendor_link_reissue(actor=board_a, vendor=lan)
    assert links.vendor_from_token(unversioned) is None


def test_another_markets_board_cannot_reissue(lan, board_b):
    with pytest.raises(NotFound):
        services.vendor_link_reissue(actor=board_b, vendor=lan)
    assert links.current_version(lan) == 1


def test_a_closed_vendor_has_no_link_to_reissue(lan, board_a):
    lan.status = VendorStatus.CLOSED
    lan.save()
    with pytest.raises(Conflict):
        services.vendor_link_reissue(actor=board_a, vendor=lan)
    assert not AuditEntry.objects.filter(action="vendor_link.reissue").exists()


def test_the_vendor_page_hands_the_link_over_as_a_qr_code(lan, board_a, department):
    client = Client()
    client.force_login(board_a)
    page = client.get(f"/vendors/{lan.code}/").content.decode()
    assert f"/vendors/{lan.code}/link-qr.svg" in page
    image = client.get(f"/vendors/{lan.code}/link-qr.svg")
    assert image["Content-Type"] == "image/svg+xml" and image.content.startswith(b"<svg")
    client.force_login(department)
    assert client.get(f"/vendors/{lan.code}/link-qr.svg").status_code == 403


def test_the_board_page_reissues_with_a_post(lan, board_a):
    client = Client()
    client.force_login(board_a)
    assert client.get(f"/vendors/{lan.code}/link/reissue/").status_code == 405
    response = client.post(f"/vendors/{lan.code}/link/reissue/")
    assert response.status_code == 302
    assert links.current_version(lan) == 2
