"""Every error page a person can reach (400, 403, 404, 500), in the person's
language, Vietnamese first; Django's own are English. The API keeps its JSON
refusals (market40/api.py); these are for pages."""

from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.translation import gettext as _

from core.errors import DomainError


def error_page(
    *,
    status: int,
    title: str,
    message: str,
    detail: str = "",
    action: str = "",
    next_url: str = "/",
    next_label: str = "",
) -> HttpResponse:
    context = {
        "status": status,
        "title": title,
        "message": message,
        "detail": detail,
        "action": action,
        "next_url": next_url,
        "next_label": next_label or _("Về trang chủ"),
    }
    # Rendered without the request: its context processors read the session
    # and the database, which may be what failed.
    return HttpResponse(loader.render_to_string("errors/page.html", context), status=status)


def _reason(exception: Exception | None) -> str:
    """A domain error's own reason is written for people; Django's are not."""
    return exception.summary if isinstance(exception, DomainError) else ""


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(
        status=400,
        title=_("Yêu cầu không hợp lệ"),
        message=_("Trang không xử lý được yêu cầu này. Vui lòng kiểm tra lại địa chỉ hoặc nội dung đã nhập."),
        detail=_reason(exception),
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(
        status=403,
        title=_("Không có quyền truy cập"),
        message=_("Tài khoản của bạn không được mở trang này. Nếu cần, hãy hỏi người quản trị hệ thống."),
        detail=_reason(exception),
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent from a page kept open too long, or with cookies off."""
    return error_page(
        status=403,
        title=_("Biểu mẫu đã hết hạn"),
        message=_("Trang đã mở quá lâu hoặc trình duyệt đang chặn cookie. Hãy tải lại trang rồi gửi lại."),
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(
        status=404,
        title=_("Không tìm thấy trang"),
        message=_("Trang này không có hoặc bạn không được xem. Hãy kiểm tra lại địa chỉ."),
        detail=_reason(exception),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return error_page(
        status=500,
        title=_("Hệ thống đang gặp lỗi"),
        message=_("Đã có lỗi ở máy chủ; việc bạn vừa làm có thể chưa được lưu. Vui lòng thử lại sau ít phút."),
    )
