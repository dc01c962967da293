"""Operator pages: runs, exceptions (filter, resolve with a note), file upload.
Boards see their markets' exceptions, read-only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import role_of
from core.errors import DomainError, NotFound, PermissionDenied
from core.models import Role
from core.partners import Partner
from merchants.selectors import markets_visible_to
from reconciliation import file_runs, reports, selectors, services
from reconciliation.explanations import outcome_label
from reconciliation.models import Channel, ExceptionKind, ExceptionStatus, ReconciliationRun, RunStatus


def _run_or_404(request: HttpRequest, run_id: int) -> ReconciliationRun:
    try:
        return selectors.get_run_for(request.user, run_id)
    except (NotFound, PermissionDenied) as exc:
        raise Http404(exc.message) from exc


@login_required
def run_list(request: HttpRequest) -> HttpResponse:
    if role_of(request.user) not in (Role.OPERATOR, Role.DEPARTMENT):
        return redirect("reconciliation-exceptions")
    filters = {key: request.GET.get(key) or "" for key in ("partner", "status", "date_from", "date_to")}
    try:
        runs = selectors.run_search(request.user, **filters)
    except DomainError as exc:
        messages.error(request, exc.message)
        runs = selectors.run_search(request.user)
    page = Paginator(runs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "reconciliation/run_list.html",
        {
            "page": page,
            "filters": filters,
            "partners": Partner.choices,
            "statuses": RunStatus.choices,
            "is_operator": role_of(request.user) == Role.OPERATOR,
        },
    )


@login_required
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run_or_404(request, run_id)
    outcomes = [{**row, "label": outcome_label(row["outcome"])} for row in selectors.outcome_rows(run)]
    return render(
        request,
        "reconciliation/run_detail.html",
        {
            "run": run,
            "outcomes": outcomes,
            "markets": selectors.market_totals(run),
            "open_count": run.exceptions.filter(status=ExceptionStatus.OPEN).count(),
        },
    )


@login_required
def run_csv(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run_or_404(request, run_id)
    response = HttpResponse(reports.run_csv(request.user, run), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="doi-soat-{run.partner}-{run.business_date:%Y%m%d}.csv"'
    return response


@login_required
def run_pdf(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run_or_404(request, run_id)
    response = HttpResponse(reports.run_pdf(request.user, run), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="doi-soat-{run.partner}-{run.business_date:%Y%m%d}.pdf"'
    return response


@login_required
def exception_list(request: HttpRequest) -> HttpResponse:
    role = role_of(request.user)
    if role is None:
        raise Http404
    keys = ("partner", "kind", "status", "market", "date_from", "date_to", "q")
    filters = {key: request.GET.get(key) or "" for key in keys}
    if "status" not in request.GET:
        filters["status"] = ExceptionStatus.OPEN
    run_id = request.GET.get("run") or ""
    run = None
    if run_id.isdigit():
        run = _run_or_404(request, int(run_id))
        filters["run"] = run_id
    try:
        found = selectors.exception_search(
            request.user,
            run=run,
            partner=filters["partner"],
            kind=filters["kind"],
            status=filters["status"],
            market=filters["market"],
            date_from=filters["date_from"],
            date_to=filters["date_to"],
            search=filters["q"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        found = selectors.exception_search(request.user, run=run)
    page = Paginator(found, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "reconciliation/exception_list.html",
        {
            "page": page,
            "filters": filters,
            "run": run,
            "partners": Partner.choices,
            "kinds": ExceptionKind.choices,
            "statuses": ExceptionStatus.choices,
            "markets": markets_visible_to(request.user),
            "can_resolve": role == Role.OPERATOR,
            "applicable_kinds": list(services.APPLICABLE_FIELDS),
        },
    )


@login_required
@require_POST
def exception_resolve(request: HttpRequest, exception_id: int) -> HttpResponse:
    try:
        exception = selectors.get_exception_for(request.user, exception_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    try:
        services.exception_resolve(
            actor=request.user,
            exception=exception,
            note=request.POST.get("note", ""),
            apply_partner_value=request.POST.get("resolution") == "apply",
        )
    except PermissionDenied as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã đóng chênh lệch %(id)s") % {"id": exception.partner_txn_id or exception.pk})
    return redirect(request.POST.get("next") or "reconciliation-exceptions")


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    if role_of(request.user) != Role.OPERATOR:
        raise Http404
    error = ""
    if request.method == "POST":
        uploaded = request.FILES.get("file")
        if uploaded is None:
            error = _("Vui lòng chọn tệp đối soát")
        else:
            try:
                imported = services.settlement_file_import(
                    actor=request.user, file_name=uploaded.name or "", content=uploaded.read(), channel=Channel.UPLOAD
                )
            except DomainError as exc:
                error = exc.message
            else:
                file_runs.after_import(imported=imported)
                file = imported.file
                if imported.created:
                    messages.success(
                        request,
                        _("Đã nhập %(name)s: %(n)d dòng. Đối soát ngày này đang chạy lại.")
                        % {"name": file.file_name, "n": file.line_count},
                    )
                else:
                    messages.info(
                        request, _("Tệp %(name)s đã được nhập trước đó, không nhập lại.") % {"name": file.file_name}
                    )
                return redirect("reconciliation-runs")
    return render(request, "reconciliation/upload.html", {"error": error})
