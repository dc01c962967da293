"""Bulk import from the board's spreadsheet: template, dry run, import, re-import."""

import io

import pytest
from openpyxl import load_workbook

from core.models import AuditEntry
from merchants.models import ImportJob, PaymentCode, Vendor, WalletAccount
from tests.merchants.sheets import GOOD_1, GOOD_2, HEADER, csv_bytes, upload

pytestmark = pytest.mark.django_db


def test_dry_run_reports_each_row_and_writes_nothing(api_for, board_a, market_a):
    bad = ["A-003", "Phạm Văn", "", "0123", "12345", "Thịt", "Có", "", "", ""]
    response = upload(api_for(board_a), market_a, csv_bytes([HEADER, GOOD_1, GOOD_2, bad]), dry_run=True)

    assert response.status_code == 200, response.content
    report = response.json()
    assert (report["total_rows"], report["created"], report["rejected"]) == (3, 2, 1)
    rejected = report["rows"][2]
    assert rejected["row"] == 4 and rejected["outcome"] == "rejected"
    assert set(rejected["errors"]) == {"phone", "national_id"}
    assert not Vendor.objects.exists() and not AuditEntry.objects.exists()


def test_import_creates_good_rows_skips_bad_ones_and_issues_codes(api_for, board_a, market_a):
    bad = ["A-003", "Phạm Văn Tài", "", "0912345670", "092080000333", "Vàng bạc", "Có", "", "", ""]
    response = upload(api_for(board_a), market_a, csv_bytes([HEADER, GOOD_1, bad, GOOD_2]), dry_run=False)

    report = response.json()
    assert (report["created"], report["rejected"]) == (2, 1)
    assert "Ngành hàng “Vàng bạc” không có trong danh mục" in report["rows"][1]["errors"]["category"][0]
    hung = Vendor.objects.get(stall_number="A-001")
    assert hung.market == market_a and hung.status == "active" and hung.consent_recorded_by == board_a
    account = WalletAccount.objects.get(vendor=hung)
    assert (account.partner, account.account_number) == ("vnpt", "0901234567")
    code = PaymentCode.objects.get(wallet_account=account)
    assert code.version == 1 and hung.payment_reference in code.payload
    assert AuditEntry.objects.filter(action="vendor.import", actor=board_a).count() == 2
    assert not Vendor.objects.filter(stall_number="A-003").exists()


def test_reimporting_the_same_file_changes_nothing(api_for, board_a, market_a):
    client = api_for(board_a)
    content = csv_bytes([HEADER, GOOD_1, GOOD_2])
    upload(client, market_a, content, dry_run=False)
    before = (
        Vendor.objects.count(),
        WalletAccount.objects.count(),
        PaymentCode.objects.count(),
        AuditEntry.objects.count(),
    )

    report = upload(client, market_a, content, dry_run=False).json()

    assert (report["created"], report["updated"], report["unchanged"]) == (0, 0, 2)
    after = (
        Vendor.objects.count(),
        WalletAccount.objects.count(),
        PaymentCode.objects.count(),
        AuditEntry.objects.count(),
    )
    assert after == before


def test_a_changed_row_updates_the_vendor_with_an_audit_row(api_for, board_a, market_a):
    client = api_for(board_a)
    upload(client, market_a, csv_bytes([HEADER, GOOD_1]), dry_run=False)
    changed = GOOD_1.copy()
    changed[3] = "0907654321"

    report = upload(client, market_a, csv_bytes([HEADER, changed]), dry_run=False).json()

    assert report["updated"] == 1
    assert Vendor.objects.get(stall_number="A-001").phone == "0907654321"
    entry = AuditEntry.objects.filter(action="vendor.import").first()
    assert (entry.before["phone"], entry.after["phone"]) == ("0901234567", "0907654321")


def test_a_stall_held_by_another_person_is_not_overwritten(api_for, board_a, market_a):
    client = api_for(board_a)
    upload(client, market_a, csv_bytes([HEADER, GOOD_1]), dry_run=False)
    other_person = GOOD_1.copy()
    other_person[1], other_person[4] = "Võ Văn Phúc", "092080000999"

    report = upload(client, market_a, csv_bytes([HEADER, other_person]), dry_run=False).json()

    assert report["rejected"] == 1
    assert "CCCD khác" in report["rows"][0]["errors"]["national_id"][0]
    assert Vendor.objects.get(stall_number="A-001").full_name == "Trần Văn Hùng"


def test_duplicates_inside_the_file_are_rejected(api_for, board_a, market_a):
    same_stall = GOOD_2.copy()
    same_stall[0] = "A-001"
    same_account = [
        "A-009",
        "Đỗ Thị Hạnh",
        "",
        "0971234567",
        "092186000444",
        "Hoa và cây cảnh",
        "Có",
        "0901234567",
        "",
        "",
    ]

    report = upload(
        api_for(board_a), market_a, csv_bytes([HEADER, GOOD_1, same_stall, same_account]), dry_run=True
    ).json()

    assert [r["outcome"] for r in report["rows"]] == ["created", "rejected", "rejected"]
    assert "trùng với dòng 2" in report["rows"][1]["errors"]["stall_number"][0]
    assert "trùng với dòng 2" in report["rows"][2]["errors"]["wallet_vnpt"][0]


def test_a_row_without_consent_is_rejected(api_for, board_a, market_a):
    no_consent = GOOD_1.copy()
    no_consent[6] = ""

    report = upload(api_for(board_a), market_a, csv_bytes([HEADER, no_consent]), dry_run=True).json()

    assert "phải là “Có”" in report["rows"][0]["errors"]["consent"][0]


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        (b"", "a.csv", "Tệp trống"),
        (b"\xff\xfe\x00bad", "a.csv", "UTF-8"),
        (b"PK\x03\x04broken zip", "a.xlsx", "Không đọc được tệp Excel"),
        ("Số sạp,Họ và tên\nA-1,Lê Văn A\n".encode(), "a.csv", "Thiếu cột: Số điện thoại, Số CCCD, Ngành hàng"),
    ],
)
def test_a_broken_file_is_refused_whole_with_its_reason(api_for, board_a, market_a, content, name, reason):
    response = upload(api_for(board_a), market_a, content, dry_run=False, name=name)

    assert response.status_code == 422
    assert reason in response.json()["errors"]["file"][0]
    assert not Vendor.objects.exists()


def test_the_downloaded_template_imports_as_is(client, board_a, market_a, api_for):
    client.force_login(board_a)
    template = client.get("/vendors/import/template.xlsx")
    assert template.status_code == 200
    sheet = load_workbook(io.BytesIO(template.content)).active
    assert [c.value for c in sheet[1]] == HEADER

    report = upload(api_for(board_a), market_a, template.content, dry_run=False, name="mau.xlsx").json()

    assert (report["created"], report["rejected"]) == (1, 0)
    assert Vendor.objects.get().full_name == "Nguyễn Thị Lan"


def test_excel_numbers_that_lost_their_leading_zero_are_repaired(api_for, board_a, market_a):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(HEADER)
    book.active.append(["A-001", "Trần Văn Hùng", "", 901234567, 92080000111, "Thịt", "Có", None, None, None])
    out = io.BytesIO()
    book.save(out)

    report = upload(api_for(board_a), market_a, out.getvalue(), dry_run=False, name="so.xlsx").json()

    assert report["created"] == 1, report["rows"]
    vendor = Vendor.objects.get()
    assert (vendor.phone, vendor.national_id) == ("0901234567", "092080000111")


def test_semicolon_csv_from_a_vietnamese_excel_is_read(api_for, board_a, market_a):
    report = upload(api_for(board_a), market_a, csv_bytes([HEADER, GOOD_1], delimiter=";"), dry_run=True).json()

    assert report["created"] == 1


def test_web_page_checks_then_imports_the_same_file_without_a_new_upload(
    client, board_a, market_a, django_capture_on_commit_callbacks
):
    client.force_login(board_a)
    file = io.BytesIO(csv_bytes([HEADER, GOOD_1, ["A-003", "Phạm Văn", "", "0123", "", "Thịt", "Có", "", "", ""]]))
    file.name = "tieuthuong.csv"

    with django_capture_on_commit_callbacks(execute=True):
        checked = client.post("/vendors/import/", {"market": market_a.code, "confirm": "0", "file": file})
    checked = client.get(checked["Location"])

    page = checked.content.decode()
    assert "2 dòng: 1 thêm mới, 0 cập nhật, 0 không đổi, 1 bị từ chối." in page
    assert not Vendor.objects.exists()
    job = ImportJob.objects.get()
    assert (job.state, job.dry_run, job.done_rows, job.total_rows) == ("done", True, 2, 2)

    with django_capture_on_commit_callbacks(execute=True):
        imported = client.post(f"/vendors/import/{job.pk}/confirm/")
    imported = client.get(imported["Location"])

    assert "Đã nhập" in imported.content.decode()
    assert Vendor.objects.filter(market=market_a).count() == 1
    assert ImportJob.objects.filter(dry_run=False, state="done").count() == 1


def test_a_broken_file_fails_the_job_with_its_reason(client, board_a, market_a, django_capture_on_commit_callbacks):
    client.force_login(board_a)
    file = io.BytesIO(b"PK\x03\x04broken")
    file.name = "hong.xlsx"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/vendors/import/", {"market": market_a.code, "confirm": "1", "file": file})
    page = client.get(response["Location"])

    assert "Không đọc được tệp Excel" in page.content.decode()
    assert ImportJob.objects.get().state == "failed"


def test_progress_is_reported_while_a_long_sheet_is_checked(board_a, market_a, django_capture_on_commit_callbacks):
    import random

    from merchants import import_jobs, imports
    from merchants.demo import demo_rows

    content = csv_bytes(demo_rows(market_a, 1200, random.Random(3)))
    seen: list[tuple[int, int]] = []
    imports.vendor_import(
        actor=board_a,
        market=market_a,
        filename="lon.csv",
        content=content,
        dry_run=True,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen == [(500, 1200), (1000, 1200)]

    with django_capture_on_commit_callbacks(execute=True):
        job = import_jobs.import_job_start(
            actor=board_a, market=market_a, filename="lon.csv", content=content, dry_run=True
        )
    job.refresh_from_db()
    assert (job.state, job.done_rows, job.total_rows, job.report["created"]) == ("done", 1200, 1200, 1200)


def test_another_board_cannot_see_or_confirm_a_job(client, board_a, board_b, market_a):
    from merchants import import_jobs

    job = import_jobs.import_job_start(
        actor=board_a, market=market_a, filename="a.csv", content=csv_bytes([HEADER, GOOD_1]), dry_run=True
    )
    client.force_login(board_b)
    assert client.get(f"/vendors/import/{job.pk}/").status_code == 404
    assert client.post(f"/vendors/import/{job.pk}/confirm/").status_code == 404
    assert not Vendor.objects.exists()


def test_each_reason_of_a_row_stands_apart_with_its_column_and_value(api_for, board_a, market_a):
    bad = ["A-003", "Phạm Văn", "", "0123", "12345", "Vàng bạc", "Có", "", "", ""]

    report = upload(api_for(board_a), market_a, csv_bytes([HEADER, bad]), dry_run=True).json()

    problems = [(p["column"], p["value"]) for p in report["rows"][0]["problems"]]
    assert sorted(problems) == [("Ngành hàng", "Vàng bạc"), ("Số CCCD", "12345"), ("Số điện thoại", "0123")]


def test_the_import_page_lists_the_reasons_one_by_one_quoting_the_value(
    client, board_a, market_a, django_capture_on_commit_callbacks
):
    import re

    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = ["A-003", "Phạm Văn Tài", "", "0123", "12345", "Thịt", "Có", "", "", ""]
    client.force_login(board_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/vendors/import/",
            {"market": market_a.code, "confirm": "0", "file": SimpleUploadedFile("x.csv", csv_bytes([HEADER, bad]))},
        )

    page = client.get(response["Location"]).content.decode()
    reasons = re.findall(r"<li><strong>([^<]+)</strong> “([^”]+)”: ([^<]+)</li>", page)
    assert [(column, value) for column, value, _reason in reasons] == [("Số điện thoại", "0123"), ("Số CCCD", "12345")]
    assert reasons[1][2] == "Số CCCD phải gồm đúng 12 chữ số"


def test_the_template_example_cannot_meet_the_demo_data():
    import random

    from merchants.demo import demo_rows
    from merchants.imports import template_rows
    from merchants.markets_register import ensure_register_loaded
    from merchants.models import Market

    ensure_register_loaded()
    example = template_rows()[1]
    rnd = random.Random(40)
    for market in Market.objects.all():
        for row in demo_rows(market, market.stall_count, rnd)[1:]:
            assert example[0] != row[0] and example[3] != row[3] and example[4] != row[4], market.code
