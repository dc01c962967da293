"""The VietQR encoder and decoder, against payloads that real banks and wallets publish."""

import pytest

from merchants import vietqr

# Published payloads, each with where it was published and what it must decode to.
# xuannghia/vietnam-qr-pay, README.md ("VietQR Tĩnh", "VietQR Động") and test/test-vietqr.spec.ts;
# test/test-momo-zalopay.spec.ts ("QR Content generated from MoMo app"); subiz/vietqr, vietqr_test.go
# and README.md.
ACB_STATIC = "00020101021138530010A0000007270123000697041601092576788590208QRIBFTTA53037045802VN6304AE9F"
ACB_DYNAMIC = (
    "00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA53037045405100005802VN"
    "62150811Chuyen tien630453E6"
)
ACB_SPEC = (
    "00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA5303704540410005802VN"
    "62150811Chuyen tien6304BBB8"
)
TECHCOMBANK = "00020101021138580010A000000727012800069704070114190304136010180208QRIBFTTA53037045802VN63040283"
MBBANK_LOWERCASE_CRC = "00020101021138540010A00000072701240006970422011003523509170208QRIBFTTA53037045802VN630479db"
MOMO = (
    "00020101021138620010A00000072701320006970454011899MM24011M348750800208QRIBFTTA53037045802VN"
    "62190515MOMOW2W3487508080030466304EBC8"
)
ZALOPAY = "00020101021138620010A00000072701320006970454011899ZP24009M072482670208QRIBFTTA53037045802VN6304073C"
TPBANK = "00020101021138540010A00000072701240006970423011000999999990208QRIBFTTA53037045802VN6304CBB4"
MB_NOTE = (
    "00020101021238570010A00000072701270006970422011300234579234420208QRIBFTTA53037045405401235802VN"
    "62200816test text string6304D9C6"
)
VIETINBANK = (
    "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA530370454061200005802VN"
    "62170813ung ho lu lut6304C15C"
)

PUBLISHED = [
    # payload, bin, account, amount, purpose (62.08)
    (ACB_STATIC, "970416", "257678859", None, None),
    (ACB_DYNAMIC, "970416", "257678859", 10000, "Chuyen tien"),
    (ACB_SPEC, "970416", "257678859", 1000, "Chuyen tien"),
    (TECHCOMBANK, "970407", "19030413601018", None, None),
    (MBBANK_LOWERCASE_CRC, "970422", "0352350917", None, None),
    (MOMO, "970454", "99MM24011M34875080", None, None),
    (ZALOPAY, "970454", "99ZP24009M07248267", None, None),
    (TPBANK, "970423", "0099999999", None, None),
    (MB_NOTE, "970422", "0023457923442", 40123, "test text string"),
    (VIETINBANK, "970415", "0011001932418", 120000, "ung ho lu lut"),
]


@pytest.mark.parametrize(("payload", "bin", "account", "amount", "purpose"), PUBLISHED)
def test_published_payloads_decode_to_their_documented_fields(payload, bin, account, amount, purpose):
    fields = vietqr.decode(payload)

    assert fields["guid"] == "A000000727"
    assert fields["service"] == "QRIBFTTA"
    assert (fields["bin"], fields["account"], fields["amount"], fields["reference"]) == (bin, account, amount, purpose)
    assert fields["static"] is (amount is None)
    assert fields["currency"] == "704" and fields["country"] == "VN"
    assert fields["crc"] == payload[-4:].upper()


# MoMo's code adds sub-tag 62.05 and tag 80, which our encoder never writes.
ENCODABLE = [row for row in PUBLISHED if row[0] != MOMO]


@pytest.mark.parametrize(("payload", "bin", "account", "amount", "purpose"), ENCODABLE)
def test_encoder_reproduces_published_payloads_byte_for_byte(payload, bin, account, amount, purpose):
    encoded = vietqr.encode(bin=bin, account=account, name=None, city=None, reference=purpose, amount=amount)

    # The MBBank sample writes its CRC in lower case; ours is always upper case.
    assert encoded == payload[:-4] + payload[-4:].upper()


def test_momo_wallet_code_keeps_every_field_including_unreserved_ones():
    fields = vietqr.decode(MOMO)

    assert fields["tags"]["38"] == {
        "00": "A000000727",
        "01": {"00": "970454", "01": "99MM24011M34875080"},
        "02": "QRIBFTTA",
    }
    assert fields["tags"]["62"] == {"05": "MOMOW2W34875080"}
    assert fields["tags"]["80"] == "046"


def test_our_code_round_trips_with_name_city_and_reference():
    payload = vietqr.encode(
        bin="971011", account="0912345678", name="Nguyễn Thị Lan", city="Cần Thơ", reference="C4VK7M2Q9XA"
    )

    fields = vietqr.decode(payload)
    assert payload.startswith("000201010211")
    assert payload.isascii()
    assert (fields["name"], fields["city"], fields["reference"]) == ("NGUYEN THI LAN", "CAN THO", "C4VK7M2Q9XA")
    assert (fields["bin"], fields["account"], fields["static"]) == ("971011", "0912345678", True)
    assert "6304" + payload[-4:] == payload[-8:]


def test_amount_makes_the_code_dynamic():
    payload = vietqr.encode(bin="971005", account="0987654321", name="Lan", amount=45000)

    assert vietqr.decode(payload)["tags"]["01"] == "12"
    assert "540545000" in payload


def test_crc_is_crc16_ccitt_false():
    # The catalogue check value of CRC-16/CCITT-FALSE.
    assert vietqr.crc16_ccitt_false(b"123456789") == 0x29B1
    # subiz/vietqr vietqr_test.go (TestCrc32) lists this input with CRC A203.
    text = (
        "00020101021238600010A00000072701300006970403011697040311012345670208QRIBFTTC530370454061800005802VN"
        "62340107NPS68690819thanh toan don hang6304"
    )
    assert vietqr.crc16_ccitt_false(text.encode()) == 0xA203


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Nguyễn Thị Lan", "NGUYEN THI LAN"), ("Đặng Văn Đức", "DANG VAN DUC"), ("  Võ   Thị  Ánh ", "VO THI ANH")],
)
def test_ascii_upper_writes_vietnamese_without_diacritics(text, expected):
    assert vietqr.ascii_upper(text) == expected


def test_tags_in_any_order_decode_the_same():
    body = "5802VN0002015303704" + "38540010A00000072701240006971011011009123456780208QRIBFTTA" + "010211" + "6304"
    payload = body + f"{vietqr.crc16_ccitt_false(body.encode()):04x}"

    fields = vietqr.decode(payload)
    assert (fields["bin"], fields["account"], fields["country"]) == ("971011", "0912345678", "VN")


def _with_crc(body: str) -> str:
    return body + "6304" + f"{vietqr.crc16_ccitt_false((body + '6304').encode()):04X}"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (ACB_STATIC[:-4] + "AE9E", "63"),
        (ACB_STATIC[:-8], "63"),
        (ACB_STATIC[:-4] + "ZZZZ", "63"),
        (_with_crc("000201010211385400"), "38"),
        (_with_crc(ACB_STATIC[:-8] + "5930" + "X" * 30), "59"),
        (_with_crc(ACB_STATIC[:-8] + "6016" + "X" * 16), "60"),
        (_with_crc(ACB_STATIC[:-8] + "62300826" + "X" * 26), "62.08"),
        (_with_crc(ACB_STATIC[:-8] + "5A02VN"), "payload"),
        (_with_crc("000201010211" + "38200010A00000072701021X"), "38.01"),
        (_with_crc(ACB_STATIC[:-8] + "5802VN"), "58"),
        (_with_crc("000202" + ACB_STATIC[6:-8]), "00"),
        (_with_crc("0002010102113822" + "0010B000000727" + "0204ABCD"), "38"),
    ],
    ids=[
        "wrong-crc",
        "no-crc",
        "crc-not-hex",
        "length-runs-past-end",
        "name-too-long",
        "city-too-long",
        "reference-too-long",
        "tag-not-digits",
        "nested-length-bad",
        "duplicate-tag",
        "wrong-format",
        "not-napas",
    ],
)
def test_decoder_rejects_and_names_the_field(payload, field):
    with pytest.raises(vietqr.VietQRError) as caught:
        vietqr.decode(payload)

    assert caught.value.field == field
    assert str(caught.value).startswith(field)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"bin": "97101"}, "38.01.00"),
        ({"account": "0912-345"}, "38.01.01"),
        ({"account": "1" * 20}, "38.01.01"),
        ({"name": "Cửa hàng rau sạch và trái cây tươi Cô Lan"}, "59"),
        ({"name": ""}, "59"),
        ({"city": "Thành phố Cần Thơ xa"}, "60"),
        ({"reference": "C4" + "X" * 24}, "62.08"),
        ({"amount": 0}, "54"),
        ({"amount": 1.5}, "54"),
        ({"amount": True}, "54"),
    ],
)
def test_encoder_enforces_field_rules(overrides, field):
    arguments = {"bin": "971011", "account": "0912345678", "name": "Lan", **overrides}

    with pytest.raises(vietqr.VietQRError) as caught:
        vietqr.encode(**arguments)

    assert caught.value.field == field


def test_merchant_name_cuts_long_names_at_a_word():
    name = vietqr.merchant_name("Cửa hàng rau sạch và trái cây tươi Cô Lan")

    assert name == "CUA HANG RAU SACH VA TRAI"
    assert len(name) <= vietqr.MAX_NAME
