"""Markets of the merged city from a register sheet (XLSX or CSV), read like
the vendor import (merchants/imports.py): every row is validated before
anything is written, a bad row is reported with its field and reason and
skipped, the good rows are written together in one transaction
(`services.market_register_save`). A market's unit must be one of the
city's current units by official code; an unknown code is refused with the
dataset's nearest names. Rows are matched by market code, so importing the
same sheet again changes nothing."""

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from core import audit
from core.actors import Actor
from core.errors import ValidationFailed
from merchants import imports, selectors, services, units
from merchants import validation as v
from merchants.models import Market, MarketClass

COLUMNS: list[tuple[str, str]] = [
    ("code", "Mã chợ"),
    ("name", "Tên chợ"),
    ("unit_code", "Mã phường/xã"),
    ("unit_name", "Tên phường/xã"),
    ("market_class", "Hạng chợ"),
    ("stall_count", "Số sạp"),
]
REQUIRED = {"code", "name", "unit_code", "market_class", "stall_count"}
HEADERS = dict(COLUMNS)
MAX_ROWS = 2_000
CODE = re.compile(r"^[A-Z0-9]{2,16}$")
FIELDS = ("name", "unit_code", "market_class", "stall_count")


@dataclass
class MarketRowResult:
    row: int
    code: str
    outcome: str = "rejected"  # created, updated, unchanged, rejected
    errors: dict[str, list[str]] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    market: Market | None = None


def template_csv() -> bytes:
    example = ["HG01", "Chợ Vị Thanh", "31321", "Phường Vị Thanh", "2", "210"]
    lines = [";".join(h for _, h in COLUMNS), ";".join(example)]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def _error(result: MarketRowResult, name: str, reason: str) -> None:
    result.errors.setdefault(name, []).append(reason)


def _validate(number: int, raw: dict[str, str]) -> MarketRowResult:
    code = v.normalize_text(raw.get("code", "")).upper()
    result = MarketRowResult(number, code)
    if not CODE.match(code):
        _error(result, "code", _("Mã chợ gồm 2 đến 16 chữ cái không dấu hoặc chữ số (ví dụ: HG01)"))
    name = v.normalize_text(raw.get("name", ""))
    if not name:
        _error(result, "name", _("Vui lòng nhập tên chợ"))
    elif len(name) > 120:
        _error(result, "name", _("Tên chợ dài quá 120 ký tự"))
    unit_code = raw.get("unit_code", "").strip()
    unit_name = v.normalize_text(raw.get("unit_name", ""))
    city = units.city_units()
    if unit_code.isascii() and unit_code.isdigit() and len(unit_code) <= 5:
        unit_code = unit_code.zfill(5)
    if not unit_code:
        _error(result, "unit_code", _("Vui lòng nhập mã phường/xã hiện nay (mã đơn vị hành chính, 5 chữ số)"))
    elif unit_code not in city:
        for reason in selectors.unit_errors(unit_code, near=unit_name or name):
            _error(result, "unit_code", reason)
    elif unit_name and v.normalize_text(unit_name).casefold() != city[unit_code].name.casefold():
        _error(
            result,
            "unit_name",
            _("Tên phường/xã không khớp với mã: mã %(code)s là %(name)s")
            % {"code": unit_code, "name": city[unit_code].name},
        )
    market_class = raw.get("market_class", "").strip().casefold().removeprefix("hạng").strip()
    if market_class not in MarketClass.values:
        _error(result, "market_class", _("Hạng chợ là 1, 2 hoặc 3"))
    stall_count = raw.get("stall_count", "").strip().replace(".", "")
    if not (stall_count.isascii() and stall_count.isdigit() and 0 < int(stall_count) <= 100_000):
        _error(result, "stall_count", _("Số sạp là số nguyên từ 1 đến 100.000"))
    if not result.errors:
        result.values = {
            "name": name,
            "unit_code": unit_code,
            "market_class": market_class,
            "stall_count": int(stall_count),
        }
    return result


def _plan(results: list[MarketRowResult]) -> None:
    existing = {m.code: m for m in Market.objects.filter(code__in=[r.code for r in results])}
    seen: dict[str, int] = {}
    for result in results:
        if result.errors:
            continue
        if result.code in seen:
            _error(
                result,
                "code",
                _("Mã chợ %(code)s trùng với dòng %(row)s") % {"code": result.code, "row": seen[result.code]},
            )
            continue
        seen[result.code] = result.row
        market = existing.get(result.code)
        result.market = market
        if market is None:
            result.outcome = "created"
        elif any(getattr(market, k) != val for k, val in result.values.items()):
            result.outcome = "updated"
        else:
            result.outcome = "unchanged"


def market_register_import(*, actor: Actor, filename: str, content: bytes, dry_run: bool) -> dict[str, Any]:
    """Validate a register sheet and, unless it is a dry run, write its good rows."""
    rows = imports.read_rows(filename, content)
    if not rows:
        raise ValidationFailed.single("file", _("Tệp không có dòng tiêu đề"))
    if len(rows) > MAX_ROWS + 1:
        raise ValidationFailed.single("file", _("Tệp có quá %(max)s dòng; hãy chia nhỏ") % {"max": MAX_ROWS})
    positions = imports.map_header(rows[0], COLUMNS, REQUIRED)
    results = []
    for number, cells in enumerate(rows[1:], start=2):
        if not any(str(c).strip() for c in cells):
            continue
        raw = {name: (cells[i].strip() if i < len(cells) else "") for name, i in positions.items()}
        results.append(_validate(number, raw))
    _plan(results)
    if not dry_run:
        writes: list[tuple[Market, audit.State]] = []
        for r in results:
            if r.outcome == "created":
                writes.append((Market(code=r.code, **r.values), None))
            elif r.outcome == "updated" and r.market is not None:
                before = services.market_state(r.market)
                for key, value in r.values.items():
                    setattr(r.market, key, value)
                writes.append((r.market, before))
        services.market_register_save(actor=actor, rows=writes)
    counts = dict.fromkeys(("created", "updated", "unchanged", "rejected"), 0)
    for result in results:
        counts[result.outcome] += 1
    return {
        "dry_run": dry_run,
        "total_rows": len(results),
        **counts,
        "rows": [{"row": r.row, "code": r.code, "outcome": r.outcome, "errors": r.errors} for r in results],
    }
