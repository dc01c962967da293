"""Shared test set-up: named users per role, API clients, real services.

Markers (pyproject.toml): `postgres` for what needs a server's row locks,
planner or several connections (every run has PostgreSQL, so these always
run), `redis` for a real Redis (skipped without REDIS_URL), `e2e` for the
browser journeys of tests/e2e/ (`pytest -m "not e2e"` is the fast loop).
With REQUIRE_REAL_SERVICES=1 (CI), any skipped test fails the run: every
test must run against the real PostgreSQL and Redis there.
"""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from core.models import ApiToken, Role, StaffProfile
from market40 import database
from market40.celery import app as celery_app
from merchants.markets_register import ensure_register_loaded
from merchants.models import Market

E2E = Path(__file__).parent / "e2e"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if E2E in item.path.parents:
            item.add_marker(pytest.mark.e2e)
    # The browser journeys run last: Playwright's sync API keeps an event loop
    # running in the test thread for the rest of the session, where a test's
    # own asyncio.run() would then be refused.
    items.sort(key=lambda item: E2E in item.path.parents)


def pytest_runtest_setup(item):
    if item.get_closest_marker("redis") and not os.environ.get("REDIS_URL"):
        pytest.skip("needs Redis (set REDIS_URL)")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On the embedded server, which every run of the checkout shares, each
    run makes its own test database, so two runs at once never meet."""
    from django.conf import settings

    if settings.DATABASE_EMBEDDED:
        for db_settings in settings.DATABASES.values():
            test = db_settings.setdefault("TEST", {})
            base = test.get("NAME") or f"test_{db_settings['NAME']}"
            _drop_databases_of_gone_runs(base)
            test["NAME"] = f"{base}_{os.getpid()}"


def _drop_databases_of_gone_runs(base: str) -> None:
    """A run killed before its teardown leaves its test database behind."""
    import psutil
    import psycopg
    from psycopg import sql

    with psycopg.connect(database.with_database(os.environ["DATABASE_URL"], "postgres"), autocommit=True) as conn:
        for (name,) in conn.execute("SELECT datname FROM pg_database WHERE starts_with(datname, %s)", [f"{base}_"]):
            pid = name.removeprefix(f"{base}_")
            if pid.isdigit() and not psutil.pid_exists(int(pid)):
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if os.environ.get("REQUIRE_REAL_SERVICES") == "1" and skipped:
        print(f"\nREQUIRE_REAL_SERVICES: {skipped} test(s) were skipped; failing the run")
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def _vietnamese_after_each_test():
    """A request leaves its language active in the thread (the middleware
    activates one per request); a test that asked for English must not turn
    the next test's commands and services English."""
    yield
    from django.utils import translation

    translation.activate("vi")


@pytest.fixture(autouse=True)
def _celery_in_process(settings):
    """Unit tests run tasks in process; tests of the real worker opt out."""
    # A fast hasher: the named users are made for every test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield


@pytest.fixture(autouse=True)
def _market_register(request):
    """The register ships in a data migration, but transactional tests flush
    the tables when they end; put it back for the tests after them."""
    if request.node.get_closest_marker("django_db"):
        ensure_register_loaded()
    yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield


def make_user(username: str, role: str, markets: list[Market] = ()) -> User:
    user = User.objects.create_user(username=username, password="mat-khau-thu-nghiem-1")
    profile = StaffProfile.objects.create(user=user, role=role)
    profile.markets.set(markets)
    if role == Role.OPERATOR:
        user.is_staff = True
        user.is_superuser = True
        user.save()
    return user


@pytest.fixture
def market_a(db) -> Market:
    ensure_register_loaded()
    return Market.objects.get(code="NK01")


@pytest.fixture
def market_b(db) -> Market:
    ensure_register_loaded()
    return Market.objects.get(code="NK02")


@pytest.fixture
def board_a(market_a) -> User:
    return make_user("bql_tanan", Role.BOARD, [market_a])


@pytest.fixture
def board_b(market_b) -> User:
    return make_user("bql_xuankhanh", Role.BOARD, [market_b])


@pytest.fixture
def department(db) -> User:
    return make_user("so_congthuong", Role.DEPARTMENT)


@pytest.fixture
def operator(db) -> User:
    return make_user("van_hanh", Role.OPERATOR)


class ApiClient(Client):
    """A test client speaking JSON to /api/v1 with a bearer token."""

    def __init__(self, user: User | None = None) -> None:
        super().__init__()
        self.token = None
        if user is not None:
            raw = ApiToken.new_raw_token()
            ApiToken.objects.create(user=user, digest=ApiToken.digest_of(raw))
            self.token = raw

    def _auth(self, extra: dict) -> dict:
        if self.token:
            extra.setdefault("HTTP_AUTHORIZATION", f"Bearer {self.token}")
        return extra

    def get(self, path, data=None, **extra):
        return super().get(path, data, **self._auth(extra))

    def post(self, path, data=None, content_type="application/json", **extra):
        return super().post(path, data, content_type=content_type, **self._auth(extra))

    def patch(self, path, data=None, content_type="application/json", **extra):
        return super().patch(path, data, content_type=content_type, **self._auth(extra))

    def upload(self, path, data, **extra):
        """Multipart POST (files)."""
        return Client.post(self, path, data, **self._auth(extra))


@pytest.fixture
def api_for():
    return ApiClient


def vendor_payload(market: Market, **overrides) -> dict:
    payload = {
        "market": market.code,
        "stall_number": "A-012",
        "full_name": "Nguyễn Thị Lan",
        "trade_name": "Rau sạch Cô Lan",
        "phone": "0912 345 678",
        "national_id": "092186000123",
        "category": "rau-cu",
        "consent_given": True,
    }
    payload.update(overrides)
    return payload
