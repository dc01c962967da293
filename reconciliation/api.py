"""`/api/v1/reconciliation`: settlement files, runs, exceptions, exports."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from core.access import require_operator
from core.openapi import file_answer
from core.pagination import Pages
from core.params import DayParam
from core.partners import Partner
from reconciliation import file_runs, reports, selectors, services
from reconciliation.models import Channel, ExceptionKind, ExceptionStatus, ReconciliationException, RunStatus
from reconciliation.schemas import ExceptionOut, ImportOut, ResolveIn, RunDetailOut, RunOut

router = Router(tags=["reconciliation"])


@router.post("/files", response={201: ImportOut, 200: ImportOut})
def upload_file(request: HttpRequest, file: File[UploadedFile], partner: Form[str | None] = None) -> Status:
    require_operator(request.user)
    imported = services.settlement_file_import(
        actor=request.user, file_name=file.name or "", content=file.read(), channel=Channel.API, partner=partner
    )
    file_runs.after_import(imported=imported)
    run = imported.file.runs.first()
    body = {"created": imported.created, "file": imported.file, "run_id": run.pk if run else None}
    return Status(201 if imported.created else 200, body)


@router.get("/runs", response=list[RunOut])
@paginate(Pages, page_size=50)
def list_runs(
    request: HttpRequest,
    partner: Partner | None = None,
    status: RunStatus | None = None,
    date_from: DayParam = None,
    date_to: DayParam = None,
) -> list[dict[str, Any]]:
    runs = selectors.run_search(request.user, partner=partner, status=status, date_from=date_from, date_to=date_to)
    return [selectors.run_summary(run) for run in runs.prefetch_related("exceptions")]


@router.get("/runs/{run_id}", response=RunDetailOut)
def get_run(request: HttpRequest, run_id: int) -> dict[str, Any]:
    run = selectors.get_run_for(request.user, run_id)
    vendors = [
        {
            "market": total.market.code if total.market else None,
            "vendor": total.vendor.code if total.vendor else None,
            "vendor_name": total.vendor.full_name if total.vendor else None,
            "count": total.count,
            "amount": total.amount,
            "fee": total.fee,
            "net": total.net,
        }
        for total in selectors.run_totals(run)[:1000]
    ]
    return {**selectors.run_summary(run), "markets": selectors.market_totals(run), "vendors": vendors}


@router.get("/runs/{run_id}/exceptions", response=list[ExceptionOut])
@paginate(Pages, page_size=100)
def run_exceptions(
    request: HttpRequest,
    run_id: int,
    kind: ExceptionKind | None = None,
    status: ExceptionStatus | None = None,
    market: str | None = None,
) -> QuerySet[ReconciliationException]:
    run = selectors.get_run_for(request.user, run_id)
    return selectors.exception_search(request.user, run=run, kind=kind, status=status, market=market)


@router.get("/runs/{run_id}/export.csv", openapi_extra=file_answer("text/csv", description="Bảng đối soát"))
def export_run_csv(request: HttpRequest, run_id: int) -> HttpResponse:
    run = selectors.get_run_for(request.user, run_id)
    response = HttpResponse(reports.run_csv(request.user, run), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="doi-soat-{run.partner}-{run.business_date:%Y%m%d}.csv"'
    return response


@router.get("/runs/{run_id}/report.pdf", openapi_extra=file_answer("application/pdf", description="Báo cáo đối soát"))
def run_report_pdf(request: HttpRequest, run_id: int) -> HttpResponse:
    run = selectors.get_run_for(request.user, run_id)
    response = HttpResponse(reports.run_pdf(request.user, run), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="doi-soat-{run.partner}-{run.business_date:%Y%m%d}.pdf"'
    return response


@router.get("/exceptions", response=list[ExceptionOut])
@paginate(Pages, page_size=100)
def list_exceptions(
    request: HttpRequest,
    partner: Partner | None = None,
    kind: ExceptionKind | None = None,
    status: ExceptionStatus | None = None,
    market: str | None = None,
    date_from: DayParam = None,
    date_to: DayParam = None,
    search: str | None = None,
) -> QuerySet[ReconciliationException]:
    return selectors.exception_search(
        request.user,
        partner=partner,
        kind=kind,
        status=status,
        market=market,
        date_from=date_from,
        date_to=date_to,
        search=search,
    )


@router.get("/exceptions/{exception_id}", response=ExceptionOut)
def get_exception(request: HttpRequest, exception_id: int) -> ReconciliationException:
    return selectors.get_exception_for(request.user, exception_id)


@router.post("/exceptions/{exception_id}/resolve", response=ExceptionOut)
def resolve_exception(request: HttpRequest, exception_id: int, payload: ResolveIn) -> ReconciliationException:
    exception = selectors.get_exception_for(request.user, exception_id)
    return services.exception_resolve(
        actor=request.user, exception=exception, note=payload.note, apply_partner_value=payload.apply_partner_value
    )
