"""Security configuration, held to account on a live server in production
settings (the web server, `market40.settings_production`, a scratch PostgreSQL
database `<DATABASE_URL's name>_security`, behind a pretend TLS proxy that
sets X-Forwarded-Proto):

- `manage.py check --deploy` finds nothing;
- cookies are Secure and HttpOnly, HSTS is sent, plain http is redirected,
  a login lasts SESSION_COOKIE_AGE and ends with the browser;
- five wrong passwords lock the username;
- every write a browser can make with its session cookie (each API write
  operation, each page route) is refused without the CSRF token, and
  changes nothing;
- personal data (phone, CCCD) of every vendor never reaches the log, with
  the application logging at DEBUG through a workload of onboarding, an
  import with errors, webhooks with bad input and failed logins;
- the department sees phone and CCCD masked in every list, page and export;
- the audit log cannot be changed through the admin or the API;
- bandit (configured in pyproject.toml) finds nothing untriaged.
"""

import json
import re
import secrets
import subprocess
import sys
import time

import requests

from bench.common import Row
from proof import live
from proof.proof_schemathesis import Stack, live_stack

SCENARIO = "security"
SHOWN = 6  # leaks listed in a row; the rest are counted


def production_env(port: int) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "market40.settings_production",
        # A fresh random key each run: production settings refuse the embedded one.
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{port}",
        "LOG_LEVEL": "DEBUG",
    }


class Browser:
    """A browser behind the TLS proxy: cookies kept by hand, since a Secure
    cookie is never sent over the loopback's plain http otherwise."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.origin = f"https://{stack.host}"
        self.cookies: dict[str, str] = {}
        self.last_set_cookie: list[str] = []

    def request(self, method: str, path: str, *, https: bool = True, csrf: bool = True, **kwargs):
        headers = {"Host": self.stack.host, "Referer": f"{self.origin}/", **kwargs.pop("headers", {})}
        if https:
            headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if csrf and method not in ("GET", "HEAD") and "csrftoken" in self.cookies:
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
        response = requests.request(
            method, self.stack.url + path, headers=headers, allow_redirects=False, timeout=30, **kwargs
        )
        self.last_set_cookie = response.raw.headers.getlist("Set-Cookie")
        for header in self.last_set_cookie:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value in ('""', "") or "Max-Age=0" in header:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response

    def login(self, username: str, password: str):
        self.request("GET", "/accounts/login/")
        return self.request(
            "POST",
            "/accounts/login/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")},
            headers={"Referer": f"{self.origin}/accounts/login/"},
        )


def _check_deploy(env: dict) -> tuple[bool, str]:
    done = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=live.ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    text = (done.stdout + done.stderr).strip()
    return done.returncode == 0 and "no issues" in text, text.splitlines()[-1] if text else ""


def _bandit() -> tuple[bool, str]:
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bandit", "-c", "pyproject.toml", "-r", ".", "-q", "-f", "json"],
        cwd=live.ROOT,
        capture_output=True,
        text=True,
    )
    report = json.loads(done.stdout or "{}")
    issues = len(report.get("results", []))
    skipped = report.get("metrics", {}).get("_totals", {}).get("skipped_tests", 0)
    return done.returncode == 0 and issues == 0, f"{issues} issues ({skipped} triaged with # nosec)"


def _audit_digest(stack: Stack, upto: int) -> str:
    return str(
        stack.sql(
            "select count(*) || ':' || coalesce(md5(string_agg(t::text, '|' order by id)), '') "
            "from core_auditentry t where id <= %s",
            (upto,),
        )[0][0]
    )


def run(seed: int) -> list[Row]:
    rows: list[Row] = []
    port = live.free_port()
    print(f"  security seed {seed}: production settings, application log at DEBUG", flush=True)
    with live_stack(seed, suffix=SCENARIO, port=port, workers=2, **production_env(port)) as stack:
        seeded = stack.seeded
        users = seeded["users"]

        ok, last = _check_deploy(stack.env)
        rows.append(Row(SCENARIO, "manage.py check --deploy (production settings)", last, "no issues", ok))

        rows += _transport_and_session(stack, users)
        rows += _csrf(stack, users, seeded)
        rows += _workload_and_logs(stack, users, seeded)
        rows += _masking(stack, users, seeded)
        rows += _audit_log(stack, users, seeded)
    ok, text = _bandit()
    rows.append(Row(SCENARIO, "bandit (pyproject.toml config) findings", text, "0", ok))
    return rows


# --- transport, cookies, session, throttling --------------------------------------------


def _transport_and_session(stack: Stack, users: dict) -> list[Row]:
    rows = []
    plain = Browser(stack).request("GET", "/accounts/login/", https=False)
    redirected = plain.status_code == 301 and plain.headers.get("Location", "").startswith("https://")
    rows.append(Row(SCENARIO, "plain http redirected to https", str(plain.status_code), "301 to https", redirected))

    browser = Browser(stack)
    page = browser.request("GET", "/accounts/login/")
    hsts = page.headers.get("Strict-Transport-Security", "")
    rows.append(
        Row(
            SCENARIO,
            "HSTS header",
            hsts or "absent",
            "max-age ≥ 1 year; includeSubDomains; preload",
            bool(re.search(r"max-age=(\d+)", hsts))
            and int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31536000
            and "includeSubDomains" in hsts
            and "preload" in hsts,
        )
    )
    board = users["board_a"]
    response = browser.login(board["username"], board["password"])
    cookies = {h.split("=", 1)[0]: h for h in browser.last_set_cookie}
    session_cookie = cookies.get("sessionid", "")
    csrf_cookie = next((h for h in page.raw.headers.getlist("Set-Cookie") if h.startswith("csrftoken=")), "")
    secure = (
        "Secure" in session_cookie
        and "HttpOnly" in session_cookie
        and "Secure" in csrf_cookie
        and "SameSite=Lax" in session_cookie
    )
    rows.append(
        Row(
            SCENARIO,
            "session and CSRF cookies Secure (session HttpOnly, SameSite=Lax)",
            "yes" if secure else f"session: {session_cookie[:80]} / csrf: {csrf_cookie[:60]}",
            "yes",
            response.status_code == 302 and secure,
        )
    )
    # Ends with the browser (no Max-Age on the cookie) and on the server after SESSION_COOKIE_AGE.
    key = browser.cookies.get("sessionid", "")
    left = stack.sql(
        "select extract(epoch from expire_date - now()) from django_session where session_key = %s", (key,)
    )
    seconds = float(left[0][0]) if left else -1
    rows.append(
        Row(
            SCENARIO,
            "login lifetime: cookie ends with the browser, server-side expiry",
            f"{'no Max-Age' if 'Max-Age' not in session_cookie else 'Max-Age set'}, {seconds / 3600:.2f} h",
            "no Max-Age, 8 h",
            "Max-Age" not in session_cookie and 7.9 * 3600 < seconds <= 8 * 3600,
        )
    )
    intruder = Browser(stack)
    statuses = [intruder.login(board["username"], "sai-mat-khau").status_code for _ in range(5)]
    locked = intruder.login(board["username"], board["password"])
    rows.append(
        Row(
            SCENARIO,
            "login throttling: 5 wrong passwords, then the right one",
            f"{'/'.join(map(str, statuses))} then {locked.status_code}"
            + (" with a session" if "sessionid" in intruder.cookies else ", no session"),
            "200×5 then 429, no session",
            statuses == [200] * 5 and locked.status_code == 429 and "sessionid" not in intruder.cookies,
        )
    )
    return rows


# --- CSRF on every cookie-authenticated write ------------------------------------------


def _url_values(seeded: dict) -> dict:
    """Market A's objects, by the name a URL gives their parameter."""
    a = seeded["a"]
    return {
        "code": a["vendors"][0],
        "code_id": a["codes"][0],
        "account_id": a["accounts"][0],
        "txn_id": a["transactions"][0],
        "exception_id": a["exceptions"][0],
        "run_id": seeded["runs"][0],
        "delivery_id": seeded["deliveries"][0],
    }


def _api_writes(stack: Stack, seeded: dict) -> list[tuple[str, str]]:
    """Every write operation in the API document, with A's objects in its path."""
    document = requests.get(
        stack.url + "/api/v1/openapi.json", headers={"Host": stack.host, "X-Forwarded-Proto": "https"}, timeout=30
    ).json()
    values = _url_values(seeded)
    writes = []
    for path, operations in document["paths"].items():
        for method in operations:
            if method.upper() in ("POST", "PUT", "PATCH", "DELETE"):
                writes.append((method.upper(), re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path)))
    return writes


def _page_routes(seeded: dict) -> list[str]:
    """Every route Django resolves outside the API (pages, login, language,
    admin), with A's objects in it. The CSRF middleware answers before any
    view, so a route that only reads is refused the same way."""
    from django.urls import URLResolver, get_resolver

    values = {
        **_url_values(seeded),
        "job_id": 1,
        "token": "x",
        "table": "markets",
        "format": "csv",
        "object_id": 1,
        "content_type_id": 1,
        "id": 1,
        "app_label": "core",
        "url": "x",
    }

    def walk(patterns, prefix: str = "") -> list[str]:
        out = []
        for entry in patterns:
            if isinstance(entry, URLResolver):
                out += walk(entry.url_patterns, prefix + str(entry.pattern))
            else:
                out.append(prefix + str(entry.pattern))
        return out

    routes = []
    for pattern in walk(get_resolver().url_patterns):
        if pattern.startswith("api/"):
            continue
        # Regular-expression groups first: their names are written <name> too.
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m.group(1)]), pattern)
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), path).replace("^", "").replace("$", "")
        routes.append("/" + path)
    return routes


def _row_counts(stack: Stack) -> str:
    tables = [
        "merchants_vendor",
        "merchants_walletaccount",
        "merchants_paymentcode",
        "payments_transaction",
        "reconciliation_reconciliationexception",
        "reconciliation_settlementfile",
        "core_auditentry",
        "merchants_importjob",
    ]
    return ",".join(str(stack.sql(f"select count(*) from {t}")[0][0]) for t in tables)  # noqa: S608 - our list


def _csrf(stack: Stack, users: dict, seeded: dict) -> list[Row]:
    browser = Browser(stack)
    operator = users["operator"]
    browser.login(operator["username"], operator["password"])
    before = _row_counts(stack)
    writes = _api_writes(stack, seeded)
    pages = [("POST", path) for path in _page_routes(seeded)]
    refused, accepted = [], []
    for method, path in writes + pages:
        response = browser.request(method, path, csrf=False, json={} if path.startswith("/api/") else None)
        (refused if response.status_code == 403 else accepted).append(f"{method} {path} {response.status_code}")
    after = _row_counts(stack)
    # The same session with the token is let through: the token is what refused them.
    with_token = browser.request("POST", "/api/v1/vendors", json={"market": seeded["a"]["market"]})
    rows = [
        Row(
            SCENARIO,
            "cookie-authenticated writes without CSRF token refused (API operations + page routes)",
            f"{len(refused)} of {len(writes) + len(pages)} ({len(writes)} API, {len(pages)} pages)"
            + (f"; let through: {', '.join(accepted[:4])}" if accepted else ""),
            "all 403",
            not accepted and bool(refused),
        ),
        Row(
            SCENARIO,
            "rows written by the refused writes / same session with the token",
            f"{'none' if before == after else 'some'} / {with_token.status_code}",
            "none / not 403",
            before == after and with_token.status_code != 403,
        ),
    ]
    return rows


# --- personal data and logs ------------------------------------------------------------


WEBHOOK_BAD_BODIES = [
    b"{not json",
    b'{"transaction_id": "X1", "credit_account": "%(phone)s", "amount": "abc"}',
    b"\xff\xfe\x00garbage",
]


def _workload_and_logs(stack: Stack, users: dict, seeded: dict) -> list[Row]:
    token = users["board_a"]["token"]
    api = {"Authorization": f"Bearer {token}", "Host": stack.host, "X-Forwarded-Proto": "https"}
    market = seeded["a"]["market"]
    people = [("0912345670", "092186000987"), ("0987000222", "092190000111")]
    # Onboarding: one accepted, one refused with its phone and CCCD wrong.
    onboard = [
        ("S-001", "Lý Thị Tuyết", people[0][0], people[0][1]),
        ("S-002", "Lý Văn Minh", people[1][0][:-2], people[1][1][:-1] + "x"),
    ]
    for stall, name, phone, national_id in onboard:
        body = {"market": market, "stall_number": stall, "full_name": name, "phone": phone}
        body |= {"national_id": national_id, "category": "rau-cu", "consent_given": True}
        requests.post(stack.url + "/api/v1/vendors", headers=api, json=body, timeout=30)
    # An import with errors: bad phones, a CCCD of a minor, a duplicate stall.
    header = (
        "Số sạp,Họ và tên,Tên cửa hàng,Số điện thoại,Số CCCD,Ngành hàng,Đã đồng ý xử lý dữ liệu,"
        "Ví VNPT Money,Ví Viettel Money,Ví MobiFone Money\n"
    )
    lines = [
        f"S-010,Đỗ Văn Hải,,{people[1][0]},{people[1][1]},Rau củ,Có,{people[1][0]},,\n",
        "S-011,Đỗ Thị Hà,,0155000111,092312000222,Rau củ,Có,,,\n",
        f"S-010,Đỗ Văn Hai,,{seeded['a']['phones'][0]},{seeded['a']['national_ids'][0]},Rau củ,Không,,,\n",
    ]
    csv = (header + "".join(lines)).encode()
    for dry_run in ("true", "false"):
        requests.post(
            stack.url + "/api/v1/vendors/import",
            headers=api,
            data={"market": market, "dry_run": dry_run},
            files={"file": ("nhap.csv", csv, "text/csv")},
            timeout=60,
        )
    # Webhooks with bad input naming real vendors' numbers.
    for partner in ("vnpt", "viettel", "mobifone"):
        for body in WEBHOOK_BAD_BODIES:
            payload = body.replace(b"%(phone)s", seeded["a"]["phones"][0].encode())
            requests.post(
                f"{stack.url}/api/v1/webhooks/{partner}",
                data=payload,
                headers={"Host": stack.host, "X-Forwarded-Proto": "https", "Content-Type": "application/json"},
                timeout=30,
            )
    # Failed logins with a phone number typed as the username.
    Browser(stack).login(seeded["b"]["phones"][0], "sai")
    time.sleep(1.0)  # let the web server flush its workers' output
    log = stack.log_path.read_text(encoding="utf-8", errors="replace")
    values = [*seeded["a"]["phones"], *seeded["a"]["national_ids"], *seeded["b"]["phones"]]
    values += [*seeded["b"]["national_ids"], *(p for pair in people for p in pair)]
    found = sorted({v for v in values if v in log})
    return [
        Row(
            SCENARIO,
            "server log lines at DEBUG (about the workload's routes)",
            f"{len(log.splitlines())} ({sum(1 for line in log.splitlines() if '/api/v1/' in line or 'login' in line)})",
            "",
            None,
        ),
        Row(
            SCENARIO,
            f"phone numbers and CCCD ({len(values)} values) found in the log",
            ", ".join(found) or "none",
            "none",
            not found and bool(log),
        ),
    ]


def _masking(stack: Stack, users: dict, seeded: dict) -> list[Row]:
    department = users["department"]
    headers = {"Authorization": f"Bearer {department['token']}", "Host": stack.host, "X-Forwarded-Proto": "https"}
    a, b = seeded["a"], seeded["b"]
    run = seeded["runs"][0]
    api_paths = [
        "/api/v1/vendors?page_size=100",
        f"/api/v1/vendors/{a['vendors'][0]}",
        f"/api/v1/vendors/{a['vendors'][0]}/history",
        f"/api/v1/vendors/{a['vendors'][0]}/payment-codes",
        "/api/v1/transactions?page_size=100",
        "/api/v1/reconciliation/exceptions?page_size=100",
        f"/api/v1/reconciliation/runs/{run}",
        f"/api/v1/reconciliation/runs/{run}/exceptions",
        f"/api/v1/reconciliation/runs/{run}/export.csv",
        "/api/v1/adoption/export?format=csv&table=markets",
    ]
    browser = Browser(stack)
    browser.login(department["username"], department["password"])
    pages = [
        "/vendors/",
        f"/vendors/{a['vendors'][0]}/",
        "/transactions/",
        "/reconciliation/exceptions/",
        f"/reconciliation/runs/{run}/",
        f"/reconciliation/runs/{run}/export.csv",
        "/dashboard/export/markets.csv",
    ]
    values = [*a["phones"], *a["national_ids"], *b["phones"], *b["national_ids"]]
    shown = []
    for path in api_paths:
        response = requests.get(stack.url + path, headers=headers, timeout=60)
        text = response.text
        if path.endswith("/payment-codes"):
            # A code's VietQR payload carries the account number: it is what
            # the poster at the stall shows every customer, not a record.
            text = json.dumps([{k: v for k, v in code.items() if k != "payload"} for code in response.json()])
        shown += [f"{path}: {v}" for v in values if v in text]
    for path in pages:
        text = browser.request("GET", path).text
        shown += [f"{path}: {v}" for v in values if v in text]
    masked = requests.get(stack.url + api_paths[0], headers=headers, timeout=30).json()["items"]
    all_masked = bool(masked) and all("*" in v["phone"] and "*" in v["national_id"] for v in masked)
    return [
        Row(
            SCENARIO,
            f"department: phone/CCCD shown whole ({len(api_paths)} API reads and exports, {len(pages)} pages)",
            ("; ".join(shown[:SHOWN]) + (f" (+{len(shown) - SHOWN})" if len(shown) > SHOWN else "")) or "none",
            "none",
            not shown,
        ),
        Row(
            SCENARIO,
            "department: vendor list masks every phone and CCCD",
            "yes" if all_masked else "no",
            "yes",
            all_masked,
        ),
    ]


# --- the audit log ---------------------------------------------------------------------


def _audit_log(stack: Stack, users: dict, seeded: dict) -> list[Row]:
    upto = stack.sql("select max(id) from core_auditentry")[0][0]
    entry = stack.sql("select id from core_auditentry order by id limit 1")[0][0]
    before = _audit_digest(stack, upto)
    browser = Browser(stack)
    browser.login(users["operator"]["username"], users["operator"]["password"])
    base = "/admin/core/auditentry/"
    attempts = {
        "admin add": browser.request("POST", f"{base}add/", data={"action": "x", "object_type": "y", "object_id": "1"}),
        "admin change": browser.request("POST", f"{base}{entry}/change/", data={"note": "sửa", "action": "x"}),
        "admin delete": browser.request("POST", f"{base}{entry}/delete/", data={"post": "yes"}),
        # The changelist offers no delete action: the page comes back (200) and nothing goes.
        "admin bulk delete": browser.request(
            "POST", base, data={"action": "delete_selected", "_selected_action": [entry], "post": "yes"}
        ),
    }
    token = {"Authorization": f"Bearer {users['operator']['token']}", "Host": stack.host, "X-Forwarded-Proto": "https"}
    history = f"{stack.url}/api/v1/vendors/{seeded['a']['vendors'][0]}/history"
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        attempts[f"API {method} history"] = requests.request(method, history, headers=token, json={}, timeout=30)
    after = _audit_digest(stack, upto)
    statuses = ", ".join(f"{name} {r.status_code}" for name, r in attempts.items())
    refused = all(r.status_code in (403, 405) for name, r in attempts.items() if name != "admin bulk delete")
    return [
        Row(SCENARIO, "audit log writes through the admin and the API", statuses, "403 / 405", refused),
        Row(
            SCENARIO,
            f"audit entries (first {upto}) after the attempts",
            "unchanged" if before == after else "CHANGED",
            "unchanged",
            before == after,
        ),
    ]
