"""`manage.py vietqr decode|encode`."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from merchants import vietqr
from tests.merchants.test_vietqr import MOMO, VIETINBANK


def test_decode_prints_every_field_as_json(capsys):
    call_command("vietqr", "decode", MOMO)

    fields = json.loads(capsys.readouterr().out)
    assert fields["bin"] == "970454"
    assert fields["tags"]["38"]["01"] == {"00": "970454", "01": "99MM24011M34875080"}
    assert fields["tags"]["62"]["05"] == "MOMOW2W34875080"


def test_decode_of_a_wrong_crc_fails_with_the_reason():
    with pytest.raises(CommandError) as caught:
        call_command("vietqr", "decode", VIETINBANK[:-4] + "C15D")

    assert caught.value.returncode == 1
    assert str(caught.value).startswith("63 (crc): CRC sai")


def test_encode_prints_the_payload(capsys):
    call_command(
        "vietqr",
        "encode",
        "--bin",
        "971011",
        "--account",
        "0912345678",
        "--name",
        "Nguyễn Thị Lan",
        "--reference",
        "C4VK7M2Q9XA",
        "--amount",
        "45000",
    )

    payload = capsys.readouterr().out.strip()
    fields = vietqr.decode(payload)
    assert (fields["name"], fields["city"], fields["amount"], fields["static"]) == (
        "NGUYEN THI LAN",
        "CAN THO",
        45000,
        False,
    )
    assert fields["reference"] == "C4VK7M2Q9XA"


def test_encode_names_the_bad_field():
    with pytest.raises(CommandError, match=r"^38\.01\.00 \(bin\)"):
        call_command("vietqr", "encode", "--bin", "12", "--account", "0912345678", "--name", "Lan")
