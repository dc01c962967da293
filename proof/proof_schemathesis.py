"""Schemathesis against the live API, as the board of one market while a
second market's vendors, accounts, codes, transactions and reconciliation
exceptions exist.

Two passes over `/api/v1/openapi.json`, both seeded by the proof seed:

1. As board A (bearer token), every Schemathesis check, plus two of ours:
   no response ever carries market B's codes, names, phone numbers, CCCD,
   references or ids, and (through Schemathesis' object-level authorization
   check with board B as a peer) board B never reads an object board A reads.
2. Aimed at market B: every operation with a path parameter gets B's object
   in its path, and every `market` field or filter names B. Each answer must
   be 404 (403 for operator-only routes, which refuse a board before looking
   at any object), and afterwards market B's rows in the database are exactly
   what they were.

The server is the web server as deployed (`proof.live`) on a scratch PostgreSQL
database (`<DATABASE_URL's name>_schemathesis`), with Celery tasks run in
process so a poster batch or a reconciliation rerun a request starts
completes inside the run.
"""

import contextlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.bench_webhooks import SECRETS
from bench.common import Row
from proof import live

REDIS_URL = os.environ.get("PROOF_API_REDIS_URL", "redis://127.0.0.1:6379/12")
PASSWORD = "mat-khau-proof-40"  # noqa: S105 - scratch users of a throw-away database
# Per operation and pass; the run covers ~40 operations in all four phases.
MAX_EXAMPLES = int(os.environ.get("PROOF_SCHEMATHESIS_EXAMPLES", "40"))
SCENARIO = "schemathesis"


# --- the live stack: scratch database, seed data, web server ----------------------------


@dataclass
class Stack:
    """A migrated, seeded scratch database and the web server serving it."""

    url: str
    database_url: str
    env: dict
    seeded: dict
    log_path: Path

    @property
    def host(self) -> str:
        return self.url.removeprefix("http://")

    def sql(self, query: str, params: tuple = ()) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.database_url) as conn:
            return conn.execute(query, params).fetchall()


@contextlib.contextmanager
def live_stack(
    seed: int, *, suffix: str = SCENARIO, port: int | None = None, workers: int = 3, **extra_env: str
) -> Iterator[Stack]:
    """Create, migrate and seed a scratch database (`<DATABASE_URL's name>_<suffix>`),
    then serve it with the web server; its error output, the application's log
    included, goes to a file kept as var/proof-<suffix>.log."""
    port = port or live.free_port()
    tmp = tempfile.TemporaryDirectory(prefix="proof-api-")
    log_path = Path(tmp.name) / "server.log"
    try:
        with live.scratch_postgres(suffix) as database_url:
            env = live.server_env(
                database_url,
                REDIS_URL=REDIS_URL,
                # A poster batch or a reconciliation rerun a request starts finishes inside it.
                CELERY_TASK_ALWAYS_EAGER="1",
                MOBIFONE_BIN="970400",
                **SECRETS,
                **extra_env,
            )
            # The cache holds login throttling; a run must not inherit the last one's.
            import redis

            redis.Redis.from_url(REDIS_URL).flushdb()
            live.manage(env, "migrate", "--noinput")
            out = live.manage(
                env, "shell", "-c", f"from proof.proof_schemathesis import seed_two_markets; seed_two_markets({seed})"
            )
            stack = Stack(
                f"http://127.0.0.1:{port}", database_url, env, json.loads(out.strip().splitlines()[-1]), log_path
            )
            with live.web_server(env, workers=workers, port=port, log=log_path):
                yield stack
    finally:
        # The server's log stays for a look after the run (var/ is not tracked).
        if log_path.exists():
            (live.ROOT / "var").mkdir(exist_ok=True)
            shutil.copyfile(log_path, live.ROOT / "var" / f"proof-{suffix}.log")
        tmp.cleanup()


# --- the seed (runs inside Django, in the scratch database) ---------------------------

MARKETS = {"a": "NK01", "b": "NK02"}
FAMILIES = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Đặng"]
GIVEN = ["Thị Lan", "Văn Tám", "Thị Hoa", "Minh Tâm", "Ngọc Mai", "Hữu Phước", "Thị Cúc", "Quốc Bảo"]
PHONE_PREFIXES = ["090", "091", "093", "097", "098", "086", "032", "070"]
PARTNERS = ("vnpt", "viettel", "mobifone")


def seed_two_markets(seed: int) -> None:
    """Users of every role with tokens; per market four vendors (three active
    with an account at every partner, one draft), two payments per account
    yesterday through the real webhook intake, one unattributed payment, and
    a reconciliation of yesterday against settlement files with planted
    differences. Prints what was made as one JSON line."""
    import datetime as dt

    from django.contrib.auth.models import User

    from core import clock
    from core.models import ApiToken, Role, StaffProfile
    from merchants import services
    from merchants.models import Market, PaymentCode, Vendor, WalletAccount
    from payments import intake
    from payments.models import Transaction
    from payments.partners import Notice, adapter_for
    from reconciliation import services as reconciliation
    from reconciliation.models import Channel, ReconciliationException
    from reconciliation.simulate import write_settlement

    rng = random.Random(seed)
    markets = {side: Market.objects.get(code=code) for side, code in MARKETS.items()}

    def user(username: str, role: str, market_list=()) -> dict:
        person = User.objects.create_user(username=username, password=PASSWORD)
        StaffProfile.objects.create(user=person, role=role).markets.set(market_list)
        if role == Role.OPERATOR:
            person.is_staff = person.is_superuser = True
            person.save()
        raw = ApiToken.new_raw_token()
        ApiToken.objects.create(user=person, digest=ApiToken.digest_of(raw))
        return {"username": username, "password": PASSWORD, "token": raw}

    users = {
        "board_a": user("bql_a", Role.BOARD, [markets["a"]]),
        "board_b": user("bql_b", Role.BOARD, [markets["b"]]),
        "department": user("so_ct", Role.DEPARTMENT),
        "operator": user("van_hanh", Role.OPERATOR),
    }
    operator = User.objects.get(username="van_hanh")

    # Distinct names and numbers, so any of B's found in an answer to A is B's.
    names = iter(rng.sample([f"{family} {given}" for family in FAMILIES for given in GIVEN], 8))
    phones = iter(rng.sample(range(10**7), 8))
    vendors: dict[str, list[Vendor]] = {"a": [], "b": []}
    for side, market in markets.items():
        for i in range(4):
            phone = f"{rng.choice(PHONE_PREFIXES)}{next(phones):07d}"
            national_id = f"0921{rng.randrange(60, 99)}{rng.randrange(10**6):06d}"
            vendor = services.vendor_register(
                actor=operator,
                market=market,
                data={
                    "stall_number": f"{side.upper()}-{i + 1:03d}",
                    "full_name": next(names),
                    "trade_name": f"Sạp {side.upper()}{i}",
                    "phone": phone,
                    "national_id": national_id,
                    "category": "rau-cu",
                },
                consent_given=True,
                activate=i < 3,
            )
            vendors[side].append(vendor)
            for partner in PARTNERS:
                services.wallet_account_add(actor=operator, vendor=vendor, partner=partner, account_number=phone)

    now = clock.now()
    day = clock.today() - dt.timedelta(days=1)
    noon = dt.datetime.combine(day, dt.time(10, 0), tzinfo=clock.BUSINESS_TZ)
    counter = 0

    def pay(partner: str, account: str, reference: str) -> None:
        nonlocal counter
        counter += 1
        when = noon + dt.timedelta(minutes=counter)
        adapter = adapter_for(partner)
        notice = Notice(
            partner_transaction_id=f"P{seed % 10000:04d}{partner[:2].upper()}{counter:05d}",
            kind="payment",
            status="completed",
            partner_status={"viettel": "00", "mobifone": "SUCCESS"}.get(partner, ""),
            amount=rng.choice([5000, 20000, 45000, 120000]),
            completed_at=when,
            credit_account=account,
            reference=reference,
            description=f"{reference} Thanh toan".strip(),
            status_updated_at=when if partner == "mobifone" else None,
        )
        headers, body = adapter.encode(notice, secret=adapter.secrets()[0], now=now)
        received = intake.receive_delivery(partner=partner, headers=headers, body=body)
        if received.delivery.verdict != "accepted":
            raise RuntimeError(f"seed delivery refused: {received.delivery.reason}")

    for side in ("a", "b"):
        for vendor in vendors[side][:3]:
            for partner in PARTNERS:
                for _ in range(2):
                    pay(partner, vendor.phone, vendor.payment_reference)
    pay("vnpt", "0999999999", "")  # nobody's account: the unattributed queue

    # Eight differences among each partner's twelve payments (six per
    # market): at least two land in each market whatever the seed.
    for index, partner in enumerate(PARTNERS):
        written = write_settlement(
            partner=partner, day=day, plants={"amount": 4, "status": 3, "duplicate": 1, "extra": 1}, seed=seed + index
        )
        reconciliation.settlement_file_import(
            actor=None, file_name=written.file_name, content=written.content, channel=Channel.COMMAND, partner=partner
        )
        reconciliation.reconcile(actor=None, partner=partner, business_date=day)

    def of(side: str) -> dict:
        market = markets[side]
        side_vendors = Vendor.objects.filter(market=market)
        accounts = WalletAccount.objects.filter(vendor__market=market)
        codes = PaymentCode.objects.filter(wallet_account__vendor__market=market)
        txns = Transaction.objects.filter(market=market)
        exceptions = ReconciliationException.objects.filter(market=market)
        return {
            "market": market.code,
            "market_name": market.name,
            "vendors": list(side_vendors.values_list("code", flat=True)),
            "names": list(side_vendors.values_list("full_name", flat=True)),
            "phones": list(side_vendors.values_list("phone", flat=True)),
            "national_ids": list(side_vendors.values_list("national_id", flat=True)),
            "references": list(side_vendors.values_list("payment_reference", flat=True)),
            "accounts": list(accounts.values_list("pk", flat=True)),
            "codes": list(codes.values_list("pk", flat=True)),
            "transactions": list(txns.values_list("pk", flat=True)),
            "partner_txn_ids": list(txns.values_list("partner_transaction_id", flat=True)),
            "exceptions": list(exceptions.values_list("pk", flat=True)),
            # (vendor, its code) and (vendor, its account): a path names an
            # object of B that exists, so only the market can refuse it.
            "code_pairs": [
                [vendor, pk] for vendor, pk in codes.values_list("wallet_account__vendor__code", "pk").order_by("pk")
            ],
            "account_pairs": [[vendor, pk] for vendor, pk in accounts.values_list("vendor__code", "pk").order_by("pk")],
        }

    from payments.models import WebhookDelivery
    from reconciliation.models import ReconciliationRun

    print(
        json.dumps(
            {
                "users": users,
                "a": of("a"),
                "b": of("b"),
                "day": day.isoformat(),
                "runs": list(ReconciliationRun.objects.values_list("pk", flat=True)),
                "deliveries": list(WebhookDelivery.objects.values_list("pk", flat=True)),
            }
        )
    )


# --- market B's footprint in the database ---------------------------------------------

# Every row that belongs to market B, by table; the digest of each must not
# move while board A is at work.
B_ROWS = {
    "merchants_vendor": "market_id = {m}",
    "merchants_walletaccount": "vendor_id in (select id from merchants_vendor where market_id = {m})",
    "merchants_paymentcode": "wallet_account_id in (select w.id from merchants_walletaccount w "
    "join merchants_vendor v on v.id = w.vendor_id where v.market_id = {m})",
    "payments_transaction": "market_id = {m}",
    "reconciliation_reconciliationexception": "market_id = {m}",
    "core_auditentry": "market_id = {m}",
    "merchants_importjob": "market_id = {m}",
    "printables_posterbatch": "market_id = {m}",
    "merchants_market": "id = {m}",
}


def market_footprint(stack: Stack, code: str) -> dict[str, str]:
    """Row count and MD5 of every row of the market, per table."""
    market_id = stack.sql("select id from merchants_market where code = %s", (code,))[0][0]
    out = {}
    for table, where in B_ROWS.items():
        query = (
            f"select count(*), coalesce(md5(string_agg(t::text, '|' order by t.id)), '') "  # noqa: S608
            f"from {table} t where {where.format(m=int(market_id))}"
        )
        count, digest = stack.sql(query)[0]
        out[table] = f"{count}:{digest}"
    return out


# --- Schemathesis hooks (loaded by the CLI through SCHEMATHESIS_HOOKS) -----------------

# Routes that refuse a board whatever object they name (operators, or
# operators and the department, only): 403 before any lookup, so the answer
# says nothing about the object.
BOARD_REFUSED = (
    "/transactions/unattributed",
    "/transactions/{txn_id}/attribute",
    "/transactions/{txn_id}/dismiss",
    "/webhook-deliveries",
    "/reconciliation/files",
    "/reconciliation/runs",
)
# Paths whose `{code}` is a market's code rather than a vendor's.
MARKET_CODE_PATHS = ("/markets/{code}",)
# Which table an `id` in an answer comes from, by the operation's path.
ID_KINDS = (
    ("/payment-codes", "codes"),
    ("/issue-code", "codes"),
    ("/transactions", "transactions"),
    ("/exceptions", "exceptions"),
    ("/wallet-accounts", "accounts"),
)


def _board_refused(path: str) -> bool:
    return any(part in path for part in BOARD_REFUSED)


def _forbidden_strings(b: dict) -> list[str]:
    """What the server assigned to market B: it can reach board A only through a leak."""
    values = [b["market"], b["market_name"], *b["vendors"], *b["references"], *b["partner_txn_ids"]]
    return [v for v in values if v]


def _personal_strings(b: dict) -> list[str]:
    """B's people: board A may type the same name or number for a vendor of its
    own (someone trading in both markets), so these count only until A sent them."""
    return [*b["names"], *b["phones"], *b["national_ids"]]


def _ids_in(document, path: str) -> dict[str, set[int]]:
    """Ids found in an answer, by the table they come from."""
    found: dict[str, set[int]] = {"codes": set(), "transactions": set(), "exceptions": set(), "accounts": set()}
    top = next((kind for part, kind in ID_KINDS if part in path), None)

    def walk(node, kind: str | None) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item, kind)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key == "id" and kind and isinstance(value, int):
                    found[kind].add(value)
                elif key in ("wallet_account",) and isinstance(value, int):
                    found["accounts"].add(value)
                elif key in ("transaction_id", "original_id") and isinstance(value, int):
                    found["transactions"].add(value)
                elif key == "wallet_accounts":
                    walk(value, "accounts")
                elif key == "items":
                    walk(value, kind)
                elif isinstance(value, dict | list):
                    walk(value, None)

    walk(document, top)
    return found


def leaked(
    b: dict, path: str, content_type: str, content: bytes, *, sent: str = "", sent_before: str = ""
) -> list[str]:
    """What of market B an answer carries, leaving out what the request itself
    sent (an answer may echo its input) and B's personal data that board A
    has already sent as its own."""
    text = ""
    if content_type.startswith("application/pdf"):
        import io

        import pypdf

        try:
            text = "\n".join(page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(content)).pages)
        except Exception:  # noqa: BLE001 - a PDF pypdf cannot read has no text to leak through it
            text = ""
    elif not content_type.startswith("image/png"):
        text = content.decode("utf-8", "replace")
    found = [value for value in _forbidden_strings(b) if value in text and value not in sent]
    found += [
        value for value in _personal_strings(b) if value in text and value not in sent + sent_before + b["typed_by_a"]
    ]
    if content_type.startswith("application/json"):
        with contextlib.suppress(ValueError):
            ids = _ids_in(json.loads(text), path)
            for kind, values in ids.items():
                found += [f"{kind} id {i}" for i in sorted(values & set(b[kind]))]
    return found


def _register_hooks(target: dict) -> None:
    import schemathesis
    from hypothesis import strategies as st

    b = target["b"]
    aim_at_b = target.get("pass") == "b"
    history: list[str] = []

    @schemathesis.check
    def market_b_never_shown(ctx, response, case) -> None:
        """No answer to board A carries market B's codes, names, personal data or ids."""
        content_type = response.headers.get("content-type", [""])
        content_type = content_type[0] if isinstance(content_type, list) else content_type
        request = response.request
        sent = f"{request.url} {request.body!r}"
        if isinstance(request.body, bytes):
            sent += request.body.decode("utf-8", "replace")
        sent = urllib.parse.unquote_plus(sent)
        try:
            sent += json.dumps(case.body, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            pass
        found = leaked(b, case.operation.path, content_type, response.content, sent=sent, sent_before="".join(history))
        history.append(sent)
        if found:
            raise AssertionError(f"market {b['market']}'s data in the answer: {', '.join(found[:5])}")

    if not aim_at_b:
        return

    b_values = {
        "code": {*b["vendors"], b["market"]},
        "code_id": set(b["codes"]),
        "account_id": set(b["accounts"]),
        "txn_id": set(b["transactions"]),
        "exception_id": set(b["exceptions"]),
    }

    def names_b(case) -> bool:
        """Whether the request, as sent, names an object or the market of B
        (phases that draw values without our hooks send A's own)."""
        params = case.path_parameters or {}
        if any(value in b_values.get(name, ()) for name, value in params.items()):
            return True
        return isinstance(case.body, dict) and case.body.get("market") == b["market"]

    @schemathesis.check
    def market_b_refused(ctx, response, case) -> None:
        """A request naming market B's object is refused: 404 (403 where a
        board is refused whatever the object)."""
        if not names_b(case):
            return
        path = case.operation.path
        wanted = 403 if _board_refused(path) else 404
        with open(target["aimed_log"], "a", encoding="utf-8") as log:
            log.write(f"{case.operation.method.upper()} {path} {response.status_code}\n")
        if response.status_code != wanted:
            raise AssertionError(
                f"{case.operation.method.upper()} {path} aimed at market {b['market']}: "
                f"{response.status_code}, expected {wanted}"
            )

    @schemathesis.hook
    def flatmap_path_parameters(ctx, path_parameters):
        path = ctx.operation.path
        params = dict(path_parameters or {})
        if not params:
            return st.just(params)
        names = set(params)
        if names == {"code"}:
            pool = [b["market"]] if any(p in path for p in MARKET_CODE_PATHS) else b["vendors"]
            return st.sampled_from(pool).map(lambda code: {"code": code})
        if names == {"code", "code_id"}:
            return st.sampled_from(b["code_pairs"]).map(lambda pair: {"code": pair[0], "code_id": pair[1]})
        if names == {"code", "account_id"}:
            return st.sampled_from(b["account_pairs"]).map(lambda pair: {"code": pair[0], "account_id": pair[1]})
        single = {"txn_id": b["transactions"], "exception_id": b["exceptions"], "run_id": target["runs"]}
        single["delivery_id"] = target["deliveries"]
        if len(names) == 1 and (name := next(iter(names))) in single:
            return st.sampled_from(single[name]).map(lambda value: {name: value})
        raise RuntimeError(f"no market-B object for the path parameters {sorted(names)} of {path}")

    @schemathesis.hook
    def map_query(ctx, query):
        if query and "market" in query:
            query["market"] = b["market"]
        if query and "vendor" in query:
            query["vendor"] = b["vendors"][0]
        return query

    @schemathesis.hook
    def map_body(ctx, body):
        if isinstance(body, dict) and "market" in body:
            body["market"] = b["market"]
        return body


if os.environ.get("PROOF_SCHEMATHESIS_TARGET"):
    _register_hooks(json.loads(Path(os.environ["PROOF_SCHEMATHESIS_TARGET"]).read_text(encoding="utf-8")))


# --- the run -------------------------------------------------------------------------


def _schemathesis(stack: Stack, workdir: Path, name: str, seed: int, target: dict, *args: str) -> dict:
    """One Schemathesis CLI run; its JSON report."""
    target_path = workdir / f"{name}-target.json"
    target_path.write_text(json.dumps(target), encoding="utf-8")
    report = workdir / f"{name}.json"
    report.unlink(missing_ok=True)
    env = dict(
        os.environ,
        SCHEMATHESIS_HOOKS="proof.proof_schemathesis",
        PROOF_SCHEMATHESIS_TARGET=str(target_path),
        PYTHONPATH=str(live.ROOT),
    )
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(workdir / "schemathesis.toml"),
        "run",
        f"{stack.url}/api/v1/openapi.json",
        f"--seed={seed}",
        f"--max-examples={MAX_EXAMPLES}",
        "--workers=1",
        "--no-color",
        "--report=json",
        f"--report-json-path={report}",
        "--generation-database=none",
        "--request-timeout=30",
        *args,
    ]
    started = time.monotonic()
    # In the scratch folder: Schemathesis keeps a cache of past crashes in its
    # working directory and would replay them, so each run starts from none.
    done = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True)  # noqa: S603 - our interpreter
    (workdir / f"{name}.out").write_text(done.stdout + done.stderr, encoding="utf-8")
    if not report.exists():
        raise RuntimeError(f"schemathesis wrote no report: {(done.stdout + done.stderr)[-3000:]}")
    result = json.loads(report.read_text(encoding="utf-8"))
    result["_seconds"] = time.monotonic() - started
    result["_output"] = done.stdout + done.stderr
    return result


# Refusals of schema-valid requests that no OpenAPI document can state; the
# services check them and name the field (422), or the object is gone (410).
# The one answer to schema-violating requests that comes from the server, not
# the document, is added to Schemathesis's own list in `_config`.
RULES_BEYOND_THE_SCHEMA = """
# A date range whose end comes before its start; a report day after today.
[[operations]]
include-name = ["GET /api/v1/transactions", "GET /api/v1/reconciliation/runs", "GET /api/v1/reconciliation/exceptions",
                "GET /api/v1/adoption", "GET /api/v1/adoption/markets/{code}", "GET /api/v1/adoption/export"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422"]

# A vendor's phone prefix, CCCD province and birth year, name letters; an
# uploaded spreadsheet's contents.
[[operations]]
include-name = ["POST /api/v1/vendors", "PATCH /api/v1/vendors/{code}", "POST /api/v1/vendors/import"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422"]

# A revocation reason made only of spaces or control characters (U+001D),
# which is no reason (seed 35130).
[[operations]]
include-name = ["POST /api/v1/vendors/{code}/payment-codes/{code_id}/revoke"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422"]

# The image of a code revoked earlier in the run.
[[operations]]
include-name = ["GET /api/v1/vendors/{code}/payment-codes/{code_id}/qr.png",
                "GET /api/v1/vendors/{code}/payment-codes/{code_id}/qr.svg"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "410"]
"""


def _config(workdir: Path, users: dict) -> None:
    """Board A acts; board B is its peer for the object-level authorization check."""
    auth = {
        "schemaVersion": "1.0",
        "auth": [
            {"name": name, "fixedHeaders": [{"name": "Authorization", "value": f"Bearer {users[name]['token']}"}]}
            for name in ("board_a", "board_b")
        ],
    }
    (workdir / "auth.json").write_text(json.dumps(auth), encoding="utf-8")
    (workdir / "schemathesis.toml").write_text(
        f'[auth.wfc]\npath = "{workdir / "auth.json"}"\nuser = "board_a"\npeers = ["board_a", "board_b"]\n\n'
        f"[checks.negative_data_rejection]\nexpected-statuses = {json.dumps(_refusals())}\n\n"
        + RULES_BEYOND_THE_SCHEMA,
        encoding="utf-8",
    )


def _refusals() -> list[str]:
    """Schemathesis's own list of refusals of schema-violating requests, and
    414: a web server may refuse a long request line (a query of several
    kilobytes of malformed values) before the application sees it, which is a
    refusal too (seed 117252)."""
    from schemathesis.config import ChecksConfig

    return sorted({*ChecksConfig.from_dict({}).negative_data_rejection.expected_statuses, "414"})


# Checks whose failures mean the document lies about what the server answers.
SCHEMA_CHECKS = (
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)
CROSS_MARKET_CHECKS = ("market_b_never_shown", "market_b_refused", "object_level_authorization")
# ST codes Schemathesis reports, by check; custom checks report ST901 with their name in the title.
CHECK_OF_TYPE = {
    "ServerError": "not_a_server_error",
    "UndefinedStatusCode": "status_code_conformance",
    "UndefinedContentType": "content_type_conformance",
    "MalformedMediaType": "content_type_conformance",
    "MissingHeaders": "response_headers_conformance",
    "JsonSchemaError": "response_schema_conformance",
    "RejectedPositiveData": "positive_data_acceptance",
    "AcceptedNegativeData": "negative_data_rejection",
    "MissingHeaderNotRejected": "missing_required_header",
    "UnsupportedMethodResponse": "unsupported_method",
    "IgnoredAuth": "ignored_auth",
    "UseAfterFree": "use_after_free",
    "EnsureResourceAvailability": "ensure_resource_availability",
    "ObjectLevelAuthorizationViolation": "object_level_authorization",
}


def failures_by_check(report: dict) -> dict[str, int]:
    out: dict[str, int] = {}
    for group in report.get("failures", []):
        name = CHECK_OF_TYPE.get(group["type"], group["type"])
        if group["type"] == "CustomFailure" and "`" in group["title"]:
            name = group["title"].split("`")[1]
        out[name] = out.get(name, 0) + group["count"]
    return out


def run(seed: int) -> list[Row]:
    print(f"  schemathesis seed {seed}, {MAX_EXAMPLES} examples per operation and pass", flush=True)
    with live_stack(seed) as stack, tempfile.TemporaryDirectory(prefix="proof-st-") as tmp:
        workdir = Path(tmp)
        seeded = stack.seeded
        _config(workdir, seeded["users"])
        target = {"b": dict(seeded["b"], typed_by_a=""), "runs": seeded["runs"], "deliveries": seeded["deliveries"]}
        target["aimed_log"] = str(workdir / "aimed.log")
        before = market_footprint(stack, MARKETS["b"])
        print(
            f"  market {seeded['b']['market']} holds {len(seeded['b']['vendors'])} vendors, "
            f"{len(seeded['b']['codes'])} codes, {len(seeded['b']['transactions'])} transactions, "
            f"{len(seeded['b']['exceptions'])} exceptions",
            flush=True,
        )
        # NUL characters: PostgreSQL text cannot hold them and the API refuses
        # them everywhere with 422 (core.middleware, market40.api); the schema
        # does not repeat that rule on every string, so they are not drawn.
        common = ("--generation-allow-x00=false",)
        as_a = _schemathesis(stack, workdir, "board-a", seed, dict(target, **{"pass": "a"}), "--checks=all", *common)
        print(f"  pass 1 (board {seeded['a']['market']}, every check): {as_a['_seconds']:.0f} s", flush=True)
        # Names and numbers of B's people that pass 1 typed in as A's own vendors
        # are A's data too from then on, and so are values board A typed and
        # later changed: its vendors' history still shows them (seed 175128).
        typed = stack.sql(
            "select string_agg(full_name || ' ' || phone || ' ' || national_id, ' ') from merchants_vendor v "
            "join merchants_market m on m.id = v.market_id where m.code = %s",
            (MARKETS["a"],),
        )[0][0]
        typed_before = stack.sql(
            "select string_agg(coalesce(e.before::text, '') || ' ' || coalesce(e.after::text, ''), ' ') "
            "from core_auditentry e join auth_user u on u.id = e.actor_id where u.username = %s",
            ("bql_a",),
        )[0][0]
        target["b"] = dict(target["b"], typed_by_a=f"{typed or ''} {typed_before or ''}")
        at_b = _schemathesis(
            stack,
            workdir,
            "aimed-at-b",
            seed,
            dict(target, **{"pass": "b"}),
            "--checks=not_a_server_error,market_b_never_shown,market_b_refused",
            "--mode=positive",
            "--phases=examples,coverage,fuzzing",
            *common,
        )
        print(f"  pass 2 (aimed at {seeded['b']['market']}): {at_b['_seconds']:.0f} s", flush=True)
        after = market_footprint(stack, MARKETS["b"])
        aimed_log = Path(target["aimed_log"])
        aimed = aimed_log.read_text(encoding="utf-8").splitlines() if aimed_log.exists() else []
    changed = [table for table in before if before[table] != after[table]]
    for name, report in (("pass 1", as_a), ("pass 2", at_b)):
        if report["failures"]:
            print(f"  {name} failures:\n" + _failure_summary(report["_output"]), flush=True)

    a_fail = failures_by_check(as_a)
    b_fail = failures_by_check(at_b)
    every = {**{k: 0 for k in CHECK_OF_TYPE.values()}, "market_b_never_shown": 0, "market_b_refused": 0}
    totals = {
        name: a_fail.get(name, 0) + b_fail.get(name, 0) for name in sorted(set(every) | set(a_fail) | set(b_fail))
    }
    server = totals.get("not_a_server_error", 0)
    schema = sum(totals.get(name, 0) for name in SCHEMA_CHECKS)
    cross = sum(totals.get(name, 0) for name in CROSS_MARKET_CHECKS)
    others = {k: v for k, v in totals.items() if k not in (*SCHEMA_CHECKS, *CROSS_MARKET_CHECKS, "not_a_server_error")}
    aimed_ops = {" ".join(line.split()[:2]) for line in aimed}
    refused = sum(1 for line in aimed if line.split()[-1] in ("403", "404"))
    errors = len(as_a.get("errors", [])) + len(at_b.get("errors", []))
    rows = [
        Row(
            SCENARIO,
            "operations tested (pass 1 / pass 2)",
            f"{as_a['operations']['tested']} / {at_b['operations']['tested']} of {as_a['operations']['total']}",
            "all",
            as_a["operations"]["tested"] == as_a["operations"]["total"] == at_b["operations"]["tested"],
        ),
        Row(
            SCENARIO,
            "test cases (pass 1 / pass 2)",
            f"{as_a['test_cases']['generated']} / {at_b['test_cases']['generated']}",
            "",
            None,
        ),
        Row(SCENARIO, "server errors (not_a_server_error)", str(server), "0", server == 0 and errors == 0),
        Row(
            SCENARIO, "schema violations (status codes, content types, headers, bodies)", str(schema), "0", schema == 0
        ),
        Row(
            SCENARIO, "cross-market leaks (B's data shown, B's objects served, peer reads)", str(cross), "0", cross == 0
        ),
        Row(
            SCENARIO,
            "requests aimed at market B refused (404, 403 operator-only)",
            f"{refused} of {len(aimed)} over {len(aimed_ops)} operations",
            "all, ≥ 1",
            bool(aimed) and refused == len(aimed),
        ),
        Row(
            SCENARIO,
            f"market B rows changed ({len(B_ROWS)} tables, digest of every row)",
            ", ".join(changed) or "none",
            "none",
            not changed,
        ),
        Row(
            SCENARIO,
            "failures of the other checks (data acceptance and rejection, methods, auth, headers)",
            ", ".join(f"{k} {v}" for k, v in others.items()),
            "0 each",
            not any(others.values()),
        ),
        Row(
            SCENARIO,
            "failures per check (both passes)",
            ", ".join(f"{k} {v}" for k, v in totals.items()),
            "",
            None,
        ),
        Row(SCENARIO, "run time (pass 1 / pass 2)", f"{as_a['_seconds']:.0f} / {at_b['_seconds']:.0f} s", "", None),
    ]
    return rows


def _failure_summary(output: str) -> str:
    """The CLI's failure list, short: each failure's code line and curl."""
    starts = ("- ST", "curl", "Received", "Documented", "market ")
    keep = [line for line in output.splitlines() if line.strip().startswith(starts)]
    return "\n".join("    " + line.strip()[:300] for line in keep[:80])
