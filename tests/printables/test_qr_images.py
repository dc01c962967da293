"""Every QR image we make decodes, with an independent reader, to the exact text."""

import io
import random
import string

import pytest
import zxingcpp
from PIL import Image

from merchants import vietqr
from printables import qr
from tests.merchants.test_vietqr import PUBLISHED
from tests.printables.conftest import read_png, read_svg


def _samples() -> list[str]:
    ours = [
        vietqr.encode(bin=b, account=a, name=vietqr.merchant_name(n), reference=r)
        for b, a, n, r in [
            ("971011", "0912345678", "Rau sạch Cô Lan – Đặc sản Phong Điền", "C4VK7M2Q9XA"),
            ("971005", "0987654321", "Trần Văn Hùng", "C4ABCDEFGHJ"),
            ("971025", "1234567890123456789", "Cá tươi Bà Năm", "C4ZZZZZZZZZ"),
        ]
    ]
    rng = random.Random(20261120)
    noise = ["".join(rng.choice(string.printable[:95]) for _ in range(rng.randint(1, 400))) for _ in range(30)]
    return ours + [row[0] for row in PUBLISHED] + noise


@pytest.mark.parametrize("text", _samples())
def test_png_and_svg_decode_to_the_text_byte_for_byte(text):
    assert read_png(qr.png(text)) == [text]
    assert read_svg(qr.svg(text)) == [text]


def test_png_uses_error_correction_m_and_a_four_module_quiet_zone():
    text = vietqr.encode(bin="971011", account="0912345678", name="LAN", reference="C4VK7M2Q9XA")
    symbol = qr.matrix(text)

    image = Image.open(io.BytesIO(qr.png(text, module_px=10))).convert("L")

    found = zxingcpp.read_barcodes(image)
    assert [b.ec_level for b in found] == ["M"]
    side = (symbol.size + 8) * 10
    assert image.size == (side, side)
    border = [image.getpixel((x, y)) for x in range(side) for y in list(range(40)) + list(range(side - 40, side))]
    assert min(border) == 255  # four light modules (40 px) all round: top and bottom rows
    border = [image.getpixel((x, y)) for y in range(side) for x in list(range(40)) + list(range(side - 40, side))]
    assert min(border) == 255
    assert image.getpixel((40, 40)) == 0  # the finder pattern starts right after the quiet zone


def test_svg_is_vector_paths_with_the_quiet_zone_in_its_view_box():
    text = "00020101021138540010A00000072701240006971011011009123456780208QRIBFTTA53037045802VN6304CBB4"
    symbol = qr.matrix(text)

    svg = qr.svg(text)

    assert f'viewBox="0 0 {symbol.size + 8} {symbol.size + 8}"' in svg
    assert "<path" in svg and "<image" not in svg
    assert "M4 4h7v1h-7z" in svg  # top row of the top-left finder, four modules in


def test_matrix_matches_the_reference_library_for_the_same_segments_and_mask():
    """ECC, placement, format and version information agree module for module with `qrcode`."""
    import qrcode

    for text in _samples()[:8] + ["x" * 400]:
        symbol = qr.matrix(text)
        reference = qrcode.QRCode(
            version=symbol.version,
            error_correction=qrcode.constants.ERROR_CORRECT_M,
            border=0,
            mask_pattern=symbol.mask,
        )
        for segment in qr._segments(text):
            reference.add_data(segment)
        reference.make(fit=False)
        expected = tuple("".join("1" if m else "0" for m in row) for row in reference.get_matrix())
        assert symbol.rows == expected
