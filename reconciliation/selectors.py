"""Reads of runs and exceptions that pages, the API, exports and the command share."""

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from core.access import role_of
from core.actors import Actor
from core.errors import NotFound, PermissionDenied
from core.models import Role
from core.params import choice, parse_day
from core.partners import Partner
from merchants.selectors import markets_visible_to
from reconciliation.matching import LINE_OUTCOMES, OUTCOMES
from reconciliation.models import (
    ExceptionKind,
    ExceptionStatus,
    ReconciliationException,
    ReconciliationRun,
    RunTotal,
)


def require_run_reader(user: Actor) -> None:
    """Runs hold every market's money: operators and the department read them."""
    if role_of(user) not in (Role.OPERATOR, Role.DEPARTMENT):
        raise PermissionDenied(_("Chỉ cán bộ vận hành và Sở Công Thương xem được các lần đối soát"))


def run_search(
    user: Actor,
    *,
    partner: str | None = None,
    status: str | None = None,
    date_from: str | dt.date | None = None,
    date_to: str | dt.date | None = None,
) -> QuerySet[ReconciliationRun]:
    require_run_reader(user)
    runs = ReconciliationRun.objects.select_related("file").exclude(attempts=0)
    if choice("partner", partner, Partner.values):
        runs = runs.filter(partner=partner)
    if status:
        runs = runs.filter(status=status)
    if first := parse_day("date_from", date_from):
        runs = runs.filter(business_date__gte=first)
    if last := parse_day("date_to", date_to):
        runs = runs.filter(business_date__lte=last)
    return runs.order_by("-business_date", "partner")


def get_run_for(user: Actor, run_id: int) -> ReconciliationRun:
    require_run_reader(user)
    run = ReconciliationRun.objects.select_related("file").filter(pk=run_id).exclude(attempts=0).first()
    if run is None:
        raise NotFound(_("Không tìm thấy lần đối soát"))
    return run


def exceptions_visible_to(user: Actor) -> QuerySet[ReconciliationException]:
    """Operators and the department see all; a board sees its markets' only."""
    role = role_of(user)
    found = ReconciliationException.objects.select_related("market", "vendor", "resolved_by", "run")
    if role in (Role.OPERATOR, Role.DEPARTMENT):
        return found
    if role == Role.BOARD:
        return found.filter(market__in=markets_visible_to(user))
    return found.none()


def exception_search(
    user: Actor,
    *,
    run: ReconciliationRun | None = None,
    partner: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    market: str | None = None,
    date_from: str | dt.date | None = None,
    date_to: str | dt.date | None = None,
    search: str | None = None,
) -> QuerySet[ReconciliationException]:
    found = exceptions_visible_to(user)
    if run is not None:
        found = found.filter(run=run)
    if choice("partner", partner, Partner.values):
        found = found.filter(partner=partner)
    if choice("kind", kind, ExceptionKind.values):
        found = found.filter(kind=kind)
    if choice("status", status, ExceptionStatus.values):
        found = found.filter(status=status)
    if market:
        found = found.filter(market__code=market)
    if first := parse_day("date_from", date_from):
        found = found.filter(business_date__gte=first)
    if last := parse_day("date_to", date_to):
        found = found.filter(business_date__lte=last)
    if search:
        term = search.strip()
        found = found.filter(Q(partner_txn_id__icontains=term) | Q(vendor__full_name__icontains=term))
    return found.order_by("-business_date", "partner", "kind", "line_no", "id")


def get_exception_for(user: Actor, exception_id: int) -> ReconciliationException:
    found = exceptions_visible_to(user).filter(pk=exception_id).first()
    if found is None:
        raise NotFound(_("Không tìm thấy chênh lệch"))
    return found


def run_totals(run: ReconciliationRun) -> QuerySet[RunTotal]:
    return run.totals.select_related("market", "vendor").order_by("market__code", "vendor__stall_number", "id")


def market_totals(run: ReconciliationRun) -> list[dict]:
    from django.db.models import Sum

    rows = (
        run.totals.values("market__code", "market__name")
        .annotate(count=Sum("count"), amount=Sum("amount"), fee=Sum("fee"), net=Sum("net"))
        .order_by("market__code")
    )
    return [
        {
            "market": row["market__code"],
            "market_name": row["market__name"] or "",
            "count": row["count"],
            "amount": row["amount"],
            "fee": row["fee"],
            "net": row["net"],
        }
        for row in rows
    ]


def outcome_rows(run: ReconciliationRun) -> list[dict]:
    """Count and đồng total of each outcome; the total is the file's amount
    for outcomes of a line, the recorded amount for a transaction's."""
    rows = []
    for name in OUTCOMES:
        tally = (run.outcomes or {}).get(name, {})
        if not tally and run.outcomes:
            continue
        rows.append(
            {
                "outcome": name,
                "count": tally.get("count", 0),
                "total": tally.get("file_amount" if name in LINE_OUTCOMES else "recorded_amount", 0),
                "file_amount": tally.get("file_amount", 0),
                "recorded_amount": tally.get("recorded_amount", 0),
                "fee": tally.get("fee", 0),
                "net": tally.get("net", 0),
            }
        )
    return rows


def run_summary(run: ReconciliationRun) -> dict:
    return {
        "id": run.pk,
        "partner": run.partner,
        "business_date": run.business_date.isoformat(),
        "status": run.status,
        "file": run.file.file_name if run.file else None,
        "lines": run.line_count,
        "transactions": run.transaction_count,
        "total_amount": run.total_amount,
        "total_fee": run.total_fee,
        "total_net": run.total_net,
        "exceptions": run.exception_count,
        "open_exceptions": run.exceptions.filter(status=ExceptionStatus.OPEN).count(),
        "awaiting_next_file": run.awaiting_count,
        "attempts": run.attempts,
        "outcomes": {row["outcome"]: {"count": row["count"], "total": row["total"]} for row in outcome_rows(run)},
    }
