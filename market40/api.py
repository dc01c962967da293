"""The API surface in one place: each app's router, auth and error mapping."""

import json

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import NinjaAPI, Schema, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.parser import Parser
from ninja.security import HttpBearer, SessionAuth

from core.errors import DomainError, ValidationFailed
from core.models import ApiToken
from core.text import json_storable


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = (
            ApiToken.objects.select_related("user")
            .filter(digest=ApiToken.digest_of(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if found is None:
            return None
        request.user = found.user
        return found.user


class ErrorOut(Schema):
    """Every refusal: a sentence, and the reasons per field for bad input."""

    detail: str
    errors: dict[str, list[str]] = {}


# What an operation may answer besides its own responses, and when; every
# operation's document lists them so a client (and a schema checker) knows.
ERROR_RESPONSES = {
    "401": "Chưa đăng nhập hoặc mã truy cập không hợp lệ",
    "403": "Vai trò không được phép, hoặc thiếu mã CSRF khi dùng phiên đăng nhập",
    "404": "Không tìm thấy, hoặc thuộc chợ khác",
    "409": "Xung đột với trạng thái hiện tại",
    "422": "Dữ liệu gửi lên chưa hợp lệ",
    "414": "Địa chỉ yêu cầu quá dài (máy chủ phía trước từ chối)",
}


def _error_statuses(method: str, operation: dict) -> list[str]:
    statuses = []
    params = operation.get("parameters", [])
    if operation.get("security"):
        # 404 too: an object, market or report the person may not see is
        # answered as if it did not exist.
        statuses += ["401", "403", "404"]
    if method in ("post", "put", "patch", "delete"):
        statuses.append("409")
    if params or "requestBody" in operation:
        statuses.append("422")
    if any(p.get("in") == "query" for p in params):
        statuses.append("414")
    return statuses


def _one_key_per_status(responses: dict) -> dict[str, dict]:
    """ninja keys its own answers by int (200: "OK") and an operation's
    `openapi_extra` by string ("200": the file); JSON would write both as
    "200", a key given twice. Each status gets one string key, the
    operation's own description merged over ninja's default."""
    merged: dict[str, dict] = {}
    for status, answer in sorted(responses.items(), key=lambda item: isinstance(item[0], str)):
        merged.setdefault(str(status), {}).update(answer)
    return merged


class BodyRefused(ValueError):
    """A JSON body the API will not read; the message is the reason."""


class StrictInput(Parser):
    """Every request body of the API is a JSON object whose text PostgreSQL
    can store (`core.text`), and a parameter that takes one value is given
    one: `?page_size=x&page_size=20` is bad input, not quietly page 20."""

    def parse_querydict(self, data: MultiValueDict, list_fields: list[str], request: HttpRequest) -> dict:
        found = super().parse_querydict(data, list_fields, request)
        for key in found.keys() - set(list_fields):
            values = data.getlist(key)
            if len(values) > 1:
                found[key] = values  # which the parameter's type refuses, naming it
        return found

    def parse_body(self, request: HttpRequest) -> dict:
        try:
            data = json.loads(request.body)
        except (ValueError, RecursionError) as exc:  # RecursionError: nested deeper than the decoder goes
            raise BodyRefused(gettext_noop("Nội dung JSON không hợp lệ")) from exc
        if not isinstance(data, dict):
            raise BodyRefused(gettext_noop("Nội dung phải là một đối tượng JSON"))
        if not json_storable(data):
            raise BodyRefused(gettext_noop("Nội dung chứa ký tự NUL hoặc nửa cặp surrogate UTF-16"))
        return data


class Market40Api(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict | None = None) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["ErrorOut"] = ErrorOut.model_json_schema()
        body = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                responses = _one_key_per_status(operation.setdefault("responses", {}))
                operation["responses"] = responses
                for status in _error_statuses(method, operation):
                    # A 414 comes from the web server (or the proxy) as a page, never from the API.
                    answer = {"description": ERROR_RESPONSES[status]} | ({} if status == "414" else {"content": body})
                    responses.setdefault(status, answer)
        return schema


api = Market40Api(
    title="Chợ 4.0 API",
    version="1",
    urls_namespace="api-v1",
    # Browsers use the session cookie, with CSRF checked on writes.
    auth=[BearerToken(), SessionAuth(csrf=True)],
    docs_url="/docs",
    # Without deep links, an operation's summary holds no link inside its
    # button (nested controls a screen reader cannot reach).
    docs=Swagger(settings={"deepLinking": False}),
    openapi_url="/openapi.json",
    parser=StrictInput(),
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, exc.body, status=exc.status_code)


# Reasons for ninja's own input checks (types, required fields, bounds), in
# the shape and language of every other refusal.
INPUT_REASONS = {
    "missing": gettext_noop("Thiếu giá trị bắt buộc"),
    "int_parsing": gettext_noop("Phải là số nguyên"),
    "int_type": gettext_noop("Phải là số nguyên"),
    "int_from_float": gettext_noop("Phải là số nguyên"),
    "bool_parsing": gettext_noop("Phải là true hoặc false"),
    "bool_type": gettext_noop("Phải là true hoặc false"),
    "string_type": gettext_noop("Phải là chuỗi ký tự"),
    "greater_than_equal": gettext_noop("Phải lớn hơn hoặc bằng %(ge)s"),
    "less_than_equal": gettext_noop("Phải nhỏ hơn hoặc bằng %(le)s"),
    "enum": gettext_noop("Chỉ nhận một trong: %(expected)s"),
    "literal_error": gettext_noop("Chỉ nhận một trong: %(expected)s"),
    "json_invalid": gettext_noop("Nội dung JSON không hợp lệ"),
    "model_attributes_type": gettext_noop("Phải là một đối tượng JSON"),
    "dict_type": gettext_noop("Phải là một đối tượng JSON"),
    "string_too_long": gettext_noop("Dài quá %(max_length)s ký tự"),
}


def input_errors(errors: list[dict]) -> dict[str, list[str]]:
    """ninja's error list → {field: [reason in the user's language]}."""
    out: dict[str, list[str]] = {}
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        # ("body", "payload", "phone") names the field `phone`; ("query", "page") names `page`.
        rest = loc[2:] if loc[:1] == ["body"] and len(loc) > 2 else loc[1:]
        field = ".".join(rest) or (loc[0] if loc else "body")
        template = INPUT_REASONS.get(error.get("type", ""), "Giá trị không hợp lệ")
        try:
            reason = _(template) % {key: value for key, value in (error.get("ctx") or {}).items()}
        except (KeyError, TypeError, ValueError):
            reason = _("Giá trị không hợp lệ")
        out.setdefault(field, []).append(reason)
    return out


@api.exception_handler(ValidationError)
def invalid_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return domain_error(request, ValidationFailed.of(input_errors(exc.errors)))


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """ninja's own refusals; a body it could not read is bad input like any other."""
    if exc.status_code == 400 and isinstance(exc.__cause__, BodyRefused):
        return domain_error(request, ValidationFailed.of({"body": [_(str(exc.__cause__))]}))
    return api.create_response(request, {"detail": str(exc), "errors": {}}, status=exc.status_code)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Không tìm thấy"}, status=404)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": "Chưa đăng nhập hoặc mã truy cập không hợp lệ"}, status=401)


@api.get("/health", auth=None, tags=["system"])
def health(request: HttpRequest) -> dict:
    return {"status": "ok"}


def _add_routers() -> None:
    from adoption.api import router as adoption_router
    from merchants.api import router as merchants_router
    from payments.api import router as payments_router
    from printables.api import router as printables_router
    from reconciliation.api import router as reconciliation_router

    api.add_router("/", merchants_router)
    api.add_router("/", printables_router)
    api.add_router("/", payments_router)
    api.add_router("/reconciliation", reconciliation_router)
    api.add_router("/adoption", adoption_router)


_add_routers()
