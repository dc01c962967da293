"""An operator adds markets of the merged city from a register sheet in the
admin: a dry run writes nothing, every bad row gets its field and reason,
an unknown unit code is refused with the dataset's nearest names, and
importing the same sheet again changes nothing."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import AuditEntry
from merchants.models import Market

pytestmark = pytest.mark.django_db

URL = "/admin/merchants/market/import/"
HEADER = "Mã chợ;Tên chợ;Mã phường/xã;Tên phường/xã;Hạng chợ;Số sạp"
GOOD = [
    "HG01;Chợ Vị Thanh;31321;Phường Vị Thanh;2;210",
    "ST01;Chợ Sóc Trăng;;;3;95",  # unit code left out below, filled here
]


def sheet(*lines: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("so-dang-ky.csv", ("\ufeff" + "\n".join([HEADER, *lines])).encode("utf-8"))


def post(client, *lines: str, dry_run: bool):
    data = {"file": sheet(*lines)}
    if dry_run:
        data["dry_run"] = "on"
    response = client.post(URL, data)
    assert response.status_code == 200
    return response.context["report"], response.content.decode()


@pytest.fixture
def soc_trang_line() -> str:
    from merchants import units

    phu_loi = next(u for u in units.city_units().values() if u.name == "Phường Phú Lợi")
    return f"ST01;Chợ Phú Lợi;{phu_loi.code};Phường Phú Lợi;3;95"


def test_a_dry_run_reports_and_writes_nothing(client, operator, soc_trang_line):
    client.force_login(operator)
    report, page = post(client, GOOD[0], soc_trang_line, dry_run=True)
    assert (report["dry_run"], report["created"], report["rejected"]) == (True, 2, 0)
    assert "Kết quả chạy thử (chưa ghi gì)" in page
    assert not Market.objects.filter(code__in=["HG01", "ST01"]).exists()


def test_the_import_adds_markets_and_a_second_import_changes_nothing(client, operator, soc_trang_line):
    client.force_login(operator)
    report, _ = post(client, GOOD[0], soc_trang_line, "NK01;Chợ Tân An;31135;;1;420", dry_run=False)
    assert (report["created"], report["unchanged"], report["rejected"]) == (2, 1, 0)
    hg01 = Market.objects.get(code="HG01")
    assert (hg01.unit_name, hg01.district, hg01.in_original_register, hg01.stall_count) == (
        "Phường Vị Thanh",
        "",
        False,
        210,
    )
    assert hg01.registered_on is not None
    audited = AuditEntry.objects.filter(action="market.create").count()
    assert audited == 2

    again, _ = post(client, GOOD[0], soc_trang_line, dry_run=False)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
    assert AuditEntry.objects.filter(action__startswith="market.").count() == audited

    changed, _ = post(client, GOOD[0].replace(";210", ";230"), dry_run=False)
    assert changed["updated"] == 1 and Market.objects.get(code="HG01").stall_count == 230
    entry = AuditEntry.objects.get(action="market.update")
    assert (entry.before["stall_count"], entry.after["stall_count"]) == (210, 230)


def test_every_bad_row_gets_its_field_and_reason(client, operator):
    client.force_login(operator)
    report, page = post(
        client,
        "hg 01;Chợ Vị Thanh;31321;;2;210",
        "HG02;;31321;;2;210",
        "HG03;Chợ Ngã Bảy;99999;Phường Ngã Bảy;2;100",
        "HG04;Chợ Vị Thanh 2;31321;Phường Cái Khế;2;100",
        "HG05;Chợ Long Mỹ;31321;;4;100",
        "HG06;Chợ Long Mỹ;31321;;2;không rõ",
        "HG07;Chợ Hòa An;31321;;2;100",
        "HG07;Chợ Hòa An;31321;;2;100",
        "HG08;Chợ Hà Nội;00004;;2;100",
        dry_run=False,
    )
    errors = {r["row"]: r["errors"] for r in report["rows"]}
    assert set(errors[2]) == {"code"}
    assert errors[3] == {"name": ["Vui lòng nhập tên chợ"]}
    assert "Gần nhất: Phường Ngã Bảy" in errors[4]["unit_code"][0]
    assert errors[5] == {"unit_name": ["Tên phường/xã không khớp với mã: mã 31321 là Phường Vị Thanh"]}
    assert set(errors[6]) == {"market_class"} and set(errors[7]) == {"stall_count"}
    assert errors[8] == {} and errors[9] == {"code": ["Mã chợ HG07 trùng với dòng 8"]}
    assert "không có trong danh mục đơn vị hành chính của thành phố Cần Thơ" in errors[10]["unit_code"][0]
    assert report["rejected"] == 8 and report["created"] == 1
    # The page names each field by its column heading.
    assert "Mã phường/xã: Mã phường/xã “99999” không có" in page
    assert list(Market.objects.filter(code__startswith="HG").values_list("code", flat=True)) == ["HG07"]


def test_a_sheet_without_the_required_columns_is_refused(client, operator):
    client.force_login(operator)
    upload = SimpleUploadedFile("so.csv", "Mã chợ;Tên chợ\nHG01;Chợ Vị Thanh\n".encode())
    response = client.post(URL, {"file": upload})
    assert response.context["report"] is None
    message = " ".join(response.context["form"].errors["file"])
    assert re.search(r"Thiếu cột: Mã phường/xã, Hạng chợ, Số sạp", message)
    assert not Market.objects.filter(code="HG01").exists()


def test_the_template_downloads_and_the_changelist_links_the_import(client, operator):
    client.force_login(operator)
    template = client.get(URL, {"template": "csv"})
    assert template.content.decode("utf-8-sig").splitlines()[0] == HEADER
    assert URL in client.get("/admin/merchants/market/").content.decode()


def test_a_board_cannot_open_the_import(client, board_a):
    client.force_login(board_a)
    assert client.get(URL).status_code == 302
