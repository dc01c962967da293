"""Every write of reconciliation: import a settlement file, run a night's
matching, resolve an exception. One function per action, keyword-only, one
database transaction with its audit row inside."""

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from core import audit, clock, metrics
from core.access import require_operator
from core.actors import Actor, recorded_user
from core.errors import Conflict, ValidationFailed
from core.partners import Partner
from payments import services as payment_services
from reconciliation import explanations, matching
from reconciliation.loading import compress_later, ensure_lines, insert_rows, load_file, store_content
from reconciliation.models import (
    Channel,
    ExceptionKind,
    ExceptionStatus,
    ReconciliationException,
    ReconciliationRun,
    RunStatus,
    RunTotal,
    SettlementFile,
    SettlementLine,
)
from reconciliation.parsers import SettlementFormatError, parser_for, recognise

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class Imported:
    file: SettlementFile
    created: bool


def settlement_file_import(
    *, actor: Actor, file_name: str, content: bytes, channel: str, partner: str | None = None
) -> Imported:
    """Import a partner's settlement file whole, or reject it whole.

    The partner and business date come from the file's name (the formats fix
    it). The same bytes imported twice give back the first import.
    """
    if channel in (Channel.UPLOAD, Channel.API):
        require_operator(actor)
    file_name = (file_name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    recognised = recognise(file_name)
    if recognised is None:
        raise ValidationFailed.single(
            "file",
            _(
                "Tên tệp „%(name)s“ không đúng mẫu của ví nào "
                "(VNPT_SETTLEMENT_yyyyMMdd.csv, VIETTEL_DOISOAT_yyyyMMdd.xlsx, MBF_yyyyMMdd.txt)"
            )
            % {"name": file_name},
        )
    named_partner, business_date = recognised
    if partner and partner != named_partner:
        raise ValidationFailed.single(
            "partner",
            _("Tệp %(name)s là của %(named)s, không phải %(given)s")
            % {"name": file_name, "named": Partner(named_partner).label, "given": partner},
        )
    if len(content) > MAX_FILE_BYTES:
        raise ValidationFailed.single("file", _("Tệp lớn quá giới hạn 512 MB"))
    digest = hashlib.sha256(content).hexdigest()
    existing = SettlementFile.objects.filter(content_hash=digest).first()
    if existing is not None:
        return Imported(existing, False)
    try:
        with transaction.atomic():
            settlement = SettlementFile.objects.create(
                partner=named_partner,
                business_date=business_date,
                file_name=file_name,
                content_hash=digest,
                size_bytes=len(content),
                line_count=0,
                total_amount=0,
                total_fee=0,
                total_net=0,
                channel=channel,
                received_at=clock.now(),
                received_by=recorded_user(actor),
            )
            compressed = compress_later(content)
            try:
                load_file(settlement.pk, named_partner, content, business_date)
                store_content(settlement, compressed)
            except SettlementFormatError as exc:
                errors = {exc.field or "file": [exc.message]}
                raise ValidationFailed(
                    _("Tệp %(name)s bị từ chối, không dòng nào được nhập: %(reason)s")
                    % {"name": file_name, "reason": exc.message},
                    errors=errors,
                ) from exc
            _store_file_totals(settlement)
            audit.record(
                actor=actor,
                action="settlement_file.import",
                obj=settlement,
                before=None,
                after={
                    "partner": settlement.partner,
                    "business_date": business_date.isoformat(),
                    "file_name": file_name,
                    "content_hash": digest,
                    "line_count": settlement.line_count,
                    "total_amount": settlement.total_amount,
                    "channel": channel,
                },
            )
    except IntegrityError:
        # The same bytes arrived twice at once; the other import won.
        existing = SettlementFile.objects.filter(content_hash=digest).first()
        if existing is None:
            raise
        return Imported(existing, False)
    return Imported(settlement, True)


def _store_file_totals(settlement: SettlementFile) -> None:
    from django.db.models import Count, Sum

    totals = SettlementLine.objects.filter(file=settlement).aggregate(
        count=Count("*"), amount=Sum("amount"), fee=Sum("fee"), net=Sum("net_amount")
    )
    settlement.line_count = totals["count"] or 0
    settlement.total_amount = totals["amount"] or 0
    settlement.total_fee = totals["fee"] or 0
    settlement.total_net = totals["net"] or 0
    settlement.save(update_fields=["line_count", "total_amount", "total_fee", "total_net"])


def latest_file(partner: str, day: dt.date) -> SettlementFile | None:
    """The file that counts for a day: the newest one received."""
    return SettlementFile.objects.filter(partner=partner, business_date=day).order_by("-received_at", "-id").first()


def days_awaiting_run(*, partner: str) -> set[dt.date]:
    """Business dates whose latest settlement file no run has used yet."""
    used = ReconciliationRun.objects.filter(partner=partner, file__isnull=False).values("file_id")
    # `latest_file` of each day, in one query.
    latest = (
        SettlementFile.objects.filter(partner=partner, business_date=OuterRef("business_date"))
        .order_by("-received_at", "-id")
        .values("pk")[:1]
    )
    return set(
        SettlementFile.objects.filter(partner=partner, pk=Subquery(latest))
        .exclude(pk__in=used)
        .values_list("business_date", flat=True)
    )


def _claim(partner: str, day: dt.date) -> ReconciliationRun:
    """Lock the day's run row for this database transaction.

    The lock is a row lock taken without waiting: a second run of the same
    partner and day is refused at once, and a worker killed midway releases
    it with its connection, so nothing stays "running" forever.
    """
    try:
        with transaction.atomic():
            ReconciliationRun.objects.get_or_create(partner=partner, business_date=day)
    except IntegrityError:
        pass  # created by a concurrent run just now; the lock below decides
    try:
        return ReconciliationRun.objects.select_for_update(nowait=True).get(partner=partner, business_date=day)
    except OperationalError as exc:
        raise Conflict(
            _("Đối soát %(partner)s ngày %(day)s đang chạy ở nơi khác, vui lòng chờ")
            % {"partner": Partner(partner).label, "day": day.strftime("%d/%m/%Y")}
        ) from exc


def reconciliation_run(*, actor: Actor, partner: str, business_date: dt.date) -> ReconciliationRun:
    """Run (or run again) one partner's reconciliation for one business day.

    All of it is one database transaction: the run's figures, its
    exceptions, and the transactions learnt from the file appear together or
    not at all, so a rerun after a crash starts from a clean slate.
    """
    partner = Partner(partner).value
    with metrics.reconciliation_timed(partner=partner) as timed, transaction.atomic():
        run = _claim(partner, business_date)
        matching.tune_session()
        started = clock.now()
        settlement = latest_file(partner, business_date)
        if settlement is None:
            _record_missing_file(run, partner, business_date, started)
        else:
            _match(run, settlement, partner, business_date, started)
        run.attempts += 1
        run.started_at = started
        run.finished_at = clock.now()
        run.save()
        audit.record(
            actor=actor,
            action="reconciliation.run",
            obj=run,
            before=None,
            after={
                "partner": partner,
                "business_date": business_date.isoformat(),
                "status": run.status,
                "file": settlement.file_name if settlement else None,
                "exceptions": run.exception_count,
                "attempt": run.attempts,
            },
        )
        timed["outcome"] = run.status
    return run


def _record_missing_file(run: ReconciliationRun, partner: str, day: dt.date, now: dt.datetime) -> None:
    from payments.models import Transaction

    expected = parser_for(partner).file_name(day)
    run.status = RunStatus.MISSING_FILE
    run.file = None
    run.outcomes = {}
    run.line_count = run.total_amount = run.total_fee = run.total_net = 0
    run.transaction_count = Transaction.objects.filter(partner=partner, business_date=day).count()
    run.awaiting_count = run.transaction_count
    RunTotal.objects.filter(run=run).delete()
    difference = matching.Difference(
        kind=ExceptionKind.MISSING_FILE,
        partner_txn_id="",
        line_no=None,
        transaction_id=None,
        vendor_id=None,
        market_id=None,
        file_side=None,
        recorded_side={"expected_file": expected, "transactions": run.transaction_count},
    )
    run.exception_count = _sync_exceptions(run, [difference], file_name=expected, now=now)


def _match(run: ReconciliationRun, settlement: SettlementFile, partner: str, day: dt.date, now: dt.datetime) -> None:
    from payments.models import Transaction

    previous_file = latest_file(partner, day - dt.timedelta(days=1))
    next_file = latest_file(partner, day + dt.timedelta(days=1))
    for known in (settlement, previous_file, next_file):
        if known is not None:
            ensure_lines(known)
    lines = matching.read_lines(partner=partner, file_id=settlement.pk)
    missing = [
        row for row in lines.differences if row["outcome"] == ExceptionKind.NOT_RECORDED and row["txn_id"] is None
    ]
    if missing:
        created = payment_services.transactions_learn(
            partner=partner,
            lines=[(row["partner_txn_id"], matching._file_side(row), row["description"]) for row in missing],
        )
        # The lines naming them now carry them, as a second read of the differences would say.
        matching.attach_learnt(lines.differences, created)
    result = matching.match_file(
        partner=partner,
        day=day,
        file_id=settlement.pk,
        previous_file_id=previous_file.pk if previous_file else None,
        next_file_id=next_file.pk if next_file else None,
        lines=lines,
    )
    run.status = RunStatus.DONE
    run.file = settlement
    run.outcomes = {name: tally.as_dict() for name, tally in result.outcomes.items()}
    run.line_count = settlement.line_count
    run.total_amount = settlement.total_amount
    run.total_fee = settlement.total_fee
    run.total_net = settlement.total_net
    run.transaction_count = Transaction.objects.filter(partner=partner, business_date=day).count()
    run.awaiting_count = result.awaiting
    RunTotal.objects.filter(run=run).delete()
    insert_rows(
        [
            RunTotal(
                run=run,
                market_id=vendor.market_id,
                vendor_id=vendor.vendor_id,
                count=total.count,
                amount=total.amount,
                fee=total.fee,
                net=total.net,
            )
            for vendor, total in sorted(result.totals.items(), key=lambda item: str(tuple(item[0])))
        ]
    )
    next_day = day + dt.timedelta(days=1)
    run.exception_count = _sync_exceptions(
        run, result.differences, file_name=settlement.file_name, now=now, next_day=next_day
    )


def _key(difference: matching.Difference) -> str:
    if difference.kind == ExceptionKind.DUPLICATE_LINE:
        return f"{difference.kind}:{difference.partner_txn_id}:{difference.line_no}"
    return f"{difference.kind}:{difference.partner_txn_id}"


def _sync_exceptions(
    run: ReconciliationRun,
    differences: list[matching.Difference],
    *,
    file_name: str,
    now: dt.datetime,
    next_day: dt.date | None = None,
) -> int:
    """Make the run's exceptions exactly the differences found now.

    New differences are added, known ones refreshed (a person's resolution is
    kept), and open ones no longer found are closed automatically, saying so.
    """
    existing = {e.key: e for e in ReconciliationException.objects.filter(run=run)}
    found: dict[str, ReconciliationException] = {}
    for difference in differences:
        key = _key(difference)
        values = {
            "kind": difference.kind,
            "partner_txn_id": difference.partner_txn_id,
            "line_no": difference.line_no,
            "transaction_id": difference.transaction_id,
            "market_id": difference.market_id,
            "vendor_id": difference.vendor_id,
            "file_side": difference.file_side,
            "recorded_side": difference.recorded_side,
            "file_amount": (difference.file_side or {}).get("amount"),
            "recorded_amount": (difference.recorded_side or {}).get("amount"),
            "explanation": explanations.explain(
                difference.kind,
                partner=run.partner,
                txn_id=difference.partner_txn_id,
                file_side=difference.file_side,
                recorded_side=difference.recorded_side,
                next_day=next_day,
                file_name=file_name,
            ),
        }
        found[key] = ReconciliationException(
            run=run, key=key, partner=run.partner, business_date=run.business_date, created_at=now, **values
        )
    to_create = [e for key, e in found.items() if key not in existing]
    to_update = []
    for key, current in existing.items():
        fresh = found.get(key)
        if fresh is None:
            if current.status == ExceptionStatus.OPEN:
                current.status = ExceptionStatus.AUTO_RESOLVED
                current.resolved_at = now
                current.resolved_by = None
                current.resolution_note = explanations.auto_close_note(file_name=file_name)
                to_update.append(current)
            continue
        before = _exception_values(current)
        for attribute in _FOUND_ATTRIBUTES:
            setattr(current, attribute, getattr(fresh, attribute))
        if current.status == ExceptionStatus.AUTO_RESOLVED:
            # It came back (a newer file says it again): a person must look.
            current.status = ExceptionStatus.OPEN
            current.resolved_at = None
            current.resolution_note = ""
        if _exception_values(current) != before:
            to_update.append(current)
    insert_rows(to_create)
    if to_update:
        ReconciliationException.objects.bulk_update(to_update, [*_FOUND_FIELDS, *_RESOLUTION_FIELDS], batch_size=1_000)
    return len(found)


# What a run finds about an exception, refreshed on every rerun, and what a
# person (or the automatic closing) decided about it.
_FOUND_FIELDS = (
    "kind",
    "partner_txn_id",
    "line_no",
    "transaction",
    "market",
    "vendor",
    "file_side",
    "recorded_side",
    "file_amount",
    "recorded_amount",
    "explanation",
)
_RESOLUTION_FIELDS = ("status", "resolved_at", "resolved_by", "resolution_note")
# Attribute names: a foreign key by its id, so comparing loads no row.
_ATTNAMES = {field.name: field.attname for field in ReconciliationException._meta.concrete_fields}
_FOUND_ATTRIBUTES = tuple(_ATTNAMES[name] for name in _FOUND_FIELDS)
_ALL_ATTRIBUTES = _FOUND_ATTRIBUTES + tuple(_ATTNAMES[name] for name in _RESOLUTION_FIELDS)


def _exception_values(exception: ReconciliationException) -> tuple:
    return tuple(getattr(exception, attribute) for attribute in _ALL_ATTRIBUTES)


def reconcile(*, actor: Actor, partner: str, business_date: dt.date) -> list[ReconciliationRun]:
    """The day's run, then the day before's again if it was waiting for this
    day's file to decide what is really missing. Returns the runs made."""
    runs = [reconciliation_run(actor=actor, partner=partner, business_date=business_date)]
    previous = ReconciliationRun.objects.filter(
        partner=partner, business_date=business_date - dt.timedelta(days=1), status=RunStatus.DONE, awaiting_count__gt=0
    ).first()
    if previous is not None and runs[0].status == RunStatus.DONE:
        runs.append(reconciliation_run(actor=actor, partner=partner, business_date=previous.business_date))
    return runs


# The kinds where the partner's settlement is the authority, and the field
# of the transaction each one corrects.
APPLICABLE_FIELDS = {ExceptionKind.AMOUNT_DIFFERS: "amount", ExceptionKind.STATUS_DIFFERS: "status"}


def exception_resolve(
    *, actor: Actor, exception: ReconciliationException, note: str, apply_partner_value: bool = False
) -> ReconciliationException:
    """An operator closes an exception, saying what was done about it; for an
    amount or status difference they may adopt the partner's value on the
    transaction in the same database transaction."""
    require_operator(actor)
    note = " ".join((note or "").split())
    if not note:
        raise ValidationFailed.single("note", _("Vui lòng ghi cách đã xử lý chênh lệch này"))
    if len(note) > 2000:
        raise ValidationFailed.single("note", _("Ghi chú dài quá 2000 ký tự"))
    field = _applicable_field(exception) if apply_partner_value else None
    with transaction.atomic():
        now = clock.now()
        updated = ReconciliationException.objects.filter(pk=exception.pk, status=ExceptionStatus.OPEN).update(
            status=ExceptionStatus.RESOLVED, resolved_at=now, resolved_by=actor, resolution_note=note
        )
        if not updated:
            raise Conflict(_("Chênh lệch này đã được đóng, vui lòng tải lại trang"))
        after: dict = {}
        if field is not None and exception.transaction is not None:
            value = (exception.file_side or {})[field]
            before_value = getattr(exception.transaction, field)
            payment_services.transaction_settled_value_apply(
                actor=actor, txn=exception.transaction, field=field, value=value, note=note
            )
            after = {"applied": {field: {"before": before_value, "after": value}}}
        exception.refresh_from_db()
        audit.record(
            actor=actor,
            action="reconciliation_exception.resolve",
            obj=exception,
            before={"status": ExceptionStatus.OPEN},
            after={"status": exception.status, "resolved_at": now.isoformat(), **after},
            market=exception.market,
            note=note,
        )
    return exception


def _applicable_field(exception: ReconciliationException) -> str:
    """The transaction field the partner's value would set, or a refusal."""
    field = APPLICABLE_FIELDS.get(ExceptionKind(exception.kind))
    if field is None or exception.transaction is None:
        raise ValidationFailed.single(
            "apply_partner_value",
            _("Áp dụng giá trị của ví chỉ dùng cho chênh lệch số tiền hoặc trạng thái, không dùng cho “%(kind)s”")
            % {"kind": exception.get_kind_display()},
        )
    if (exception.file_side or {}).get(field) == (exception.recorded_side or {}).get(field):
        # A status difference may be in the kind alone; the kind is not adopted.
        raise ValidationFailed.single(
            "apply_partner_value", _("Trạng thái theo tệp của ví đã khớp; chỉ loại giao dịch khác nhau")
        )
    return field


def runs_to_recheck(*, partner: str, partner_txn_id: str) -> list[tuple[str, dt.date]]:
    """(partner, day) of runs with an open exception about this transaction."""
    return list(
        ReconciliationException.objects.filter(
            partner=partner, partner_txn_id=partner_txn_id, status=ExceptionStatus.OPEN
        )
        .values_list("partner", "business_date")
        .distinct()
    )
