"""Domain errors that services raise; the API and pages map them in one place.

NotFound and PermissionDenied are also Django's own 404 and 403, so a page
that lets them through answers like the API does."""

from typing import Self

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# How each field a refusal can name reads to a person ("Ghi chú", not "note").
FIELD_LABELS = {
    "account_number": gettext_lazy("Số tài khoản ví"),
    "business_date": gettext_lazy("Ngày nghiệp vụ"),
    "category": gettext_lazy("Ngành hàng"),
    "code": gettext_lazy("Mã QR"),
    "consent": gettext_lazy("Đồng ý xử lý dữ liệu cá nhân"),
    "date": gettext_lazy("Ngày"),
    "date_from": gettext_lazy("Từ ngày"),
    "date_to": gettext_lazy("Đến ngày"),
    "delivery": gettext_lazy("Lần nhận webhook"),
    "file": gettext_lazy("Tệp"),
    "format": gettext_lazy("Định dạng"),
    "full_name": gettext_lazy("Họ và tên"),
    "job": gettext_lazy("Lần nhập"),
    "layout": gettext_lazy("Khổ in"),
    "market": gettext_lazy("Chợ"),
    "month": gettext_lazy("Tháng"),
    "national_id": gettext_lazy("Số CCCD"),
    "note": gettext_lazy("Ghi chú"),
    "partner": gettext_lazy("Ví"),
    "period": gettext_lazy("Kỳ"),
    "phone": gettext_lazy("Số điện thoại"),
    "plant": gettext_lazy("Chênh lệch cài sẵn"),
    "reason": gettext_lazy("Lý do"),
    "stall": gettext_lazy("Số sạp"),
    "stall_number": gettext_lazy("Số sạp"),
    "status": gettext_lazy("Trạng thái"),
    "table": gettext_lazy("Bảng"),
    "trade_name": gettext_lazy("Tên cửa hàng"),
    "transaction": gettext_lazy("Giao dịch"),
    "vendor": gettext_lazy("Tiểu thương"),
    "wallet_account": gettext_lazy("Tài khoản ví"),
}


def field_label(field: str) -> str:
    """The field's label in the active language; a field with none keeps its name."""
    label = FIELD_LABELS.get(field)
    return str(label) if label is not None else field


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str, *, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}

    @classmethod
    def single(cls, field: str, reason: str) -> Self:
        """One field at fault: the sentence names it by its label, as a page
        shows it; `errors` keys it by the name a client sends."""
        return cls(f"{field_label(field)}: {reason}", errors={field: [reason]})

    @property
    def body(self) -> dict:
        """The answer's body, in the one shape of every refusal of the API."""
        return {"detail": self.message, "errors": self.errors}

    @property
    def summary(self) -> str:
        """Every reason in one line, for a page message or a command's error."""
        return "; ".join(reason for reasons in self.errors.values() for reason in reasons) or self.message


class ValidationFailed(DomainError):
    """Bad input: `errors` maps each field to its reasons, in Vietnamese."""

    status_code = 422

    @classmethod
    def of(cls, errors: dict[str, list[str]]) -> "ValidationFailed":
        """Bad input in any number of fields, under the sentence all such refusals share."""
        return cls(_("Dữ liệu gửi lên chưa hợp lệ"), errors=errors)


class NotFound(DomainError, Http404):
    status_code = 404


class PermissionDenied(DomainError, DjangoPermissionDenied):
    status_code = 403


class Conflict(DomainError):
    """Well-formed, but the object's current state refuses it (a code already
    replaced or revoked, a vendor that is not active)."""

    status_code = 409
