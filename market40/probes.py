"""The operations endpoints, answered before any other middleware.

A load balancer's or docker-compose's probe and Prometheus's scrape reach a
process by its internal address (`http://web:8000/readyz`), over plain HTTP:
the host check would refuse the name and the HTTPS redirect would send them
away, so these three paths are answered first. Nothing else is: every other
path goes down the usual chain.
"""

import json

from django.http import HttpRequest, HttpResponse

from core.middleware import GetResponse
from market40 import health, metrics

PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


class OperationsEndpoints:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path == "/healthz":
            return _json(*health.liveness())
        if path == "/readyz":
            return _json(*health.readiness())
        if path == "/metrics":
            if not metrics.may_read(request):
                return _json(403, {"detail": "Không được phép đọc số liệu vận hành từ địa chỉ này"})
            return HttpResponse(metrics.exposition(), content_type=PROMETHEUS_TEXT)
        return self.get_response(request)


def _json(status: int, body: dict) -> HttpResponse:
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response
