"""Every route of the web app and the API, for every role: what it answers.

The matrix below is the contract. Each URL pattern Django resolves (walked
from `get_resolver()`, the API's included) and each method of each API
operation must have a row, and each row must name a route that exists: a
route added without deciding who may use it fails here, by name.

The board is market A's, and every object in a URL belongs to market B, so
for a board "404" means "another market's object is not there". Columns:
anonymous, board (of A, object of B), department, operator; the vendor's
signed link has its own rows (`v/<token>/…`), opened without an account.
Each request runs in a savepoint that is rolled back, so the rows do not
depend on one another.

Admin: the site's own pages are rows here; the pages Django generates for
each registered model (list, add, change, delete, history) are rows too,
built per model from ADMIN_MODELS, which says what an operator gets on each.
"""

import io
import json
import re
from dataclasses import dataclass
from urllib.parse import urlparse

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLResolver, get_resolver, path

from core.models import ApiToken, AuditEntry
from market40 import urls as root_urls
from market40.api import api
from merchants import services
from merchants.models import ImportJob, PaymentCode, WalletAccount
from payments.models import Transaction, WebhookDelivery
from printables.links import vendor_token
from reconciliation import services as reconciliation
from reconciliation.models import Channel, ReconciliationException
from reconciliation.simulate import write_settlement
from tests.conftest import vendor_payload
from tests.payments.kit import MOBIFONE_SECRET, VIETTEL_KEY, VNPT_SECRET
from tests.reconciliation.kit import DAY, at, frozen_now, record  # noqa: F401 - frozen_now is a fixture

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "board", "department", "operator")
LOGIN = "login"  # 302 to /accounts/login/
ADMIN_LOGIN = "admin-login"  # 302 to /admin/login/
REDIRECT = "302"  # 302 elsewhere: a page's write done (or refused with a message) and back to a page


def row(anonymous, board, department, operator) -> dict:
    return dict(zip(ROLES, (anonymous, board, department, operator), strict=True))


def everyone(status) -> dict:
    return row(status, status, status, status)


# --- the matrix -------------------------------------------------------------------------
# "METHOD pattern" → expected answer per role. Patterns are Django's, as the
# resolver spells them.

API_AUTH = 401  # the API answers an anonymous caller 401, never a login page

MATRIX: dict[str, dict] = {
    # The API: reads by a board of another market's object are 404; the
    # department reads all and writes nothing (403); operator-only routes are
    # 403 to boards and the department whatever the object.
    "GET api/v1/": everyone(404),
    "GET api/v1/openapi.json": everyone(200),
    "GET api/v1/docs": everyone(200),
    "GET api/v1/health": everyone(200),
    "GET api/v1/markets": row(API_AUTH, 200, 200, 200),
    "GET api/v1/markets/<code>": row(API_AUTH, 404, 200, 200),
    "GET api/v1/vendors": row(API_AUTH, 200, 200, 200),
    "POST api/v1/vendors": row(API_AUTH, 404, 403, 201),
    "POST api/v1/vendors/import": row(API_AUTH, 404, 403, 200),
    "GET api/v1/vendors/<code>": row(API_AUTH, 404, 200, 200),
    "PATCH api/v1/vendors/<code>": row(API_AUTH, 404, 403, 200),
    "GET api/v1/vendors/<code>/history": row(API_AUTH, 404, 200, 200),
    "POST api/v1/vendors/<code>/wallet-accounts": row(API_AUTH, 404, 403, 201),
    "GET api/v1/vendors/<code>/payment-codes": row(API_AUTH, 404, 200, 200),
    "POST api/v1/vendors/<code>/payment-codes/<code_id>/reissue": row(API_AUTH, 404, 403, 201),
    "POST api/v1/vendors/<code>/payment-codes/<code_id>/revoke": row(API_AUTH, 404, 403, 200),
    "POST api/v1/vendors/<code>/wallet-accounts/<account_id>/issue-code": row(API_AUTH, 404, 403, 201),
    "GET api/v1/vendors/<code>/payment-codes/<code_id>/qr.png": row(API_AUTH, 404, 200, 200),
    "GET api/v1/vendors/<code>/payment-codes/<code_id>/qr.svg": row(API_AUTH, 404, 200, 200),
    "GET api/v1/vendors/<code>/poster.pdf": row(API_AUTH, 404, 200, 200),
    "GET api/v1/vendors/<code>/link": row(API_AUTH, 404, 403, 200),
    "GET api/v1/markets/<code>/posters.pdf": row(API_AUTH, 404, 200, 200),
    "GET api/v1/markets/<code>/posters/status": row(API_AUTH, 404, 404, 404),
    # Partners sign their deliveries; no account of ours is involved.
    "POST api/v1/webhooks/<partner>": everyone(401),
    "GET api/v1/transactions": row(API_AUTH, 200, 200, 200),
    "GET api/v1/transactions/unattributed": row(API_AUTH, 403, 403, 200),
    "POST api/v1/transactions/<txn_id>/attribute": row(API_AUTH, 403, 403, 200),
    "POST api/v1/transactions/<txn_id>/dismiss": row(API_AUTH, 403, 403, 200),
    "GET api/v1/webhook-deliveries": row(API_AUTH, 403, 403, 200),
    "POST api/v1/webhook-deliveries/<delivery_id>/replay": row(API_AUTH, 403, 403, 200),
    "POST api/v1/reconciliation/files": row(API_AUTH, 403, 403, 201),
    "GET api/v1/reconciliation/runs": row(API_AUTH, 403, 200, 200),
    "GET api/v1/reconciliation/runs/<run_id>": row(API_AUTH, 403, 200, 200),
    "GET api/v1/reconciliation/runs/<run_id>/exceptions": row(API_AUTH, 403, 200, 200),
    "GET api/v1/reconciliation/runs/<run_id>/export.csv": row(API_AUTH, 403, 200, 200),
    "GET api/v1/reconciliation/runs/<run_id>/report.pdf": row(API_AUTH, 403, 200, 200),
    "GET api/v1/reconciliation/exceptions": row(API_AUTH, 200, 200, 200),
    "GET api/v1/reconciliation/exceptions/<exception_id>": row(API_AUTH, 404, 200, 200),
    "POST api/v1/reconciliation/exceptions/<exception_id>/resolve": row(API_AUTH, 404, 403, 200),
    "GET api/v1/adoption": row(API_AUTH, 404, 200, 200),
    "GET api/v1/adoption/markets/<code>": row(API_AUTH, 404, 200, 200),
    "GET api/v1/adoption/export": row(API_AUTH, 404, 200, 200),
    # Pages.
    "POST i18n/setlang/": everyone(REDIRECT),
    "GET ": row(LOGIN, REDIRECT, REDIRECT, 200),  # a board and the department land on their own page
    "GET markets/<str:code>/today/": row(LOGIN, 404, 200, 200),
    "GET accounts/login/": row(200, REDIRECT, REDIRECT, REDIRECT),
    "POST accounts/logout/": everyone(LOGIN),
    "GET vendors/": row(LOGIN, 200, 200, 200),
    "GET vendors/new/": row(LOGIN, 200, 404, 200),
    "POST vendors/new/": row(LOGIN, 200, 404, REDIRECT),
    "GET vendors/import/": row(LOGIN, 200, 404, 200),
    "GET vendors/import/template.xlsx": row(LOGIN, 200, 200, 200),
    "GET vendors/import/<int:job_id>/": row(LOGIN, 404, 404, 200),
    "POST vendors/import/<int:job_id>/confirm/": row(LOGIN, 404, 404, REDIRECT),
    "GET vendors/<str:code>/": row(LOGIN, 404, 200, 200),
    "GET vendors/<str:code>/edit/": row(LOGIN, 404, 403, 200),
    "POST vendors/<str:code>/edit/": row(LOGIN, 404, 403, REDIRECT),
    "GET vendors/<str:code>/status/": row(LOGIN, 405, 405, 405),
    "POST vendors/<str:code>/status/": row(LOGIN, 404, 403, REDIRECT),
    "GET vendors/<str:code>/close/": row(LOGIN, 404, 403, 200),
    "POST vendors/<str:code>/close/": row(LOGIN, 404, 403, REDIRECT),
    "POST vendors/<str:code>/wallet-accounts/": row(LOGIN, 404, 403, REDIRECT),
    "POST vendors/<str:code>/codes/<int:code_id>/reissue/": row(LOGIN, 404, 403, REDIRECT),
    "POST vendors/<str:code>/codes/<int:code_id>/revoke/": row(LOGIN, 404, 403, REDIRECT),
    "POST vendors/<str:code>/wallet-accounts/<int:account_id>/issue/": row(LOGIN, 404, 403, REDIRECT),
    # The vendor's signed link: no account, the same for everyone.
    "GET v/<str:token>/": everyone(200),
    "GET v/<str:token>/poster.pdf": everyone(200),
    "GET v/<str:token>/qr/<int:code_id>.png": everyone(200),
    "GET v/<str:token>/check": everyone(200),
    "GET v/<str:token>/manifest.webmanifest": everyone(200),
    # Served by the stream process; the web app only names the URL.
    "GET stream/v/<str:token>/": everyone(503),
    "GET vendors/<str:code>/poster.pdf": row(LOGIN, 404, 200, 200),
    "GET vendors/<str:code>/link-qr.svg": row(LOGIN, 404, 403, 200),
    "POST vendors/<str:code>/link/reissue/": row(LOGIN, 404, 403, REDIRECT),
    # The revenue book: the vendor's link, their board and operators; the
    # department sees bands of many vendors, never one vendor's money.
    "GET v/<str:token>/revenue.pdf": everyone(200),
    "GET v/<str:token>/revenue.xlsx": everyone(200),
    "GET vendors/<str:code>/revenue.pdf": row(LOGIN, 404, 403, 200),
    "GET vendors/<str:code>/revenue.xlsx": row(LOGIN, 404, 403, 200),
    "GET markets/<str:code>/revenue-watch/": row(LOGIN, 404, 403, 200),
    "GET revenue/bands/": row(LOGIN, 404, 200, 200),
    "GET revenue/verify/": everyone(200),  # public: confirms a document's period and totals only
    "GET markets/<str:code>/posters/": row(LOGIN, 404, 200, 200),
    "GET markets/<str:code>/posters.pdf": row(LOGIN, 404, 200, 200),
    "GET transactions/": row(LOGIN, 200, 200, 200),
    "GET webhooks/deliveries/": row(LOGIN, 404, 404, 200),  # operator pages are not there for others
    "POST webhooks/deliveries/<int:delivery_id>/replay/": row(LOGIN, 404, 404, REDIRECT),
    "GET transactions/unattributed/": row(LOGIN, 404, 404, 200),
    "GET transactions/unattributed/vendors/": row(LOGIN, 404, 404, 200),
    "POST transactions/<int:txn_id>/resolve/": row(LOGIN, 404, 404, REDIRECT),
    "GET dashboard/": row(LOGIN, REDIRECT, 200, 200),  # a board is sent to its own market's page
    "GET dashboard/markets/<str:code>/": row(LOGIN, 404, 200, 200),
    "GET dashboard/export/<str:table>.<str:format>": row(LOGIN, 404, 200, 200),
    "GET dashboard/report.pdf": row(LOGIN, 404, 200, 200),
    "GET reconciliation/": row(LOGIN, REDIRECT, 200, 200),  # a board is sent to its exceptions
    "GET reconciliation/runs/<int:run_id>/": row(LOGIN, 404, 200, 200),
    "GET reconciliation/runs/<int:run_id>/export.csv": row(LOGIN, 404, 200, 200),
    "GET reconciliation/runs/<int:run_id>/report.pdf": row(LOGIN, 404, 200, 200),
    "GET reconciliation/exceptions/": row(LOGIN, 200, 200, 200),
    "POST reconciliation/exceptions/<int:exception_id>/resolve/": row(LOGIN, 404, 404, REDIRECT),
    "GET reconciliation/upload/": row(LOGIN, 404, 404, 200),
    # The admin site's own pages: operators only (staff); everyone else is
    # sent to the admin's login.
    "GET admin/": row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200),
    # The register sheet import of markets (merchants/register_import.py).
    "GET admin/merchants/market/import/": row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200),
    "GET admin/login/": row(200, 200, 200, REDIRECT),
    "POST admin/logout/": row(REDIRECT, REDIRECT, REDIRECT, LOGIN),  # others are sent to the admin index
    "GET admin/password_change/": row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200),
    "GET admin/password_change/done/": row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200),
    "GET admin/autocomplete/": row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 403),
    "GET admin/jsi18n/": row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200),
    # The audit entry has no page of its own to jump to.
    "GET admin/r/<path:content_type_id>/<path:object_id>/": row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 404),
    "GET admin/auth/user/<id>/password/": row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200),
    "GET admin/^(?P<app_label>auth|core|merchants|payments|reconciliation|printables|revenue)/$": row(
        ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200
    ),
    "GET admin/(?P<url>.*)$": row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 404),
}

# What an operator gets on each page Django's admin makes for a model:
# (list, add, object, change, delete, history). The audit log is read-only
# (add and delete 403; its change page shows the entry without a form).
ADMIN_PAGES = (
    "",
    "add/",
    "<path:object_id>/",
    "<path:object_id>/change/",
    "<path:object_id>/delete/",
    "<path:object_id>/history/",
)
ADMIN_MODELS: dict[str, tuple] = {
    "auth.group": (200, 200, REDIRECT, 200, 200, 200),
    "auth.user": (200, 200, REDIRECT, 200, 200, 200),
    "core.staffprofile": (200, 200, REDIRECT, 200, 200, 200),
    "core.auditentry": (200, 403, REDIRECT, 200, 403, 200),
    # A market is added and edited in the admin, never deleted: vendors,
    # codes and rollups hang on it.
    "merchants.market": (200, 200, REDIRECT, 200, 403, 200),
    # Vendors, codes, money and reconciliation are read-only in the admin:
    # they change through the services, which keep the audit trail.
    "merchants.vendor": (200, 403, REDIRECT, 200, 403, 200),
    "merchants.paymentcode": (200, 403, REDIRECT, 200, 403, 200),
    "payments.transaction": (200, 403, REDIRECT, 200, 403, 200),
    "payments.webhookdelivery": (200, 403, REDIRECT, 200, 403, 200),
    "payments.outboxevent": (200, 403, REDIRECT, 200, 403, 200),
    # No object of these exists in the fixture: the admin sends the operator
    # back to its index with a message.
    "payments.paymentalert": (200, 403, REDIRECT, REDIRECT, 403, REDIRECT),
    "payments.simulatednotice": (200, 403, REDIRECT, REDIRECT, 403, REDIRECT),
    "printables.posterbatch": (200, 403, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    "revenue.revenuedocument": (200, 403, REDIRECT, REDIRECT, 403, REDIRECT),
    "reconciliation.settlementfile": (200, 403, REDIRECT, 200, 403, 200),
    "reconciliation.reconciliationrun": (200, 403, REDIRECT, 200, 403, 200),
    "reconciliation.reconciliationexception": (200, 403, REDIRECT, 200, 403, 200),
}


def admin_rows() -> dict[str, dict]:
    rows = {}
    for model, statuses in ADMIN_MODELS.items():
        app, name = model.split(".")
        for page, status in zip(ADMIN_PAGES, statuses, strict=True):
            rows[f"GET admin/{app}/{name}/{page}"] = row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, status)
    return rows


# Patterns written as regular expressions, and the URL each row opens.
CONCRETE = {
    "admin/^(?P<app_label>auth|core|merchants|payments|reconciliation|printables|revenue)/$": "/admin/core/",
    "admin/(?P<url>.*)$": "/admin/khong-co/",
}


# --- the routes that exist --------------------------------------------------------------


def resolver_patterns(patterns=None, prefix: str = "") -> list[str]:
    out = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            out += resolver_patterns(entry.url_patterns, prefix + str(entry.pattern))
        else:
            out.append(prefix + str(entry.pattern))
    return out


def api_operations() -> set[str]:
    """Method and pattern of every operation in the API's document."""
    document = api.get_openapi_schema()
    found = set()
    for route, operations in document["paths"].items():
        pattern = route.lstrip("/").replace("{", "<").replace("}", ">")
        found |= {f"{method.upper()} {pattern}" for method in operations}
    return found


def full_matrix() -> dict[str, dict]:
    return {**MATRIX, **admin_rows()}


def gaps(matrix: dict[str, dict]) -> dict[str, list[str]]:
    covered = {key.split(" ", 1)[1] for key in matrix}
    patterns = set(resolver_patterns())
    registered = {model._meta.label_lower for model in admin.site._registry}
    return {
        "routes without a row in the matrix": sorted(patterns - covered),
        "API operations without a row in the matrix": sorted(api_operations() - set(matrix)),
        "matrix rows for routes that do not exist": sorted(k for k in matrix if k.split(" ", 1)[1] not in patterns),
        "admin models without a row in ADMIN_MODELS": sorted(registered - set(ADMIN_MODELS)),
    }


def test_every_route_has_a_row_and_every_row_a_route():
    found = {problem: names for problem, names in gaps(full_matrix()).items() if names}
    assert not found, found


# A site with one route more than the real one, to show the check names it.
urlpatterns = [*root_urls.urlpatterns, path("so-do-moi/", lambda request: HttpResponse("mới"))]


@pytest.mark.urls(__name__)
def test_a_new_route_without_a_row_is_named():
    found = gaps(full_matrix())
    assert found["routes without a row in the matrix"] == ["so-do-moi/"]


def test_a_row_for_a_route_that_is_gone_is_named():
    matrix = {**full_matrix(), "GET vendors/<str:code>/da-xoa/": everyone(404)}
    assert gaps(matrix)["matrix rows for routes that do not exist"] == ["GET vendors/<str:code>/da-xoa/"]


# --- the objects of market B the URLs name ----------------------------------------------


@dataclass
class World:
    values: dict
    bodies: dict


@pytest.fixture
def world(settings, operator, board_b, market_a, market_b, frozen_now) -> World:
    settings.VNPT_WEBHOOK_SECRETS = [VNPT_SECRET]
    settings.VIETTEL_CHECKSUM_KEYS = [VIETTEL_KEY]
    settings.MOBIFONE_WEBHOOK_SECRETS = [MOBIFONE_SECRET]
    data = vendor_payload(market_b, stall_number="B-003", phone="0912345678", national_id="092186000456")
    data.pop("market")
    data.pop("consent_given")
    hoa = services.vendor_register(actor=operator, market=market_b, data=data, consent_given=True)
    services.wallet_account_add(actor=operator, vendor=hoa, partner="vnpt", account_number="0912345678")
    services.wallet_account_add(actor=operator, vendor=hoa, partner="viettel", account_number="0987654321")
    code = PaymentCode.objects.filter(wallet_account__vendor=hoa, wallet_account__partner="vnpt").get()
    spare = WalletAccount.objects.get(vendor=hoa, partner="viettel")
    PaymentCode.objects.filter(wallet_account=spare).update(revoked_at=frozen_now, revoke_reason="Thử")
    for i in range(3):
        record("vnpt", f"VNPT-B-{i}", 45000 + i, at(DAY, 9, i), vendor=hoa)
    stray = record("vnpt", "VNPT-STRAY", 12000, at(DAY, 10), account="0900000000")
    written = write_settlement(partner="vnpt", day=DAY, plants={"amount": 3})  # at least two are B's
    reconciliation.settlement_file_import(
        actor=None, file_name=written.file_name, content=written.content, channel=Channel.COMMAND, partner="vnpt"
    )
    run = reconciliation.reconcile(actor=None, partner="vnpt", business_date=DAY)[0]
    exception = ReconciliationException.objects.filter(market=market_b).first()
    assert exception is not None, "the planted difference is market B's"
    job = ImportJob.objects.create(
        market=market_b,
        actor=board_b,
        filename="b.csv",
        content=IMPORT_CSV.encode(),
        dry_run=True,
        state="done",
        created_at=frozen_now,
    )
    audit = AuditEntry.objects.filter(market=market_b).first()
    Group.objects.create(name="Kiểm tra")
    # Each admin model's first object (0 where there is none: the admin
    # answers that like a missing object).
    admin_objects = {}
    for model in admin.site._registry:
        first = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        admin_objects[model._meta.label_lower] = first or 0
    values = {
        "code@market": market_b.code,
        "code@vendor": hoa.code,
        "code_id": code.pk,
        "account_id": spare.pk,
        "job_id": job.pk,
        "token": vendor_token(hoa),
        "txn_id": stray.pk,
        "delivery_id": WebhookDelivery.objects.get(transaction=stray).pk,
        "run_id": run.pk,
        "exception_id": exception.pk,
        "partner": "vnpt",
        "table": "markets",
        "format": "csv",
        "id": operator.pk,
        "content_type_id": ContentType.objects.get_for_model(AuditEntry).pk,
        "object_id": audit.pk,
        "admin_objects": admin_objects,
    }
    settlement = io.BytesIO(write_settlement(partner="viettel", day=DAY).content)
    settlement.name = write_settlement(partner="viettel", day=DAY).file_name
    bodies = {
        "POST api/v1/vendors": vendor_payload(market_b, stall_number="B-009"),
        "PATCH api/v1/vendors/<code>": {"trade_name": "Cá tươi"},
        "POST api/v1/vendors/<code>/wallet-accounts": {"partner": "mobifone", "account_number": "0901234567"},
        "POST api/v1/vendors/<code>/payment-codes/<code_id>/revoke": {"reason": "Mất áp phích"},
        "POST api/v1/transactions/<txn_id>/attribute": {"vendor": hoa.code, "note": "Đúng sạp"},
        "POST api/v1/transactions/<txn_id>/dismiss": {"note": "Chuyển nhầm"},
        "POST api/v1/reconciliation/exceptions/<exception_id>/resolve": {"note": "Đã đối chiếu"},
        "POST vendors/new/": {
            "market": market_b.code,
            "stall_number": "B-010",
            "full_name": "Lê Văn Tám",
            "phone": "0987000111",
            "national_id": "092186000789",
            "category": "rau-cu",
            "consent": "on",
        },
        "POST vendors/<str:code>/edit/": {**data, "trade_name": "Cá tươi"},
        "POST vendors/<str:code>/status/": {"status": "suspended"},
        "POST vendors/<str:code>/close/": {"reason": "Chuyển đi chợ khác"},
        "POST vendors/<str:code>/wallet-accounts/": {"partner": "mobifone", "account_number": "0901234567"},
        "POST vendors/<str:code>/codes/<int:code_id>/revoke/": {"reason": "Mất áp phích"},
        "POST transactions/<int:txn_id>/resolve/": {"action": "dismiss", "note": "Chuyển nhầm"},
        "POST reconciliation/exceptions/<int:exception_id>/resolve/": {"note": "Đã đối chiếu"},
        "POST i18n/setlang/": {"language": "en", "next": "/"},
    }
    uploads = {
        "POST api/v1/vendors/import": lambda: {"market": market_b.code, "file": _csv(IMPORT_CSV)},
        "POST api/v1/reconciliation/files": lambda: {"file": _named(settlement)},
    }
    return World(values, {**bodies, **uploads})


IMPORT_CSV = (
    "Số sạp,Họ và tên,Tên cửa hàng,Số điện thoại,Số CCCD,Ngành hàng,Đã đồng ý xử lý dữ liệu,"
    "Ví VNPT Money,Ví Viettel Money,Ví MobiFone Money\n"
    "B-020,Trần Văn Bảy,,0987111222,092186000321,Rau củ,Có,,,\n"
)


def _csv(text: str) -> io.BytesIO:
    handle = io.BytesIO(text.encode())
    handle.name = "nhap.csv"
    return handle


def _named(handle: io.BytesIO) -> io.BytesIO:
    handle.seek(0)
    return handle


def url_for(pattern: str, values: dict) -> str:
    if pattern in CONCRETE:
        return CONCRETE[pattern]
    if pattern.startswith("admin/") and "<path:object_id>" in pattern and not pattern.startswith("admin/r/"):
        app, name = pattern.split("/")[1:3]
        values = dict(values, object_id=values["admin_objects"][f"{app}.{name}"])

    def fill(match: re.Match) -> str:
        name = match.group(1).split(":")[-1]
        if name == "code":
            return str(values["code@market" if "markets/" in pattern and "vendors/" not in pattern else "code@vendor"])
        return str(values[name])

    return "/" + re.sub(r"<([^>]+)>", fill, pattern)


def client_for(user) -> Client:
    """A browser logged in as `user` that also sends its bearer token (the API
    reads the token; pages read the session)."""
    if user is None:
        return Client()
    raw = ApiToken.new_raw_token()
    ApiToken.objects.create(user=user, digest=ApiToken.digest_of(raw))
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def answer(response) -> str | int:
    if response.status_code == 302:
        target = urlparse(response["Location"]).path
        if target == "/accounts/login/":
            return LOGIN
        if target == "/admin/login/":
            return ADMIN_LOGIN
        return REDIRECT
    return response.status_code


def call(client: Client, key: str, world: World):
    method, pattern = key.split(" ", 1)
    path = url_for(pattern, world.values)
    body = world.bodies.get(key)
    if callable(body):
        return client.post(path, body())
    if pattern.startswith("api/") and method in ("POST", "PATCH"):
        return client.generic(method, path, json.dumps(body or {}), content_type="application/json")
    if method == "POST":
        return client.post(path, body or {})
    return client.get(path)


@pytest.mark.parametrize("role", ROLES)
def test_each_route_answers_each_role_as_the_matrix_says(role, world, board_a, department, operator):
    user = {"anonymous": None, "board": board_a, "department": department, "operator": operator}[role]
    wrong = []
    for key, expected in full_matrix().items():
        with transaction.atomic():
            # A fresh browser for each row: the logout rows end the session.
            client = client_for(user)
            if user is not None:
                client.force_login(user)
            got = answer(call(client, key, world))
            transaction.set_rollback(True)
        if got != expected[role]:
            wrong.append(f"{key}: {got}, expected {expected[role]}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


def test_a_transaction_and_an_exception_of_market_b_exist_for_the_urls(world):
    """The matrix's 404s for a board mean 'not yours', not 'not there'."""
    assert Transaction.objects.filter(market__code="NK02").exists()
    assert ReconciliationException.objects.filter(pk=world.values["exception_id"], market__code="NK02").exists()


@pytest.mark.parametrize(
    "tail", ["", "poster.pdf", "qr/1.png", "check", "manifest.webmanifest", "revenue.pdf", "revenue.xlsx"]
)
def test_the_vendor_link_routes_refuse_a_tampered_token(world, tail):
    token = world.values["token"]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert Client().get(f"/v/{tampered}/{tail}").status_code == 404
