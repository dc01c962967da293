"""Vendors with live codes, and an independent reader for every QR we draw.

zxing-cpp decodes; pypdfium2 rasterises PDFs; resvg rasterises SVGs. None of
them shares code with the encoder under test.
"""

import io

import pypdfium2
import pytest
import resvg_py
import zxingcpp
from PIL import Image

from merchants import services
from merchants.models import Vendor
from tests.conftest import vendor_payload


def read_qr_texts(image: Image.Image) -> list[str]:
    return [barcode.text for barcode in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def read_png(content: bytes) -> list[str]:
    return read_qr_texts(Image.open(io.BytesIO(content)))


def read_svg(content: str, px: int = 480) -> list[str]:
    png = bytes(resvg_py.svg_to_bytes(svg_string=content, width=px, height=px, skip_system_fonts=True))
    return read_png(png)


def pdf_pages(content: bytes, dpi: int = 200) -> list[Image.Image]:
    document = pypdfium2.PdfDocument(content)
    try:
        return [page.render(scale=dpi / 72).to_pil() for page in document]
    finally:
        document.close()


def read_pdf(content: bytes) -> list[list[str]]:
    """The QR texts found on each page, in no particular order."""
    return [read_qr_texts(page) for page in pdf_pages(content)]


@pytest.fixture
def mobifone_bin(settings):
    settings.MOBIFONE_BIN = "971025"
    return settings.MOBIFONE_BIN


def register(board, market, *, stall: str, wallets: dict[str, str], **overrides) -> Vendor:
    data = vendor_payload(market, stall_number=stall, **overrides)
    data = {k: v for k, v in data.items() if k not in ("market", "consent_given")}
    vendor = services.vendor_register(actor=board, market=market, data=data, consent_given=True)
    for partner, number in wallets.items():
        services.wallet_account_add(actor=board, vendor=vendor, partner=partner, account_number=number)
    return vendor


@pytest.fixture
def lan(board_a, market_a, mobifone_bin) -> Vendor:
    """Three wallets, all with codes; a Vietnamese trade name full of diacritics."""
    return register(
        board_a,
        market_a,
        stall="A-012",
        full_name="Nguyễn Thị Lan",
        trade_name="Rau sạch Cô Lan – Đặc sản Phong Điền",
        wallets={"vnpt": "0912345678", "viettel": "0987654321", "mobifone": "0901234567"},
    )


@pytest.fixture
def hung(board_b, market_b) -> Vendor:
    """A vendor of the other market, for tenancy checks."""
    return register(
        board_b,
        market_b,
        stall="B-001",
        full_name="Trần Văn Hùng",
        trade_name="",
        phone="0934567890",
        national_id="092186000456",
        wallets={"vnpt": "0911111111"},
    )
