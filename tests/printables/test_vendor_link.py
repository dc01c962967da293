"""The vendor's signed link: no account, their codes, poster and PNG downloads."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import signing

from merchants import services
from merchants.models import PaymentCode
from printables import selectors
from tests.printables.conftest import read_pdf, read_png

pytestmark = pytest.mark.django_db


def _path(vendor) -> str:
    return urlsplit(selectors.vendor_link(vendor)).path


def test_link_page_shows_the_vendors_codes_in_vietnamese(client, lan):
    response = client.get(_path(lan))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Rau sạch Cô Lan – Đặc sản Phong Điền" in html
    assert lan.payment_reference in html
    assert "Tải áp phích để in" in html
    images = re.findall(r'<img src="([^"]+)"', html)
    assert len(images) == 3
    payloads = sorted(PaymentCode.objects.filter(wallet_account__vendor=lan).values_list("payload", flat=True))
    assert sorted(read_png(client.get(src).content)[0] for src in images) == payloads


def test_link_downloads_poster_and_png(client, lan):
    base = _path(lan)
    code = PaymentCode.objects.filter(wallet_account__vendor=lan).first()

    poster = client.get(f"{base}poster.pdf?download=1")
    png = client.get(f"{base}qr/{code.pk}.png?download=1")

    assert poster.status_code == 200 and "attachment" in poster["Content-Disposition"]
    assert len(read_pdf(poster.content)[0]) == 3
    assert png.status_code == 200 and "attachment" in png["Content-Disposition"]
    assert read_png(png.content) == [code.payload]


def assert_link_refused(response) -> None:
    """A 404 in Vietnamese that sends the vendor to the board for a new link."""
    page = response.content.decode()
    assert response.status_code == 404
    assert "Đường dẫn không hợp lệ" in page and "Hãy hỏi Ban quản lý chợ để được gửi đường dẫn mới." in page
    assert "Not Found" not in page


def test_tampered_or_expired_links_are_404(client, lan, settings):
    path = _path(lan)
    token = path.strip("/").split("/")[1]
    forged = signing.dumps({"v": lan.code}, salt="another-salt")

    assert_link_refused(client.get(f"/v/{token[:-2]}xx/"))
    assert_link_refused(client.get(f"/v/{forged}/"))
    assert_link_refused(client.get(f"/v/{forged}/poster.pdf"))
    assert_link_refused(client.get(f"{path}qr/999999.png"))
    settings.VENDOR_LINK_MAX_AGE_DAYS = 0
    assert_link_refused(client.get(path))


def test_link_never_serves_another_vendors_code(client, lan, hung):
    foreign = PaymentCode.objects.filter(wallet_account__vendor=hung).first()

    assert client.get(f"{_path(lan)}qr/{foreign.pk}.png").status_code == 404


def test_after_suspension_the_link_shows_no_code(client, board_a, lan):
    services.vendor_change_status(actor=board_a, vendor=lan, status="suspended")

    response = client.get(_path(lan))

    assert response.status_code == 200
    assert "<img" not in response.content.decode()
    assert client.get(f"{_path(lan)}poster.pdf").status_code == 404
