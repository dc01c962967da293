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
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver

from core.models import ApiToken, AuditEntry
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
    "GET ": row(LOGIN, 200, 200, 200),
    "GET markets/<str:code>/today/": row(LOGIN, 404, 200, 200),
    "GET accounts/login/": row(200, REDIRECT, REDIRECT, REDIRECT),
    "POST accounts/logout/": everyone(REDIRECT),
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
    "POST vendors/<str:code>/wallet-accounts/": row(LOGIN, 404, 403, REDIRECT),
    "POST vendors/<str:code>/codes/<int:code_id>/reissue/": row(LOGIN, 404, 403, REDIRECT),
    "POST vendors/<str:code>/codes/<int:code_id>/revoke/": row(LOGIN, 404, 403, REDIRECT),
    "POST vendors/<str:code>/wallet-accounts/<int:account_id>/issue/": row(LOGIN, 404, 403, REDIRECT),
    # The vendor's signed link: no account, the same for everyone.
    "GET v/<str:token>/": everyone(200),
    "GET v/<str:token>/poster.pdf": everyone(200),
    "GET v/<str:token>/qr/<int:code_id>.png": everyone(200),
    "GET vendors/<str:code>/poster.pdf": row(LOGIN, 404, 200, 200),
    "GET markets/<str:code>/posters/": row(LOGIN, 404, 200, 200),
    "GET markets/<str:code>/posters.pdf": row(LOGIN, 404, 200, 200),
    "GET transactions/": row(LOGIN, 200, 200, 200),
    "GET webhooks/deliveries/": row(LOGIN, 403, 403, 200),
    "POST webhooks/deliveries/<int:delivery_id>/replay/": row(LOGIN, 403, 403, REDIRECT),
    "GET transactions/unattributed/": row(LOGIN, 403, 403, 200),
    "POST transactions/<int:txn_id>/resolve/": row(LOGIN, 403, 403, REDIRECT),
    "GET dashboard/": row(LOGIN, 404, 200, 200),
    "GET dashboard/markets/<str:code>/": row(LOGIN, 404, 200, 200),
    "GET dashboard/export/<str:table>.<str:format>": row(LOGIN, 404, 200, 200),
    "GET dashboard/report.pdf": row(LOGIN, 404, 200, 200),
    "GET reconciliation/": row(LOGIN, 403, 200, 200),
    "GET reconciliation/runs/<int:run_id>/": row(LOGIN, 403, 200, 200),
    "GET reconciliation/runs/<int:run_id>/export.csv": row(LOGIN, 403, 200, 200),
    "GET reconciliation/runs/<int:run_id>/report.pdf": row(LOGIN, 403, 200, 200),
    "GET reconciliation/exceptions/": row(LOGIN, 200, 200, 200),
    "POST reconciliation/exceptions/<int:exception_id>/resolve/": row(LOGIN, 404, 403, REDIRECT),
    "GET reconciliation/upload/": row(LOGIN, 403, 403, 200),
    # The admin site's own pages: operators only (staff); everyone else is
    # sent to the admin's login.
    "GET admin/": row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200),
    "GET admin/login/": row(200, 200, 200, REDIRECT),
    "POST admin/logout/": row(200, 200, 200, 200),
    "GET admin/password_change/": row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200),
    "GET admin/password_change/done/": row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200),
    "GET admin/autocomplete/": row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 403),
    "GET admin/jsi18n/": row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200),
    "GET admin/r/<path:content_type_id>/<path:object_id>/": row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, REDIRECT),
    "GET admin/auth/user/<id>/password/": row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200),
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
}


def admin_rows() -> dict[str, dict]:
    rows = {}
    for model, statuses in ADMIN_MODELS.items():
        app, name = model.split(".")
        for page, status in zip(ADMIN_PAGES, statuses, strict=True):
            rows[f"GET admin/{app}/{name}/{page}"] = row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, status)
    return rows


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
    for path, operations in document["paths"].items():
        pattern = path.lstrip("/").replace("{", "<").replace("}", ">")
        found |= {f"{method.upper()} {pattern}" for method in operations}
    return found


def full_matrix() -> dict[str, dict]:
    return {**MATRIX, **admin_rows()}


def test_every_route_has_a_row_and_every_row_a_route():
    matrix = full_matrix()
    covered = {key.split(" ", 1)[1] for key in matrix}
    patterns = set(resolver_patterns())
    registered = {model._meta.label_lower for model in admin.site._registry}

    missing = sorted(patterns - covered)
    missing_ops = sorted(api_operations() - set(matrix))
    unknown = sorted(key for key in matrix if key.split(" ", 1)[1] not in patterns)
    unplanned_models = sorted(registered - set(ADMIN_MODELS))
    assert not missing, f"routes without a row in the matrix: {missing}"
    assert not missing_ops, f"API operations without a row in the matrix: {missing_ops}"
    assert not unknown, f"matrix rows for routes that do not exist: {unknown}"
    assert not unplanned_models, f"admin models without a row in ADMIN_MODELS: {unplanned_models}"


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
    written = write_settlement(partner="vnpt", day=DAY, plants={"amount": 1})
    reconciliation.settlement_file_import(
        actor=None, file_name=written.file_name, content=written.content, channel=Channel.COMMAND, partner="vnpt"
    )
    run = reconciliation.reconcile(actor=None, partner="vnpt", business_date=DAY)[0]
    exception = ReconciliationException.objects.filter(market=market_b).first()
    assert exception is not None, "the planted difference is market B's"
    job = ImportJob.objects.create(
        market=market_b, actor=board_b, filename="b.csv", content=b"", dry_run=True, state="done", created_at=frozen_now
    )
    audit = AuditEntry.objects.filter(market=market_b).first()
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
        "POST vendors/<str:code>/wallet-accounts/": {"partner": "mobifone", "account_number": "0901234567"},
        "POST vendors/<str:code>/codes/<int:code_id>/revoke/": {"reason": "Mất áp phích"},
        "POST transactions/<int:txn_id>/resolve/": {"action": "dismiss", "note": "Chuyển nhầm"},
        "POST reconciliation/exceptions/<int:exception_id>/resolve/": {"note": "Đã đối chiếu"},
        "POST i18n/setlang/": {"language": "en", "next": "/"},
    }
    uploads = {
        "POST api/v1/vendors/import": lambda: {"market": market_b.code, "file": _csv("Số sạp,Họ và tên\n")},
        "POST api/v1/reconciliation/files": lambda: {"file": _named(settlement)},
    }
    return World(values, {**bodies, **uploads})


def _csv(text: str) -> io.BytesIO:
    handle = io.BytesIO(text.encode())
    handle.name = "nhap.csv"
    return handle


def _named(handle: io.BytesIO) -> io.BytesIO:
    handle.seek(0)
    return handle


def url_for(pattern: str, values: dict) -> str:
    def fill(match: re.Match) -> str:
        name = match.group(1).split(":")[-1]
        if name == "code":
            return str(values["code@market" if "markets/" in pattern and "vendors/" not in pattern else "code@vendor"])
        return str(values[name])

    return "/" + re.sub(r"<([^>]+)>", fill, pattern)


def clients(board_a, department, operator) -> dict[str, Client]:
    out = {"anonymous": Client()}
    for role, user in (("board", board_a), ("department", department), ("operator", operator)):
        raw = ApiToken.new_raw_token()
        ApiToken.objects.create(user=user, digest=ApiToken.digest_of(raw))
        client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        client.force_login(user)
        out[role] = client
    return out


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
    client = clients(board_a, department, operator)[role]
    wrong = []
    for key, expected in full_matrix().items():
        with transaction.atomic():
            got = answer(call(client, key, world))
            transaction.set_rollback(True)
        if got != expected[role]:
            wrong.append(f"{key}: {got}, expected {expected[role]}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


def test_a_transaction_and_an_exception_of_market_b_exist_for_the_urls(world):
    """The matrix's 404s for a board mean 'not yours', not 'not there'."""
    assert Transaction.objects.filter(market__code="NK02").exists()
    assert ReconciliationException.objects.filter(pk=world.values["exception_id"], market__code="NK02").exists()
