"""`manage.py unit_changes`: after a dataset update, the markets whose unit
was retired or renamed, found by comparing with an edited copy of the
dataset; nothing is changed."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from merchants import units
from merchants.models import Market

pytestmark = pytest.mark.django_db

NINH_KIEU, CAI_KHE = "31135", "31120"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("unit_changes", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def newer_dataset(tmp_path):
    """The installed dataset, with phường Ninh Kiều retired (merged into
    phường Cái Khế, which is renamed) as a newer release might have it."""
    provinces = json.loads(units.DATASET_PATH.read_text(encoding="utf-8"))
    city = next(p for p in provinces if p["code"] == units.PROVINCE_CODE)
    city["wards"] = [w for w in city["wards"] if w["code"] != int(NINH_KIEU)]
    next(w for w in city["wards"] if w["code"] == int(CAI_KHE))["name"] = "Phường Cái Khế Mới"
    path = tmp_path / "nested-divisions.json"
    path.write_text(json.dumps(provinces, ensure_ascii=False), encoding="utf-8")
    return path


def test_the_installed_dataset_reports_no_change():
    assert run().startswith("Đối chiếu với vietnam-provinces 2026.9.0 (2026-09-20): 0 chợ")


def test_a_retired_and_a_renamed_unit_are_reported_and_nothing_changes(newer_dataset):
    before = list(Market.objects.order_by("code").values_list("code", "unit_code", "unit_name"))
    report = run("--dataset", str(newer_dataset))

    in_ninh_kieu = set(Market.objects.filter(unit_code=NINH_KIEU).values_list("code", flat=True))
    in_cai_khe = set(Market.objects.filter(unit_code=CAI_KHE).values_list("code", flat=True))
    lines = {line.split("\t")[0]: line for line in report.splitlines() if "\t" in line}
    assert set(lines) == in_ninh_kieu | in_cai_khe and len(in_ninh_kieu) == 9
    assert f": {len(lines)} chợ có phường/xã đổi mã hoặc đổi tên." in report.splitlines()[0]
    assert "mã đã bỏ: Phường Ninh Kiều (31135); gần nhất: " in lines["NK01"]
    assert "đổi tên: Phường Cái Khế (31120) → Phường Cái Khế Mới" in lines["NK03"]
    assert list(Market.objects.order_by("code").values_list("code", "unit_code", "unit_name")) == before


def test_a_file_that_is_not_the_dataset_is_refused(tmp_path):
    with pytest.raises(CommandError, match="--dataset: không tìm thấy tệp"):
        run("--dataset", str(tmp_path / "khong-co.json"))
    other = tmp_path / "other.json"
    other.write_text(json.dumps([{"code": 1, "name": "Hà Nội", "wards": []}]), encoding="utf-8")
    with pytest.raises(CommandError, match="mã 92"):
        run("--dataset", str(other))
