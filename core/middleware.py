from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _

from core import errorpages, logs
from core.errors import ValidationFailed

WEBHOOK_PREFIX = "/api/v1/webhooks/"

GetResponse = Callable[[HttpRequest], HttpResponse]


class RequestId:
    """Every line logged while a request is served carries its id, and the
    answer names it, so a caller's report leads to the lines (core/logs.py)."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = logs.request_id_from(request.headers.get(logs.REQUEST_ID_HEADER))
        with logs.bound(request_id=request_id):
            response = self.get_response(request)
        response[logs.REQUEST_ID_HEADER] = request_id
        return response


class VietnameseFirstLocaleMiddleware:
    """Vietnamese unless the person chose another language with the language
    menu (its cookie). The browser's Accept-Language is not consulted: a
    clerk on a borrowed phone set to English still gets Vietnamese first."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class RefuseNulCharacters:
    """A NUL character in the path, query string or a form field is bad input.

    PostgreSQL text cannot hold one, so letting it reach a query turns a
    typing slip or a probe into a server error. The API answers 422 in its
    usual shape, a page 400. Partner webhooks keep their own contract
    (the signed body is judged by payments intake)."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(WEBHOOK_PREFIX):
            field = self._field_with_nul(request)
            if field is not None:
                return self._refuse(request, field)
        return self.get_response(request)

    @staticmethod
    def _field_with_nul(request: HttpRequest) -> str | None:
        if "\x00" in request.path:
            return "path"
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return name.replace("\x00", "")
        content_type = request.content_type or ""
        if request.method == "POST" and content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for name, values in request.POST.lists():
                if "\x00" in name or any("\x00" in value for value in values):
                    return name.replace("\x00", "")
        return None

    @staticmethod
    def _refuse(request: HttpRequest, field: str) -> HttpResponse:
        reason = _("Không được chứa ký tự NUL")
        if request.path.startswith("/api/"):
            refusal = ValidationFailed.of({field: [reason]})
            return JsonResponse(refusal.body, status=refusal.status_code, json_dumps_params={"ensure_ascii": False})
        return errorpages.bad_request(request, ValidationFailed.of({field: [reason]}))
