"""The webhook benchmark's yardstick: the least a durable receiver can do.

A framework-free WSGI handler for `POST /bench/reference`: the Standard
Webhooks HMAC over the raw body (VNPT Money's envelope), a JSON parse, one
`INSERT … ON CONFLICT DO NOTHING` and a synchronous commit, then 200. It is
served by the same server, the same processes and threads, as the intake:
`application` sends every other path to the project's own application, so
the benchmark measures the trivial endpoint, this floor and the intake under
one server in one run, and the intake's ratio to the floor is the cost of
the project's own work.
"""

import base64
import hashlib
import hmac
import json
import os
import threading
from collections.abc import Callable, Iterable

import psycopg

from market40.wsgi import application as project_application

PATH = "/bench/reference"
APP = "bench.reference:application"
TABLE = "bench_reference"
CREATE = f"CREATE TABLE IF NOT EXISTS {TABLE} (message_id text PRIMARY KEY, transaction_id text NOT NULL, amount bigint NOT NULL)"  # noqa: E501
_INSERT = f"INSERT INTO {TABLE} (message_id, transaction_id, amount) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING"  # noqa: S608
_KEY = base64.b64decode(os.environ.get("VNPT_WEBHOOK_SECRETS", "").split(",")[0].removeprefix("whsec_") or b"")
_local = threading.local()


def _connection() -> psycopg.Connection:
    """One connection per server thread, kept open, as Django keeps its own."""
    conn = getattr(_local, "conn", None)
    if conn is None or conn.closed:
        conn = _local.conn = psycopg.connect(os.environ["DATABASE_URL"])
    return conn


def _answer(start_response: Callable, status: str, body: bytes) -> list[bytes]:
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def receive(environ: dict, start_response: Callable) -> Iterable[bytes]:
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    message_id = environ.get("HTTP_WEBHOOK_ID", "")
    timestamp = environ.get("HTTP_WEBHOOK_TIMESTAMP", "")
    signed = message_id.encode() + b"." + timestamp.encode() + b"." + body
    mine = base64.b64encode(hmac.new(_KEY, signed, hashlib.sha256).digest())
    given = [entry[3:].encode() for entry in environ.get("HTTP_WEBHOOK_SIGNATURE", "").split() if entry[:3] == "v1,"]
    if not any(hmac.compare_digest(mine, theirs) for theirs in given):
        return _answer(start_response, "401 Unauthorized", b'{"error":"signature"}')
    data = json.loads(body)["data"]
    conn = _connection()
    with conn.cursor() as cursor:
        cursor.execute(_INSERT, (message_id, data["transaction_id"], data["amount"]), prepare=True)
    conn.commit()
    return _answer(start_response, "200 OK", b'{"ok":true}')


def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
    if environ.get("PATH_INFO") == PATH and environ.get("REQUEST_METHOD") == "POST":
        return receive(environ, start_response)
    return project_application(environ, start_response)
