"""Corrupted settlement files and vendor sheets, through the public imports.

A seeded generator writes a valid file for each format (VNPT CSV, Viettel
XLSX, MobiFone pipe file, the vendor template as XLSX and as CSV) and
derives corrupted copies of it: bit flips, truncation, deleted, duplicated
and swapped rows, swapped columns, other encodings, broken zip archives,
formula cells, huge cells, empty files. Each copy goes through the API an
operator or a market board uses (`POST /api/v1/reconciliation/files`,
`POST /api/v1/vendors/import`), and a sample of settlement files also
through `manage.py reconcile --file`, on a scratch database; every case runs
in a transaction rolled back afterwards, so each one meets the same database.

Verdicts:
- never a 500 or an exception: a rejection is a 422 whose message is a
  sentence in Vietnamese, and names the line or row and the field whenever
  the fault sits in one line;
- a rejected settlement file leaves every count unchanged (files, lines,
  stored bytes, runs, audit); an accepted one is stored whole;
- a vendor sheet is judged row by row: a broken row is reported with its
  field and skipped, a good row is imported whole (the vendor, each wallet
  account of its row, a payment code for each, one audit entry), and no
  vendor exists that the report does not list as created.
"""

import datetime as dt
import io
import logging
import random
import re
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import Row
from proof import live
from tests import damage

NAME = "fuzz_parsers"
DAY = dt.date(2026, 11, 20)
FORMATS = {
    "vnpt": "VNPT settlement CSV",
    "viettel": "Viettel settlement XLSX",
    "mobifone": "MobiFone settlement pipe file",
    "vendors.xlsx": "vendor sheet XLSX",
    "vendors.csv": "vendor sheet CSV",
}
REPORT = live.ROOT / "var" / "proof-fuzz-parsers-failures.txt"
CASES = live.ROOT / "var" / "proof-fuzz-parsers-cases.txt"
LINES = 24
ROUNDS = 6  # how many times each random corruption is drawn per format
# A reason longer than this quotes a huge cell whole instead of saying what is wrong.
MAX_MESSAGE = 1000
VENDOR_ROWS = 24
# Where a rejection says the fault is: a line or row, a cell, a byte, a sheet.
LOCATED = re.compile(r"(dòng|Dòng|ô |byte|[Tt]rang tính|[Cc]ột)")
RAW = re.compile(r"Traceback|\b[A-Z][a-zA-Z]+(Error|Exception)\b|object at 0x|\\x[0-9a-f]{2}|\bNone\b")
FORMULAS = ["=1+2", "=SUM(G5:G9)", '=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3"]


@dataclass
class Case:
    target: str  # vnpt, viettel, mobifone, vendors.xlsx, vendors.csv
    family: str
    name: str
    content: bytes
    line_level: bool = False  # the fault sits in one line or row


@dataclass
class Tally:
    cases: Counter = field(default_factory=Counter)
    rejected: Counter = field(default_factory=Counter)
    accepted: Counter = field(default_factory=Counter)
    located: int = 0
    line_level_rejections: int = 0
    crashes: list = field(default_factory=list)
    unclear: list = field(default_factory=list)
    unlocated: list = field(default_factory=list)
    partial: list = field(default_factory=list)
    rows: Counter = field(default_factory=Counter)
    commands: Counter = field(default_factory=Counter)
    log: list = field(default_factory=list)  # one line per case, written to CASES
    valid: list = field(default_factory=list)  # (format, imported whole)


# --- valid files ------------------------------------------------------------------------


def _settlement_lines(rnd: random.Random, partner: str) -> list:
    from core.clock import BUSINESS_TZ
    from reconciliation.parsers import Kind, Line, Status

    lines = []
    for n in range(1, LINES + 1):
        when = dt.datetime.combine(DAY, dt.time(6, 0), tzinfo=BUSINESS_TZ) + dt.timedelta(seconds=n * 997)
        amount = rnd.choice([5000, 20000, 45000, 120000, 1_250_000])
        fee = rnd.choice([0, 0, amount // 100])
        account = f"09{rnd.randrange(10**8):08d}"
        reference = f"C4{rnd.randrange(36**6):09d}"[:11]
        kind, status, original = Kind.PAYMENT, Status.COMPLETED, ""
        if partner == "mobifone":
            status = rnd.choice([Status.COMPLETED, Status.COMPLETED, Status.FAILED, Status.REVERSED])
        elif n > 3 and rnd.random() < 0.15:
            kind, original = Kind.REFUND, lines[0].partner_txn_id
        net = (amount - fee if status == Status.COMPLETED else -fee) if partner == "mobifone" else amount - fee
        if kind == Kind.REFUND:
            net = -amount - fee
        txn_id = {"vnpt": f"VNPT26112000{n:05d}", "viettel": f"VT2611200815{n:07d}"}.get(
            partner, f"MBF-20261120-{n:06d}"
        )
        remark = f"{reference} Thanh toán rau" if partner == "mobifone" else ""
        lines.append(Line(n, txn_id, kind, status, when, account, reference, amount, fee, net, original, remark))
    return lines


def _valid_settlement(rnd: random.Random, partner: str) -> tuple[str, bytes]:
    from reconciliation.parsers import parser_for

    parser = parser_for(partner)
    return parser.file_name(DAY), parser.render(_settlement_lines(rnd, partner), business_date=DAY)


def _vendor_rows(rnd: random.Random) -> list[list[str]]:
    from merchants.imports import template_rows
    from merchants.models import GoodsCategory

    header = template_rows()[0]
    names = ["Nguyễn Thị Lan", "Trần Văn Hùng", "Lê Thị Hoa", "Phạm Minh Tuấn", "Võ Thị Mai", "Huỳnh Văn Phúc"]
    rows = [header]
    for n in range(1, VENDOR_ROWS + 1):
        phone = f"09{rnd.choice('1346789')}{rnd.randrange(10**7):07d}"
        rows.append(
            [
                f"F-{n:03d}",
                rnd.choice(names),
                rnd.choice(["", "Rau sạch Cô Lan", "Cá tươi"]),
                phone,
                f"0921{rnd.randrange(60, 99)}{rnd.randrange(10**6):06d}",
                str(rnd.choice(list(GoodsCategory)).label),
                "Có",
                phone if rnd.random() < 0.8 else "",
                f"098{n:07d}" if rnd.random() < 0.5 else "",
                f"090{n:07d}" if rnd.random() < 0.3 else "",
            ]
        )
    return rows


def _csv(rows: list[list[str]], delimiter: str = ",") -> bytes:
    import csv

    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def _xlsx(rows: list[list], title: str = "TieuThuong") -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- corruptions ------------------------------------------------------------------------


def _flip(rnd: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rnd.randrange(1, 5)):
        at = rnd.randrange(len(out))
        out[at] ^= 1 << rnd.randrange(8)
    return bytes(out)


SETTLEMENT_ODD = ["-1", "1.5", "1e3", "９９", "9" * 25, "", " 45000", "0x10", "٤٥٠٠٠", "²", "NaN"]
# What a board's sheet may hold in a cell: digits that are not ASCII, control
# and invisible characters, a formula, text far too long.
VENDOR_ODD = [
    "092²86000123",
    "٠٩٢١٨٦٠٠٠١٢٣",
    "091²345678",
    "09١٢٣٤٥٦٧٨",
    "０９１２３４５６７８",
    "Rau\x00sạch",
    "Nguyễn\x00Lan",
    "Rau\u200bsạch",
    "\u202eRau sạch",
    "Nguyen Thi Lan",
    "Nguyễn Thị Lan",
    "Có\x00",
    "Không",
    "A-012\x00",
    "x" * 300,
    "",
    "=cmd|' /C calc'!A0",
]


def _text_corruptions(
    rnd: random.Random, data: bytes, sep: str, odd: list[str], rounds: int
) -> list[tuple[str, bytes, bool]]:
    """(family, bytes, line-level) for a line-oriented text file."""
    text = data.decode("utf-8")
    lines = text.split("\n")
    if lines and not lines[-1]:
        lines.pop()

    def join(new: list[str]) -> bytes:
        return ("\n".join(new) + "\n").encode("utf-8")

    def pick(skip_first: bool = False) -> int:
        return rnd.randrange(1 if skip_first and len(lines) > 1 else 0, len(lines))

    out: list[tuple[str, bytes, bool]] = []
    for _ in range(2 * rounds):
        out.append(("bit flips", _flip(rnd, data), False))
        out.append(("truncated", data[: rnd.randrange(1, len(data))], False))
    for _ in range(rounds):
        at = pick()
        out.append(("row deleted", join(lines[:at] + lines[at + 1 :]), True))
        at = pick()
        out.append(("row duplicated", join(lines[: at + 1] + lines[at:]), True))
        a, b = pick(True), pick(True)
        swapped = list(lines)
        swapped[a], swapped[b] = swapped[b], swapped[a]
        out.append(("rows swapped", join(swapped), True))
        at = pick()
        cells = lines[at].split(sep)
        if len(cells) > 2:
            i, j = rnd.sample(range(len(cells)), 2)
            cells[i], cells[j] = cells[j], cells[i]
        out.append(("columns swapped in a row", join([*lines[:at], sep.join(cells), *lines[at + 1 :]]), True))
        at = pick(True)
        cells = lines[at].split(sep)
        cells[rnd.randrange(len(cells))] = rnd.choice(FORMULAS)
        out.append(("formula cell", join([*lines[:at], sep.join(cells), *lines[at + 1 :]]), True))
        cells = lines[at].split(sep)
        for value in rnd.sample(odd, 3):
            cells = lines[at].split(sep)
            cells[rnd.randrange(len(cells))] = value
            out.append(("odd value in a cell", join([*lines[:at], sep.join(cells), *lines[at + 1 :]]), True))
        cells = lines[at].split(sep)
        cells.insert(rnd.randrange(len(cells) + 1), "extra")
        out.append(("extra cell in a row", join([*lines[:at], sep.join(cells), *lines[at + 1 :]]), True))
        cells = lines[at].split(sep)
        del cells[rnd.randrange(len(cells))]
        out.append(("missing cell in a row", join([*lines[:at], sep.join(cells), *lines[at + 1 :]]), True))
    columns = len(lines[0].split(sep))
    i, j = rnd.sample(range(columns), 2)

    def swap_all(line: str) -> str:
        cells = line.split(sep)
        if len(cells) > max(i, j):
            cells[i], cells[j] = cells[j], cells[i]
        return sep.join(cells)

    out.append(("columns swapped in every row", join([swap_all(line) for line in lines]), False))
    at = pick(True)
    cells = lines[at].split(sep)
    cells[rnd.randrange(len(cells))] = "x" * rnd.choice((70_000, 400_000))
    out.append(("huge cell", join([*lines[:at], sep.join(cells), *lines[at + 1 :]]), True))
    out.append(("NUL byte", data.replace(sep.encode(), sep.encode() + b"\x00", 1), True))
    out.append(("blank line inside", join([*lines[:3], "", *lines[3:]]), True))
    out += [
        ("empty file", b"", False),
        ("only whitespace", b" \n\n  \n", False),
        ("header only", join(lines[:1]), False),
        ("first line missing", join(lines[1:]), False),
        ("last line missing", join(lines[:-1]), False),
        ("UTF-8 BOM", b"\xef\xbb\xbf" + data, False),
        ("CRLF line ends", data.replace(b"\n", b"\r\n"), False),
        ("CR line ends", data.replace(b"\n", b"\r"), False),
        ("no line ends", data.replace(b"\n", b""), False),
        ("UTF-16", text.encode("utf-16"), False),
        ("Windows-1258", text.encode("cp1258", "replace"), False),
        ("latin-1", text.encode("latin-1", "replace") + "ệ".encode("cp1258", "replace") + b"\xe1\n", False),
        ("random bytes", rnd.randbytes(rnd.randrange(1, 4096)), False),
        ("a zip archive", _xlsx([["a"]]), False),
    ]
    return out


def _zip_corruptions(rnd: random.Random, data: bytes) -> list[tuple[str, bytes, bool]]:
    """(family, bytes, line-level) for an XLSX file, at the zip and XML level."""
    out: list[tuple[str, bytes, bool]] = []
    for _ in range(ROUNDS):
        out.append(("zip bit flips", _flip(rnd, data), False))
        out.append(("zip truncated", data[: rnd.randrange(1, len(data))], False))
    members = damage.members(data)
    rezip = damage.rezip
    sheet = next(m for m in members if m.startswith("xl/worksheets/"))
    for member in ("[Content_Types].xml", "xl/workbook.xml", sheet, "xl/sharedStrings.xml", "xl/styles.xml"):
        if member in members:
            out.append((f"{member} missing", rezip({k: v for k, v in members.items() if k != member}), False))
            out.append((f"{member} garbage", rezip(dict(members, **{member: rnd.randbytes(300)})), False))
            cut = members[member][: rnd.randrange(1, max(2, len(members[member])))]
            out.append((f"{member} truncated XML", rezip(dict(members, **{member: cut})), False))
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
        + b"".join(b'<!ENTITY %s "%s">' % (bytes([98 + i]), (b"&%s;" % bytes([97 + i])) * 10) for i in range(8))
        + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&i;</t></is></c></row></sheetData></worksheet>'
    )
    out.append(("XML entity expansion", rezip(dict(members, **{sheet: laughs})), False))
    bomb = members[sheet].replace(b"<sheetData>", b"<sheetData>" + b" " * (20 * 1024 * 1024), 1)
    out.append(("sheet inflating to 20 MB", rezip(dict(members, **{sheet: bomb})), False))
    out.append(("stored, not deflated", rezip(members, stored=True), False))
    out.append(("empty zip", rezip({}), False))
    out.append(("not a zip", b"PK\x03\x04" + rnd.randbytes(500), False))
    return out


def _cell_corruptions(rnd: random.Random, rows: list[list], first_data_row: int, title: str, odd: list) -> list:
    """(family, bytes, line-level): sheets written again with a changed cell or row."""
    out = []
    data_rows = range(first_data_row - 1, len(rows))

    def changed(change: Callable[[list[list]], None], extra_sheet: bool = False, sheet_title: str = title) -> bytes:
        copy = [list(r) for r in rows]
        change(copy)
        if not extra_sheet:
            return _xlsx(copy, sheet_title)
        from openpyxl import Workbook

        book = Workbook()
        book.active.title = "Khac"
        sheet = book.create_sheet(sheet_title)
        for row in copy:
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()

    odd_values: list = [
        "=1+2",
        "=SUM(G5:G9)",
        -45000,
        45000.5,
        1e300,
        True,
        dt.datetime(2026, 11, 20, 8, 15),
        dt.date(2026, 11, 20),
        "#DIV/0!",
        "x" * 32_767,
        "",
        None,
        "９９",
        10**20,
        " ",
        "\u202eABC",
    ]
    # openpyxl refuses to write control characters, and so does Excel.
    odd_values += [v for v in odd if v.isprintable()]
    for _ in range(3 * ROUNDS):
        r, c, v = rnd.choice(data_rows), rnd.randrange(len(rows[first_data_row - 1])), rnd.choice(odd_values)
        family = f"cell = {str(v)[:14]!r}" if not isinstance(v, str) or len(v) < 40 else "cell of 32,767 characters"
        out.append((family, changed(lambda rs, r=r, c=c, v=v: rs[r].__setitem__(c, v)), True))
    for _ in range(ROUNDS):
        r = rnd.choice(data_rows)
        out.append(("row deleted", changed(lambda rs, r=r: rs.pop(r)), True))
        r = rnd.choice(data_rows)
        out.append(("row duplicated", changed(lambda rs, r=r: rs.insert(r, list(rs[r]))), True))
        r = rnd.choice(data_rows)
        i, j = rnd.sample(range(len(rows[r])), 2)

        def swap(rs: list[list], r: int = r, i: int = i, j: int = j) -> None:
            rs[r][i], rs[r][j] = rs[r][j], rs[r][i]

        out.append(("columns swapped in a row", changed(swap), True))
    i, j = rnd.sample(range(len(rows[first_data_row - 1])), 2)

    def swap_all(rs: list[list]) -> None:
        for row in rs:
            if len(row) > max(i, j):
                row[i], row[j] = row[j], row[i]

    out.append(("columns swapped in every row", changed(swap_all), False))
    out.append(("another sheet first", changed(lambda rs: None, extra_sheet=True), False))
    out.append(("sheet renamed", changed(lambda rs: None, sheet_title="Sheet1"), False))
    out.append(("empty sheet", changed(lambda rs: rs.clear()), False))
    out.append(("header row only", changed(lambda rs: rs.__delitem__(slice(first_data_row - 1, None))), False))
    out.append(("wide row", changed(lambda rs: rs[first_data_row - 1].extend(["x"] * 30)), True))
    return out


def _cases(seed: int) -> list[Case]:
    from merchants.imports import template_rows  # noqa: F401 — imported for the side effect of app checks
    from reconciliation.parsers import viettel as viettel_format

    rnd = random.Random(seed)
    cases: list[Case] = []
    for partner in ("vnpt", "mobifone"):
        name, valid = _valid_settlement(rnd, partner)
        sep = "," if partner == "vnpt" else "|"
        cases.append(Case(partner, "valid file", name, valid))
        corrupted = _text_corruptions(rnd, valid, sep, SETTLEMENT_ODD, ROUNDS)
        cases += [Case(partner, f, name, c, line) for f, c, line in corrupted]
    name, valid = _valid_settlement(rnd, "viettel")
    cases.append(Case("viettel", "valid file", name, valid))
    cases += [Case("viettel", f, name, c, line) for f, c, line in _zip_corruptions(rnd, valid)]
    rows = [list(r) for r in _viettel_rows(valid)]
    cases += [
        Case("viettel", f, name, c, line)
        for f, c, line in _cell_corruptions(
            rnd, rows, viettel_format.FIRST_DATA_ROW, viettel_format.SHEET, SETTLEMENT_ODD
        )
    ]
    vendor_rows = _vendor_rows(rnd)
    valid_csv, valid_xlsx = _csv(vendor_rows), _xlsx(vendor_rows)
    cases.append(Case("vendors.csv", "valid file", "tieu-thuong.csv", valid_csv))
    cases.append(Case("vendors.csv", "semicolon separated", "tieu-thuong.csv", _csv(vendor_rows, ";")))
    cases += [
        Case("vendors.csv", f, "tieu-thuong.csv", c, line)
        for f, c, line in _text_corruptions(rnd, valid_csv, ",", VENDOR_ODD, ROUNDS)
    ]
    cases.append(Case("vendors.xlsx", "valid file", "tieu-thuong.xlsx", valid_xlsx))
    cases += [Case("vendors.xlsx", f, "tieu-thuong.xlsx", c, line) for f, c, line in _zip_corruptions(rnd, valid_xlsx)]
    cases += [
        Case("vendors.xlsx", f, "tieu-thuong.xlsx", c, line)
        for f, c, line in _cell_corruptions(rnd, vendor_rows, 2, "TieuThuong", VENDOR_ODD)
    ]
    rnd.shuffle(cases)
    return cases


def _viettel_rows(content: bytes) -> list[tuple]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content))
    return [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]


# --- the imports ------------------------------------------------------------------------


def _settlement_counts() -> tuple:
    from core.models import AuditEntry
    from reconciliation.models import ReconciliationRun, SettlementFile, SettlementFileContent, SettlementLine

    return tuple(
        m.objects.count()
        for m in (SettlementFile, SettlementLine, SettlementFileContent, ReconciliationRun, AuditEntry)
    )


def _vendor_counts() -> tuple:
    from core.models import AuditEntry
    from merchants.models import PaymentCode, Vendor, WalletAccount

    return tuple(m.objects.count() for m in (Vendor, WalletAccount, PaymentCode, AuditEntry))


def _upload(client, case: Case, market: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(case.name, case.content)
    if case.target.startswith("vendors"):
        return client.post("/api/v1/vendors/import", {"file": upload, "market": market, "dry_run": "false"})
    return client.post("/api/v1/reconciliation/files", {"file": upload})


def _message(response) -> tuple[str, list[str]]:
    try:
        body = response.json()
    except ValueError:
        return "", []
    detail = body.get("detail") if isinstance(body, dict) else None
    errors = body.get("errors") if isinstance(body, dict) else None
    reasons = [r for rs in (errors or {}).values() for r in (rs if isinstance(rs, list) else [rs])]
    return (detail if isinstance(detail, str) else ""), [str(r) for r in reasons]


def _judge_rejection(case: Case, response, tally: Tally, where: str) -> None:
    detail, reasons = _message(response)
    text = " ".join([detail, *reasons])
    tally.rejected[case.target] += 1
    tally.log.append(f"{where}\trejected\t{text[:300]}")
    if not detail or RAW.search(text) or len(detail) > MAX_MESSAGE:
        tally.unclear.append(f"{where}: {text[:160]!r} ({len(detail)} characters)")
    if LOCATED.search(text):
        tally.located += 1
    if case.line_level:
        tally.line_level_rejections += 1
        if not LOCATED.search(text):
            tally.unlocated.append(f"{where}: {text[:160]!r}")


def _settlement_case(client, case: Case, tally: Tally, where: str) -> None:
    from reconciliation.models import SettlementFile, SettlementLine

    before = _settlement_counts()
    response = _upload(client, case, "")
    if response.status_code == 422:
        _judge_rejection(case, response, tally, where)
        if _settlement_counts() != before:
            tally.partial.append(f"{where}: rejected, counts {before} -> {_settlement_counts()}")
        return
    if response.status_code not in (200, 201):
        tally.crashes.append(f"{where}: HTTP {response.status_code} {FAILURES.last}")
        return
    tally.accepted[case.target] += 1
    tally.log.append(f"{where}\taccepted\t{response.json()['file']['line_count']} lines")
    if case.family == "valid file":
        tally.valid.append((case.target, response.json()["file"]["line_count"] == LINES))
    stored = SettlementFile.objects.get(pk=response.json()["file"]["id"])
    lines = SettlementLine.objects.filter(file=stored)
    if lines.count() != stored.line_count or sum(lines.values_list("amount", flat=True)) != stored.total_amount:
        tally.partial.append(f"{where}: accepted, {lines.count()} lines stored of {stored.line_count}")


def _settlement_command(case: Case, tally: Tally, where: str) -> None:
    """The same file through `manage.py reconcile --file`: a CommandError
    carrying the reason, or a run."""
    from django.core.management import CommandError, call_command

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / case.name
        path.write_bytes(case.content)
        out = io.StringIO()
        try:
            call_command("reconcile", partner=case.target, date=DAY.isoformat(), file=str(path), stdout=out)
            tally.commands["ran"] += 1
        except CommandError as exc:
            if RAW.search(str(exc)) or not str(exc):
                tally.unclear.append(f"{where} (command): {str(exc)[:160]!r}")
            tally.commands["refused with the reason"] += 1


def _vendor_case(client, case: Case, market, tally: Tally, where: str) -> None:
    from merchants import imports, services
    from merchants.models import PaymentCode, Vendor, WalletAccount
    from merchants.validation import clean_account_number

    before = _vendor_counts()
    response = _upload(client, case, market.code)
    if response.status_code == 422:
        _judge_rejection(case, response, tally, where)
        if _vendor_counts() != before:
            tally.partial.append(f"{where}: rejected, counts {before} -> {_vendor_counts()}")
        return
    if response.status_code != 200:
        tally.crashes.append(f"{where}: HTTP {response.status_code} {FAILURES.last}")
        return
    tally.accepted[case.target] += 1
    report = response.json()
    tally.log.append(f"{where}\taccepted\t{report['created']} created, {report['rejected']} rows rejected")
    if case.family == "valid file":
        tally.valid.append((case.target, report["created"] == VENDOR_ROWS))
    created = {r["stall_number"]: r for r in report["rows"] if r["outcome"] == "created"}
    for r in report["rows"]:
        tally.rows[r["outcome"]] += 1
        if r["outcome"] == "rejected":
            reasons = [x for xs in r["errors"].values() for x in xs]
            if not r["errors"] or not all(reasons) or any(RAW.search(x) or len(x) > MAX_MESSAGE for x in reasons):
                tally.unclear.append(f"{where}: row {r['row']} {r['errors']!r}"[:200])
    vendors = {v.stall_number: v for v in Vendor.objects.filter(market=market)}
    if set(vendors) != set(created):
        tally.partial.append(f"{where}: vendors {sorted(set(vendors) ^ set(created))[:5]} not as reported")
        return
    cells = dict(imports._parse(case.name, case.content))
    for stall, r in created.items():
        vendor = vendors[stall]
        values = services.vendor_snapshot(vendor)
        wanted = set()
        for column, partner in imports.WALLET_COLUMNS.items():
            if cells[r["row"]].get(column):
                wanted.add((str(partner), clean_account_number(cells[r["row"]][column], column)))
        accounts = WalletAccount.objects.filter(vendor=vendor)
        have = {(a.partner, a.account_number) for a in accounts}
        coded = PaymentCode.objects.filter(wallet_account__vendor=vendor).count()
        expected_codes = sum(1 for a in accounts if _has_bin(a.partner))
        if have != wanted or coded != expected_codes or not vendor.consent_version or not values:
            tally.partial.append(f"{where}: row {r['row']} half-created: accounts {have} of {wanted}, codes {coded}")
    changed = [a - b for a, b in zip(_vendor_counts(), before, strict=True)]
    if changed[0] != len(created) or changed[3] != len(created):
        tally.partial.append(f"{where}: {changed[0]} vendors and {changed[3]} audit rows for {len(created)} created")


def _has_bin(partner: str) -> bool:
    from core.partners import partner_bin

    return bool(partner_bin(partner))


# --- the run ----------------------------------------------------------------------------


def run(seed: int) -> list[Row]:
    from django.db import transaction
    from django.test import Client

    from bench.common import scratch_database
    from core.models import Role, StaffProfile
    from market40.celery import app as celery_app

    started = time.monotonic()
    REPORT.unlink(missing_ok=True)
    tally = Tally()
    cases = _cases(seed)
    print(
        f"  seed {seed}: {len(cases)} files "
        + ", ".join(f"{n} {t}" for t, n in sorted(Counter(c.target for c in cases).items()))
        + "; corruptions, their places and the order follow the seed",
        flush=True,
    )
    # Follow-up tasks run in this process: a scratch database has no worker.
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        with scratch_database(), FAILURES:
            from django.contrib.auth.models import User

            from merchants.models import Market

            operator = User.objects.create_user("proof_fuzz_operator", is_staff=True, is_superuser=True)
            StaffProfile.objects.create(user=operator, role=Role.OPERATOR)
            market = Market.objects.order_by("code").first()
            client = Client(raise_request_exception=False)
            client.force_login(operator)
            for number, case in enumerate(cases):
                where = f"{case.target} / {case.family}"
                tally.cases[case.target] += 1
                with transaction.atomic():
                    try:
                        if case.target.startswith("vendors"):
                            _vendor_case(client, case, market, tally, where)
                        else:
                            _settlement_case(client, case, tally, where)
                    except Exception as exc:  # noqa: BLE001 — any exception is the finding itself
                        tally.crashes.append(f"{where}: {type(exc).__name__}: {str(exc)[:160]}")
                    transaction.set_rollback(True)
                if not case.target.startswith("vendors") and number % 6 == 0:
                    with transaction.atomic():
                        try:
                            _settlement_command(case, tally, where)
                        except Exception as exc:  # noqa: BLE001
                            tally.crashes.append(f"{where} (command): {type(exc).__name__}: {str(exc)[:160]}")
                        transaction.set_rollback(True)
    finally:
        celery_app.conf.task_always_eager = eager
    CASES.write_text("\n".join(tally.log) + "\n", encoding="utf-8")
    return _rows(tally, time.monotonic() - started)


class _Failures:
    """The exception behind each 500, named by its innermost frame in the
    project, while the request log (which would print every traceback) is
    quiet."""

    def __init__(self) -> None:
        self.last = ""

    def __call__(self, sender, request=None, **kwargs) -> None:
        kind, exc, trace = sys.exc_info()
        frames = [f for f in traceback.extract_tb(trace) if str(live.ROOT) in f.filename and ".venv" not in f.filename]
        place = f" at {Path(frames[-1].filename).relative_to(live.ROOT)}:{frames[-1].lineno}" if frames else ""
        self.last = f"{kind.__name__ if kind else '?'}: {str(exc)[:120]}{place}"

    def __enter__(self) -> "_Failures":
        from django.core.signals import got_request_exception

        got_request_exception.connect(self)
        self.logger = logging.getLogger("django.request")
        self.level = self.logger.level
        self.logger.setLevel(logging.CRITICAL)
        return self

    def __exit__(self, *exc) -> None:
        from django.core.signals import got_request_exception

        got_request_exception.disconnect(self)
        self.logger.setLevel(self.level)


FAILURES = _Failures()


def _examples(items: list[str]) -> str:
    for item in items[:8]:
        print(f"    {item}", flush=True)
    return str(len(items))


def _rows(tally: Tally, seconds: float) -> list[Row]:
    total = sum(tally.cases.values())
    rejected, accepted = sum(tally.rejected.values()), sum(tally.accepted.values())
    if tally.crashes or tally.unclear or tally.partial or tally.unlocated:
        print(f"  failures (all of them in {REPORT.relative_to(live.ROOT)}):", flush=True)
        REPORT.write_text(
            "\n".join([*tally.crashes, *tally.unclear, *tally.unlocated, *tally.partial]) + "\n", encoding="utf-8"
        )
    commands = sum(tally.commands.values())
    return [
        Row(
            NAME,
            "corrupted files through the API (and `reconcile --file`)",
            f"{total} (+{commands}) in {seconds:.0f} s",
            "",
            None,
        ),
        *(
            Row(
                NAME,
                f"{FORMATS[t]}: rejected cleanly / accepted",
                f"{tally.rejected[t]} / {tally.accepted[t]}",
                "",
                None,
            )
            for t in sorted(tally.cases, key=list(FORMATS).index)
        ),
        Row(
            NAME,
            "the valid file of each format imported whole",
            f"{sum(ok for _t, ok in tally.valid)} of {len(tally.valid)}",
            "5 of 5",
            len(tally.valid) == 5 and all(ok for _t, ok in tally.valid),
        ),
        Row(NAME, "all formats: rejected cleanly / accepted", f"{rejected} / {accepted}", "", None),
        Row(NAME, "crashes (500 or an exception)", _examples(tally.crashes), "0", not tally.crashes),
        Row(
            NAME, "rejections that are not a clear Vietnamese reason", _examples(tally.unclear), "0", not tally.unclear
        ),
        Row(
            NAME,
            "rejections of a fault in one line that name no line",
            f"{_examples(tally.unlocated)} of {tally.line_level_rejections}",
            "0",
            not tally.unlocated,
        ),
        Row(NAME, "partial imports or half-created vendors", _examples(tally.partial), "0", not tally.partial),
        Row(
            NAME,
            "vendor rows created / updated / unchanged / rejected",
            " / ".join(str(tally.rows[k]) for k in ("created", "updated", "unchanged", "rejected")),
            "",
            None,
        ),
        Row(
            NAME,
            "settlement files through `reconcile --file`: ran / refused",
            f"{tally.commands['ran']} / {tally.commands['refused with the reason']}",
            "",
            None,
        ),
    ]
