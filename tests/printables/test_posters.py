"""Posters: every QR on them scans to the stored payload; Vietnamese text survives."""

import io

import pypdf
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from merchants import services
from merchants.models import PaymentCode
from printables import documents, posters, selectors
from tests.printables.conftest import read_pdf, register

pytestmark = pytest.mark.django_db


def _active_payloads(vendor) -> list[str]:
    return sorted(c.payload for c in PaymentCode.objects.filter(wallet_account__vendor=vendor, revoked_at=None))


def test_vendor_poster_carries_one_scannable_code_per_wallet(lan):
    pdf = documents.vendor_poster_pdf(lan)

    pages = read_pdf(pdf)
    assert len(pages) == 1
    assert sorted(pages[0]) == _active_payloads(lan)
    assert len(pages[0]) == 3


def test_poster_text_keeps_vietnamese_diacritics(lan):
    reader = pypdf.PdfReader(io.BytesIO(documents.vendor_poster_pdf(lan)))

    text = reader.pages[0].extract_text()
    for expected in (
        "Rau sạch Cô Lan – Đặc sản Phong Điền",
        "Nguyễn Thị Lan",
        lan.market.name,
        "Sạp A-012",
        "Quét mã để thanh toán",
        lan.payment_reference,
        "VNPT Money",
        "Viettel Money",
        "MobiFone Money",
        "Phiên bản 1 · cấp",
    ):
        assert expected in text


def test_poster_is_a5_with_embedded_fonts_and_vector_codes(lan):
    reader = pypdf.PdfReader(io.BytesIO(documents.vendor_poster_pdf(lan)))
    page = reader.pages[0]

    width_mm, height_mm = (float(v) * 25.4 / 72 for v in (page.mediabox.width, page.mediabox.height))
    assert (round(width_mm), round(height_mm)) == (148, 210)
    fonts = page["/Resources"]["/Font"]
    descriptors = [font.get_object()["/FontDescriptor"] for font in _descendant_fonts(fonts)]
    assert descriptors and all("/FontFile2" in d for d in descriptors)  # TrueType program embedded
    assert all("DejaVuSans" in d["/FontName"] for d in descriptors)
    # No raster image anywhere: the codes are drawn as rectangles.
    assert "/XObject" not in page["/Resources"]


def _descendant_fonts(fonts):
    for ref in fonts.values():
        font = ref.get_object()
        if "/DescendantFonts" in font:
            yield from (f.get_object() for f in font["/DescendantFonts"])
        else:
            yield font


def test_a_vendor_without_active_codes_has_no_poster(board_a, market_a):
    vendor = register(board_a, market_a, stall="C-003", wallets={})

    with pytest.raises(Exception) as caught:
        documents.vendor_poster_pdf(vendor)
    assert getattr(caught.value, "errors", {}).get("vendor")


@pytest.fixture
def four_vendors(board_a, market_a, lan):
    others = [
        register(
            board_a,
            market_a,
            stall=f"B-00{i}",
            full_name=name,
            trade_name="",
            phone=f"091234500{i}",
            national_id=f"09218600010{i}",
            wallets={"vnpt": f"09120000{i}0", "viettel": f"09870000{i}0"},
        )
        for i, name in enumerate(["Trần Văn Đức", "Lê Thị Ánh", "Phạm Hữu Lộc"], start=1)
    ]
    return [lan, *others]


@pytest.mark.parametrize(("layout", "pages"), [("a5", 4), ("a4x2", 2)])
def test_market_batch_codes_all_scan_in_both_layouts(market_a, four_vendors, layout, pages):
    pdf = documents.market_posters_pdf(market_a, layout=layout)

    found = read_pdf(pdf)
    assert len(found) == pages
    expected = sorted(p for vendor in four_vendors for p in _active_payloads(vendor))
    assert sorted(text for page in found for text in page) == expected
    if layout == "a4x2":
        size = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].mediabox
        assert round(float(size.width) * 25.4 / 72) == 297


def test_batch_leaves_out_suspended_vendors_and_revoked_codes(board_a, market_a, four_vendors):
    lan, duc, *_ = four_vendors
    services.vendor_change_status(actor=board_a, vendor=duc, status="suspended")
    code = PaymentCode.objects.filter(wallet_account__vendor=lan, revoked_at=None).first()
    services.payment_code_revoke(actor=board_a, code=code, reason="Áp phích bị rách")

    items = selectors.market_posters(market_a)

    assert [p.stall for p in items] == ["A-012", "B-002", "B-003"]
    assert len(items[0].codes) == 2
    assert code.payload not in [c.payload for p in items for c in p.codes]


def test_posters_command_writes_the_market_pdf(tmp_path, market_a, four_vendors, capsys):
    out = tmp_path / "posters.pdf"

    call_command("posters", "--market", market_a.code, "--out", str(out), "--layout", "a4x2")

    assert len(read_pdf(out.read_bytes())) == 2
    assert "4 áp phích" in capsys.readouterr().out


def test_posters_command_rejects_unknown_market_and_layout(tmp_path, market_a, lan):
    with pytest.raises(CommandError, match="--market"):
        call_command("posters", "--market", "XX99", "--out", str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match="Khổ in"):
        call_command("posters", "--market", market_a.code, "--out", str(tmp_path / "x.pdf"), "--layout", "a3")


def test_long_names_shrink_to_fit_the_printable_width(lan):
    poster = selectors.vendor_poster(lan)
    long_name = "Cửa hàng rau củ quả sạch và trái cây tươi ngon nhất chợ của Cô Lan"
    stretched = posters.PosterData(**{**poster.__dict__, "trade_name": long_name})

    pdf = posters.render([stretched])

    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert long_name in text.replace("\n", " ")
    assert sorted(read_pdf(pdf)[0]) == _active_payloads(lan)


def test_under_each_code_the_poster_names_the_payee_the_customers_app_shows(lan):
    """A sticker pasted over a code would show another name in the app: the
    poster prints the right one under each code and says to check it."""
    text = pypdf.PdfReader(io.BytesIO(documents.vendor_poster_pdf(lan))).pages[0].extract_text()

    assert text.count("Tên người nhận hiện trên ứng dụng:") == 3
    assert text.count("NGUYEN THI LAN") == 3
    assert "hãy xem tên người nhận trên ứng dụng có đúng như in dưới mã không" in text
    pages = read_pdf(documents.vendor_poster_pdf(lan))
    assert sorted(pages[0]) == _active_payloads(lan), "the codes still scan"
