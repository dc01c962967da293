"""The API surface in one place: each app's router, auth and error mapping."""

from django.http import Http404, HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from core.errors import DomainError
from core.models import ApiToken


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        found = (
            ApiToken.objects.select_related("user")
            .filter(digest=ApiToken.digest_of(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if found is None:
            return None
        request.user = found.user
        return found.user


api = NinjaAPI(
    title="Chợ 4.0 API",
    version="1",
    urls_namespace="api-v1",
    # Browsers use the session cookie, with CSRF checked on writes.
    auth=[BearerToken(), SessionAuth(csrf=True)],
    docs_url="/docs",
    openapi_url="/openapi.json",
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError):
    return api.create_response(request, {"detail": exc.message, "errors": exc.errors}, status=exc.status_code)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404):
    return api.create_response(request, {"detail": "Không tìm thấy"}, status=404)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError):
    return api.create_response(request, {"detail": "Chưa đăng nhập hoặc mã truy cập không hợp lệ"}, status=401)


@api.get("/health", auth=None, tags=["system"])
def health(request: HttpRequest) -> dict:
    return {"status": "ok"}


def _add_routers() -> None:
    from market40.adoption.api import router as adoption_router
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
