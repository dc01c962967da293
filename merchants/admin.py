from typing import Any, cast

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from core.errors import ValidationFailed
from merchants import register_import, services, units
from merchants.models import District, Market, PaymentCode, Vendor, WalletAccount


class MarketForm(forms.ModelForm):
    """The unit is picked from the dataset's current units of the city, so
    an operator can place a market of the former Hậu Giang or Sóc Trăng
    without a code change; its name follows from the code."""

    unit_code = forms.ChoiceField(label=_("Phường/xã hiện nay"), choices=())

    class Meta:
        model = Market
        fields = [
            "code",
            "name",
            "unit_code",
            "district",
            "ward",
            "market_class",
            "stall_count",
            "is_pilot",
            "pilot_start_date",
            "registered_on",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The choices are read when a form is made, after the dataset is loaded.
        cast(forms.ChoiceField, self.fields["unit_code"]).choices = [("", "—"), *units.unit_choices()]

    def clean_unit_code(self) -> str:
        code: str = self.cleaned_data["unit_code"]
        errors = services.unit_code_errors(code)
        if errors:
            raise forms.ValidationError(errors)
        return code


class RegisterSheetForm(forms.Form):
    file = forms.FileField(label=_("Tệp sổ đăng ký (XLSX hoặc CSV)"))
    dry_run = forms.BooleanField(label=_("Chạy thử: chỉ kiểm tra, chưa ghi"), required=False, initial=True)


OUTCOMES = {
    "created": _("Chợ mới"),
    "updated": _("Cập nhật"),
    "unchanged": _("Không đổi"),
    "rejected": _("Bị từ chối"),
}


class UnitSettledFilter(admin.SimpleListFilter):
    title = _("phường/xã hiện nay")
    parameter_name = "unit"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("unsettled", str(_("Chờ xác định (phường/xã cũ bị chia tách)"))), ("settled", str(_("Đã xác định")))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Market]) -> QuerySet[Market]:
        if self.value() == "unsettled":
            return queryset.filter(unit_code="")
        if self.value() == "settled":
            return queryset.exclude(unit_code="")
        return queryset


@admin.register(Market)
class MarketAdmin(admin.ModelAdmin):
    form = MarketForm
    list_display = [
        "code",
        "name",
        "unit_name",
        "unit_code",
        "district",
        "ward",
        "market_class",
        "stall_count",
        "is_pilot",
        "in_original_register",
        "registered_on",
    ]
    list_filter = [UnitSettledFilter, "in_original_register", "district", "is_pilot", "market_class"]
    search_fields = ["code", "name", "unit_name", "unit_code", "ward"]
    readonly_fields = ["unit_candidates"]

    @admin.display(description=_("Phường/xã hiện nay có thể là"))
    def unit_candidates(self, market: Market) -> str:
        """For a market whose former ward was split: the units it may now be
        in, from the dataset, for the operator to choose between."""
        if not market.district or not market.ward:
            return "—"
        conversion = units.convert_former(District(market.district).label, market.ward)
        if conversion is None:
            return str(_("Không tìm thấy phường/xã cũ trong dữ liệu"))
        return " · ".join(u.label for u in conversion.candidates)

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="merchants_market_import"), *super().get_urls()]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """A register sheet of markets: dry run (the default) or import, with
        each refused row's field and reason."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.GET.get("template") == "csv":
            response = HttpResponse(register_import.template_csv(), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="so-dang-ky-cho.csv"'
            return response
        form = RegisterSheetForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = register_import.market_register_import(
                    actor=request.user,
                    filename=upload.name,
                    content=upload.read(),
                    dry_run=form.cleaned_data["dry_run"],
                )
            except ValidationFailed as exc:
                form.add_error("file", exc.summary)
        headers = {**register_import.HEADERS, "file": str(_("Tệp"))}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Nhập sổ đăng ký chợ"),
            "form": form,
            "columns": ", ".join(register_import.HEADERS.values()),
            "report": report,
            "rows": [
                {
                    **row,
                    "outcome": OUTCOMES[row["outcome"]],
                    "reasons": [f"{headers.get(k, k)}: {r}" for k, reasons in row["errors"].items() for r in reasons],
                }
                for row in (report or {}).get("rows", [])
            ],
        }
        return TemplateResponse(request, "admin/merchants/market/import.html", context)

    def save_model(self, request: HttpRequest, obj: Market, form: forms.ModelForm, change: bool) -> None:
        before = services.market_state(Market.objects.get(pk=obj.pk)) if change else None
        services.market_save(actor=request.user, market=obj, before=before)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Vendors, codes and rollups hang on a market; it leaves the register, not the database.
        return False


class WalletAccountInline(admin.TabularInline):
    model = WalletAccount
    extra = 0
    readonly_fields = ["partner", "account_number", "is_active", "created_at"]
    can_delete = False


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    list_display = ["code", "market", "stall_number", "full_name", "status", "payment_reference"]
    list_filter = ["status", "market__district", "market__unit_name", "category"]
    search_fields = ["code", "full_name", "stall_number", "payment_reference"]
    readonly_fields = [f.name for f in Vendor._meta.fields]
    inlines = [WalletAccountInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Vendors are written through services (validation and audit), not here.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(PaymentCode)
class PaymentCodeAdmin(admin.ModelAdmin):
    list_display = ["wallet_account", "version", "payment_reference", "issued_at", "revoked_at"]
    readonly_fields = [f.name for f in PaymentCode._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
