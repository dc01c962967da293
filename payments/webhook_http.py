"""A partner's delivery over HTTP, and the short road it takes through the server.

Deliveries are the one request the partners send hundreds of per second,
and none of them uses what the middleware chain is there for: no session,
no CSRF (the signature on the raw body is the authentication), no user, no
messages, no language cookie. `with_webhook_intake` lets the server hand a
`POST /api/v1/webhooks/<partner>` straight to `webhook_response`, keeping
what still matters (request signals, so database connections are recycled
as usual, the host check, HTTPS redirect, security headers, Django's own
500 handling) and leaving everything else to the full application, which
answers the same path through the API router in tests and in `runserver`.
"""

import json
import logging
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core import signals
from django.core.handlers.exception import response_for_exception
from django.core.handlers.wsgi import WSGIRequest, get_script_name
from django.http import HttpRequest, HttpResponse
from django.middleware.security import SecurityMiddleware
from django.urls import set_script_prefix
from django.utils import translation

from core import logs, metrics
from core.middleware import WEBHOOK_PREFIX
from core.partners import Partner
from payments import intake

logger = logging.getLogger(__name__)


def webhook_response(request: HttpRequest, partner: str) -> HttpResponse:
    """Receive one delivery and answer as the partner's contract says."""
    started = time.perf_counter()
    body, size = _read_body(request)
    result = intake.receive_delivery(partner=partner, headers=request.headers, body=body, body_size=size)
    metrics.delivery_answered(partner=partner, verdict=result.verdict, seconds=time.perf_counter() - started)
    delivery_id, transaction_id = result.ids
    # The one line per delivery: ids, partner, verdict and status only.
    logger.info(
        "webhook delivery answered",
        extra={
            "partner": partner,
            "verdict": result.verdict,
            "status": result.reply.status,
            "delivery_id": delivery_id,
            "transaction_id": transaction_id,
        },
    )
    return HttpResponse(_to_json(result.reply.body), status=result.reply.status, content_type="application/json")


# json.dumps builds a new encoder for every call made with options.
_to_json = json.JSONEncoder(ensure_ascii=False).encode


def _read_body(request: HttpRequest) -> tuple[bytes | None, int]:
    """The raw body and its size; None for a body larger than intake takes.

    An oversized body is refused from its declared length, unread. A body
    sent without a length (chunked) is read from the server's stream, which
    then ends where the body ends (`wsgi.input_terminated`), one byte past
    the limit at most: Django would read it as empty, and a signed delivery
    would fail its signature for no reason the partner could see.
    """
    declared = int(request.META.get("CONTENT_LENGTH") or 0)
    if declared > intake.MAX_BODY_BYTES:
        return None, declared
    if declared or not request.META.get("wsgi.input_terminated"):
        return request.body, declared
    body = request.META["wsgi.input"].read(intake.MAX_BODY_BYTES + 1)
    return (None, len(body)) if len(body) > intake.MAX_BODY_BYTES else (body, len(body))


class _Security(SecurityMiddleware):
    def __init__(self) -> None:
        # Only its request and response hooks run; there is no chain to call.
        super().__init__(get_response=lambda request: None)  # type: ignore[arg-type]


def with_webhook_intake(django_app: Callable) -> Callable:
    """Wrap the WSGI application so deliveries skip the middleware chain."""
    security = _Security()
    partners = {f"{WEBHOOK_PREFIX}{partner}": partner for partner in Partner.values}

    def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
        partner = partners.get(environ.get("PATH_INFO", ""))
        if partner is None or environ.get("REQUEST_METHOD") != "POST":
            return django_app(environ, start_response)
        set_script_prefix(get_script_name(environ))
        signals.request_started.send(sender=with_webhook_intake, environ=environ)
        request = WSGIRequest(environ)
        request_id = logs.request_id_from(environ.get("HTTP_X_REQUEST_ID"))
        with logs.bound(request_id=request_id):
            try:
                request.get_host()  # ALLOWED_HOSTS, as for every other request
                response: HttpResponse | None = security.process_request(request)  # HTTPS redirect
                if response is None:
                    with translation.override(settings.LANGUAGE_CODE):
                        response = webhook_response(request, partner)
            except Exception as exc:  # noqa: BLE001 — Django's own answer and log for any failure
                response = response_for_exception(request, exc)
        response = security.process_response(request, response)
        response[logs.REQUEST_ID_HEADER] = request_id
        # Without a length the server would chunk the answer; partners keep connections open.
        response.headers.setdefault("Content-Length", str(len(response.content)))
        # As Django's handler does; the name is private, so the stubs leave it out.
        response._resource_closers.append(request.close)  # type: ignore[attr-defined]
        # Closing the response sends request_finished, as Django's handler does.
        start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
        return response

    return application
