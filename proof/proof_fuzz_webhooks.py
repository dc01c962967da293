"""Hostile deliveries to the three webhook endpoints, over real HTTP.

The web server serves the app on a scratch PostgreSQL database; a seeded generator
builds about two thousand requests from the partners' valid deliveries
(docs/partners.md): missing, duplicated and garbage signature headers,
timestamps outside the window or not numbers at all, oversized bodies
(declared, undeclared, chunked), bytes that are not UTF-8, JSON nested a
hundred thousand levels deep, huge numbers, floats, zero and negative amounts,
wrong types, unicode tricks, truncated JSON, empty bodies, wrong content
types. Each kind goes out unsigned and signed with the partner's secret, so
it reaches the parser past the signature.

Requests go one at a time and the database is counted around each, so every
answer is held to its own effect:
- no 5xx and no dropped connection;
- every answer from the app is in the partner's documented format;
- a rejection adds exactly one delivery-log row, verdict rejected, with a
  reason, and no transaction or outbox event;
- nothing hostile is accepted (a signed body that is still valid by the
  contract may be, and then stores one transaction at most);
- afterwards the server still accepts one valid delivery per partner.
"""

import base64
import datetime as dt
import hashlib
import json
import random
import socket
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.common import Row
from proof import live
from tests.payments import kit

NAME = "fuzz_webhooks"
PARTNERS = ("vnpt", "viettel", "mobifone")
MAX_BODY = 64 * 1024
TIMEOUT = 20.0
LOG = live.ROOT / "var" / "proof-fuzz-webhooks.log"
CASES = live.ROOT / "var" / "proof-fuzz-webhooks-cases.txt"
SECRETS = {
    "VNPT_WEBHOOK_SECRETS": kit.VNPT_SECRET,
    "VIETTEL_CHECKSUM_KEYS": kit.VIETTEL_KEY,
    "MOBIFONE_WEBHOOK_SECRETS": kit.MOBIFONE_SECRET,
}
# Text a payer or a hostile sender may put in any string field.
TRICKS = [
    "\u202eC4VK7M2Q9XA",  # right-to-left override
    "C4VK\u200b7M2Q9XA",  # zero-width space
    "С4VK7M2Q9XA",  # Cyrillic Es, looks like C
    "Ｃ４ＶＫ７Ｍ２Ｑ９ＸＡ",  # fullwidth
    "Thanh toa\u0301n",  # decomposed accent
    "\U0001f96c rau",
    "\x00",
    "a\x00b",
    "\ud800",
    "\udfff\ud800",
    "\x1b[31m",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "%s%n",
    "\u0085\u2028\u2029",
    "x" * 5000,
]
ODD_VALUES: list = [None, True, False, 0, -1, 1.5, "", " ", [], {}, [1], {"a": 1}, 10**30, -(10**30), "４５０００"]


@dataclass
class Case:
    partner: str
    family: str
    signed: bool
    headers: list[tuple[str, str | bytes]]
    body: bytes
    must_reject: bool = True
    framing: str = "length"  # length, chunked, none, declared_only, short
    # Signed at the moment it is sent (headers, body): a timestamp near the
    # window's edge must not drift across it while earlier requests go out.
    late: Callable[[], tuple[list, bytes]] | None = None


@dataclass
class Tally:
    sent: Counter = field(default_factory=Counter)
    rejected_clean: int = 0
    rejected_by_http_server: int = 0
    accepted: Counter = field(default_factory=Counter)
    crashes: list = field(default_factory=list)
    format_errors: list = field(default_factory=list)
    store_errors: list = field(default_factory=list)
    hostile_accepted: list = field(default_factory=list)


# --- valid deliveries, written from the contract -----------------------------------


class Deliveries:
    """Fresh valid bodies per partner and their signatures, seeded ids."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.serial = 0

    def next_id(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}FZ{self.seed}-{self.serial}"

    @staticmethod
    def now() -> int:
        return int(time.time())

    def vnpt_payload(self) -> dict:
        local = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).replace(microsecond=0)
        return kit.vnpt_body(self.next_id("VNPT"), completed_at=local.isoformat())

    def viettel_fields(self) -> dict:
        local = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))) - dt.timedelta(seconds=60)
        return kit.viettel_fields(self.next_id("VT"), trans_time=local.strftime("%Y%m%d%H%M%S"))

    def mobifone_payload(self) -> dict:
        millis = self.now() * 1000 - 60_000
        return kit.mobifone_body(self.next_id("MBF-"), created_at=millis)

    def payload(self, partner: str) -> dict:
        return {"vnpt": self.vnpt_payload, "viettel": self.viettel_fields, "mobifone": self.mobifone_payload}[partner]()

    def sign(self, partner: str, body: bytes, *, ts: str | None = None, msg_id: str | None = None) -> list:
        """Correct signature headers for these exact bytes (none for Viettel:
        its checksum is inside the body)."""
        ts = str(self.now()) if ts is None else ts
        if partner == "vnpt":
            headers = kit.vnpt_sign(body, msg_id=msg_id or self.next_id("msg_"), ts=ts)
        elif partner == "mobifone":
            headers, _body = kit.mobifone(body, ts=ts)
        else:
            headers = {}
        return [("Content-Type", "application/json"), *headers.items()]

    def valid(self, partner: str) -> tuple[list, bytes]:
        if partner == "viettel":
            headers, body = kit.viettel(self.viettel_fields())
            return [("Content-Type", "application/json")], body
        body = _dump(self.payload(partner))
        return self.sign(partner, body), body


def _dump(payload) -> bytes:
    try:
        return json.dumps(payload, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates travel as \ud800 escapes
        return json.dumps(payload).encode("ascii")


def _viettel_signed(fields: dict) -> bytes:
    """Viettel's checksum over whatever the fields are (str() of each value).
    Text that has no UTF-8 form (a lone surrogate) has no checksum either:
    such a body goes out with a made-up one."""
    texts = {k: str(v) if not isinstance(v, str) else v for k, v in fields.items()}
    try:
        return kit.viettel(texts)[1]
    except UnicodeEncodeError:
        return _dump(dict(texts, check_sum="0" * 64))


def _viettel_signed_raw(fields: dict) -> bytes:
    """The checksum over the values' text, but the values sent as they are."""
    signed = json.loads(_viettel_signed(fields))
    return _dump(dict(fields, check_sum=signed["check_sum"]))


# --- the bodies a fuzzer sends --------------------------------------------------------


def _nested(depth: int, *, objects: bool = False) -> bytes:
    if objects:
        return b'{"a":' * depth + b"1" + b"}" * depth
    return b"[" * depth + b"]" * depth


def _body_corpus(rnd: random.Random, valid: bytes) -> list[tuple[str, bytes, bool]]:
    """(family, bytes, fits in 64 KiB) derived from one valid body."""
    text = valid.decode("utf-8")
    out: list[tuple[str, bytes]] = [
        ("empty body", b""),
        ("whitespace body", b" \r\n\t"),
        ("JSON null", b"null"),
        ("JSON array", b"[]"),
        ("JSON number", b"123"),
        ("JSON string", b'"payment"'),
        ("empty object", b"{}"),
        ("NaN and Infinity", b'{"amount": NaN, "x": Infinity, "y": -Infinity}'),
        ("number with 5000 digits", b'{"amount": ' + b"9" * 5000 + b"}"),
        ("number 1e400", b'{"amount": 1e400}'),
        ("UTF-8 BOM", b"\xef\xbb\xbf" + valid),
        ("UTF-16", text.encode("utf-16")),
        ("latin-1 bytes", text.replace("Thanh toan", "Thanh toán").encode("latin-1", "replace") + b"\xe1"),
        ("overlong UTF-8", valid[:-1] + b', "z": "\xc0\xaf"}'),
        ("invalid UTF-8 continuation", valid.replace(b"a", b"\x80", 1)),
        ("random bytes", rnd.randbytes(rnd.randrange(1, 2048))),
        ("nested arrays 30,000 levels", _nested(30_000)),
        ("nested objects 12,000 levels", _nested(12_000, objects=True)),
        ("nested arrays 1,000 levels", _nested(1_000)),
        ("nested arrays 100,000 levels", _nested(100_000)),
        ("nested value 20,000 levels", text.replace("45000", _nested(20_000).decode(), 1).encode()),
        ("string of 60 KiB", b'{"x": "' + b"a" * (60 * 1024) + b'"}'),
        ("duplicate keys", valid[:-1] + b', "type": "payment.refunded", "event": "X", "data": {}}'),
        ("trailing garbage", valid + b"\x00garbage"),
        ("two JSON documents", valid + b"\n" + valid),
        ("NUL bytes", valid.replace(b":", b":\x00", 1)),
        ("lone surrogate escapes", valid[:-1] + b', "\\ud800": "\\udfff"}'),
        ("NUL escape in a key", valid[:-1] + b', "k\\u0000": 1}'),
    ]
    for _ in range(20):
        cut = rnd.randrange(1, len(valid))
        out.append((f"truncated JSON at byte {cut}", valid[:cut]))
    for _ in range(20):
        flipped = bytearray(valid)
        for _ in range(rnd.randrange(1, 4)):
            at = rnd.randrange(len(flipped))
            flipped[at] ^= 1 << rnd.randrange(8)
        out.append(("bit flips", bytes(flipped)))
    return [(family, body, len(body) <= MAX_BODY) for family, body in out]


def _field_mutations(rnd: random.Random, payload: dict, path: tuple = ()) -> list[tuple[str, tuple, object]]:
    """(label, path, new value) for every field of a payload, nested ones included."""
    out = []
    for name, value in payload.items():
        here = (*path, name)
        if isinstance(value, dict):
            out.extend(_field_mutations(rnd, value, here))
        choices = [*ODD_VALUES, *rnd.sample(TRICKS, 3), _deep_list(rnd.choice((200, 600)))]
        for new in choices:
            out.append((".".join(here), here, new))
    return out


def _deep_list(depth: int) -> list:
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


def _with(payload: dict, path: tuple, value) -> dict:
    copy = json.loads(json.dumps(payload))
    target = copy
    for name in path[:-1]:
        target = target[name]
    target[path[-1]] = value
    return copy


def _without(payload: dict, path: tuple) -> dict:
    copy = json.loads(json.dumps(payload))
    target = copy
    for name in path[:-1]:
        target = target[name]
    target.pop(path[-1], None)
    return copy


AMOUNT_PATH = {"vnpt": ("data", "amount"), "viettel": ("amount",), "mobifone": ("data", "amount")}
BAD_AMOUNTS = [0, -1, -45000, 1.5, 45000.0, 4.5e4, 10**12 + 1, 10**30, True, None, "45000", [45000], {"v": 1}]
BAD_VIETTEL_AMOUNTS = [
    "0",
    "-1",
    "45000.5",
    "4.5e4",
    " 45000",
    "45000 ",
    "1000000000001",
    "9" * 14,
    "",
    "٤٥٠٠٠",
    "４５",
]
# Moments at the ends of the calendar, where moving to UTC or local time fails.
EDGE_TIMES = {
    "vnpt": [
        (("data", "completed_at"), "0001-01-01T00:00:00+07:00"),
        (("data", "completed_at"), "9999-12-31T23:59:59-07:00"),
        (("data", "completed_at"), "1970-01-01T00:00:00Z"),
    ],
    "mobifone": [
        (("data", "created_at"), 253402300799999),
        (("data", "updated_at"), 253402300799999),
        (("data", "created_at"), 1),
        (("data", "created_at"), 10**20),
    ],
}
ID_PATH = {"vnpt": ("data", "transaction_id"), "viettel": ("trans_id",), "mobifone": ("data", "txn_ref")}


def _cases(seed: int, deliveries: Deliveries) -> list[Case]:
    rnd = random.Random(seed)
    cases: list[Case] = []
    for partner in PARTNERS:
        cases.extend(_signature_cases(rnd, deliveries, partner))
        cases.extend(_timestamp_cases(deliveries, partner))
        cases.extend(_body_cases(rnd, deliveries, partner))
        cases.extend(_field_cases(rnd, deliveries, partner))
        cases.extend(_framing_cases(rnd, deliveries, partner))
    rnd.shuffle(cases)
    return cases


SIGNATURE_HEADERS = {
    "vnpt": ["webhook-id", "webhook-timestamp", "webhook-signature"],
    "mobifone": ["X-MBF-Timestamp", "X-MBF-Signature"],
}


def _garbage_header(rnd: random.Random) -> bytes:
    kind = rnd.randrange(5)
    if kind == 0:
        return bytes(rnd.randrange(0x21, 0x7F) for _ in range(rnd.randrange(1, 200)))
    if kind == 1:
        return bytes(rnd.randrange(0xA0, 0x100) for _ in range(rnd.randrange(1, 60)))
    if kind == 2:
        return b"v1," + base64.b64encode(rnd.randbytes(32)) + b" sha256=" + rnd.randbytes(16).hex().encode()
    if kind == 3:
        return b"x" * rnd.choice((1000, 8000))
    return b"sha256=" + hashlib.sha256(rnd.randbytes(8)).hexdigest().upper().encode()


def _signature_cases(rnd: random.Random, deliveries: Deliveries, partner: str) -> list[Case]:
    cases = []
    if partner == "viettel":
        for family, mutate in (
            ("check_sum missing", lambda f: {k: v for k, v in f.items() if k != "check_sum"}),
            ("check_sum empty", lambda f: dict(f, check_sum="")),
            ("check_sum a number", lambda f: dict(f, check_sum=12345)),
            ("check_sum null", lambda f: dict(f, check_sum=None)),
            ("check_sum uppercase", lambda f: dict(f, check_sum=f["check_sum"].upper())),
            ("check_sum of other fields", lambda f: dict(f, amount="45001")),
            ("check_sum garbage", lambda f: dict(f, check_sum=_garbage_header(rnd).decode("latin-1"))),
            ("check_sum with wrong key", lambda f: kit_viettel_other_key(f)),
        ):
            for _ in range(3):
                fields = json.loads(deliveries.valid("viettel")[1])
                cases.append(
                    Case(partner, family, False, [("Content-Type", "application/json")], _dump(mutate(fields)))
                )
        return cases
    names = SIGNATURE_HEADERS[partner]
    for _ in range(6):
        headers, body = deliveries.valid(partner)
        for missing in names:
            kept = [(k, v) for k, v in headers if k != missing]
            cases.append(Case(partner, f"{missing} missing", False, kept, body))
        cases.append(Case(partner, "no signature headers", False, [("Content-Type", "application/json")], body))
        for name in names:
            garbled = [(k, _garbage_header(rnd) if k == name else v) for k, v in headers]
            cases.append(Case(partner, f"{name} garbage", False, garbled, body))
        sig = names[-1]
        duplicated = [*headers, (sig, _garbage_header(rnd))]
        only_bad = [(k, v) for k, v in headers if k != sig] + [(sig, _garbage_header(rnd)), (sig, _garbage_header(rnd))]
        cases.append(Case(partner, f"{sig} twice, one correct", False, duplicated, body, must_reject=False))
        cases.append(Case(partner, f"{sig} twice, both garbage", False, only_bad, body))
        other = deliveries.valid(partner)[1]
        cases.append(Case(partner, "signature of another body", False, headers, other))
        wrong_key = [(k, v.replace("v1,", "v1,AAAA") if isinstance(v, str) else v) for k, v in headers]
        if partner == "mobifone":
            wrong_key = [(k, v[:-4] + "0000" if k == sig else v) for k, v in headers]
        cases.append(Case(partner, "signature altered", False, wrong_key, body))
    return cases


def kit_viettel_other_key(fields: dict) -> dict:
    fields = {k: v for k, v in fields.items() if k != "check_sum"}
    return json.loads(kit.viettel(fields, key="not-the-key")[1])


def _timestamp_cases(deliveries: Deliveries, partner: str) -> list[Case]:
    cases = []
    if partner == "viettel":
        for family, offset, text, must in (
            ("trans_time 330 s ahead", 330, None, True),
            ("trans_time a year ahead", 365 * 86_400, None, True),
            ("trans_time 200 s ahead", 200, None, False),
            ("trans_time not a date", 0, "20261332256161", True),
            ("trans_time 13 digits", 0, "2026112008153", True),
            ("trans_time unicode digits", 0, "２０２６１１２０081530", True),
            ("trans_time year 0001", 0, "00010101000000", True),
            ("trans_time year 1999", 0, "19991231235959", True),
            ("trans_time year 9999", 0, "99991231235959", True),
            ("trans_time ISO", 0, "2026-11-20T08:15:30+07:00", True),
            ("trans_time empty", 0, "", True),
        ):
            cases.append(Case(partner, family, True, [], b"", must, late=_late_viettel(deliveries, offset, text)))
        return cases
    for family, make, must in (
        ("timestamp 330 s old", lambda now: str(now - 330), True),
        ("timestamp 330 s ahead", lambda now: str(now + 330), True),
        ("timestamp 200 s ahead", lambda now: str(now + 200), False),
        ("timestamp a day old", lambda now: str(now - 86_400), True),
        ("timestamp zero", lambda now: "0", True),
        ("timestamp negative", lambda now: str(-now), True),
        ("timestamp with fraction", lambda now: f"{now}.5", True),
        ("timestamp in milliseconds", lambda now: str(now * 1000), True),
        ("timestamp with leading zeros", lambda now: f"000{now}", False),
        ("timestamp with a plus sign", lambda now: f"+{now}", True),
        ("timestamp with spaces", lambda now: f" {now} ", False),
        ("timestamp hex", lambda now: hex(now), True),
        ("timestamp 1e9", lambda now: "1e9", True),
        ("timestamp 5000 digits", lambda now: "9" * 5000, True),
        ("timestamp superscript digits", lambda now: "\xb2\xb3\xb9", True),
        ("timestamp arabic-indic digits", lambda now: "".join(chr(0x660 + int(d)) for d in str(now)), True),
        ("timestamp empty", lambda now: "", True),
        ("timestamp ISO date", lambda now: dt.datetime.fromtimestamp(now, dt.UTC).isoformat(), True),
    ):
        cases.append(Case(partner, family, True, [], b"", must, late=_late_signed(deliveries, partner, make)))
    return cases


def _late_signed(deliveries: Deliveries, partner: str, make: Callable[[int], str]) -> Callable:
    def build() -> tuple[list, bytes]:
        body = _dump(deliveries.payload(partner))
        headers = deliveries.sign(partner, body, ts=make(deliveries.now()))
        return [(k, _latin1(v)) for k, v in headers], body

    return build


def _late_viettel(deliveries: Deliveries, offset: int, text: str | None) -> Callable:
    def build() -> tuple[list, bytes]:
        fields = deliveries.viettel_fields()
        local = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))) + dt.timedelta(seconds=offset)
        fields["trans_time"] = local.strftime("%Y%m%d%H%M%S") if text is None else text
        return [("Content-Type", "application/json")], _viettel_signed(fields)

    return build


def _latin1(value: str) -> str | bytes:
    """Header text as bytes on the wire: latin-1 where it can be, else UTF-8."""
    if not isinstance(value, str) or value.isascii():
        return value
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8")


def _body_cases(rnd: random.Random, deliveries: Deliveries, partner: str) -> list[Case]:
    cases = []
    headers, valid = deliveries.valid(partner)
    for family, body, fits in _body_corpus(rnd, valid):
        unsigned = [*headers] if partner == "viettel" else deliveries.sign(partner, valid)
        cases.append(Case(partner, family, False, unsigned, body, must_reject=True))
        if partner != "viettel" and fits:
            # A flipped bit in a signed body may leave a valid delivery.
            signed = Case(partner, family, True, deliveries.sign(partner, body), body, family != "bit flips")
            cases.append(signed)
    return cases


def _field_cases(rnd: random.Random, deliveries: Deliveries, partner: str) -> list[Case]:
    cases = []
    base = deliveries.payload(partner)
    # Amounts the contract refuses, signed: each must be rejected.
    for amount in BAD_VIETTEL_AMOUNTS if partner == "viettel" else BAD_AMOUNTS:
        payload = _with(deliveries.payload(partner), AMOUNT_PATH[partner], amount)
        cases.append(_signed_payload(deliveries, partner, f"amount {_short(amount)}", payload, True))
    for path, value in EDGE_TIMES.get(partner, []):
        payload = _with(deliveries.payload(partner), path, value)
        cases.append(_signed_payload(deliveries, partner, f"{'.'.join(path)} = {_short(value)}", payload, True))
    for path in (ID_PATH[partner], AMOUNT_PATH[partner]):
        payload = _without(deliveries.payload(partner), path)
        cases.append(_signed_payload(deliveries, partner, f"{'.'.join(path)} missing", payload, True))
    # Every field given odd values and unicode tricks: a valid-looking result
    # may be accepted, anything else must be a clean rejection.
    mutations = _field_mutations(rnd, base)
    for label, path, value in mutations:
        if path == ID_PATH[partner] and isinstance(value, str) and len(value) <= 60:
            value += deliveries.next_id("")  # each id new, so an accepted one is not a duplicate
        payload = _with(deliveries.payload(partner), path, value)
        cases.append(_signed_payload(deliveries, partner, f"{label} = {_short(value)}", payload, False))
    # Keys nobody expects: NUL and lone surrogates in names.
    for key in ("k\x00", "\ud800", "x" * 400, ""):
        payload = dict(deliveries.payload(partner))
        payload[key] = 1 if partner == "viettel" else "v"
        cases.append(_signed_payload(deliveries, partner, f"extra key {_short(key)}", payload, partner == "viettel"))
        unsigned = _dump(payload)
        headers = [("Content-Type", "application/json")] if partner == "viettel" else deliveries.sign(partner, b"-")
        cases.append(Case(partner, f"extra key {_short(key)}", False, headers, unsigned))
    return cases


def _signed_payload(deliveries: Deliveries, partner: str, family: str, payload: dict, must: bool) -> Case:
    if partner == "viettel":
        body = _viettel_signed_raw({k: v for k, v in payload.items() if k != "check_sum"})
        return Case(partner, family, True, [("Content-Type", "application/json")], body, must)
    body = _dump(payload)
    return Case(partner, family, True, deliveries.sign(partner, body), body, must)


def _short(value) -> str:
    text = json.dumps(value) if not isinstance(value, list | dict) or len(json.dumps(value)) < 20 else "[[…]]"
    return text if len(text) <= 24 else text[:20] + "…"


def _framing_cases(rnd: random.Random, deliveries: Deliveries, partner: str) -> list[Case]:
    cases = []
    big = b'{"pad": "' + b"a" * (MAX_BODY + rnd.randrange(1, 60_000)) + b'"}'
    for signed in (False, True):
        headers = deliveries.sign(partner, big) if signed else [("Content-Type", "application/json")]
        cases.append(Case(partner, "oversized, declared", signed, headers, big))
        cases.append(Case(partner, "oversized, chunked", signed, headers, big, framing="chunked"))
        cases.append(Case(partner, "declared 10 MB, nothing sent", signed, headers, big[:100], framing="declared_only"))
    headers, body = deliveries.valid(partner)
    cases.append(Case(partner, "valid body, chunked", True, headers, body, must_reject=False, framing="chunked"))
    cases.append(Case(partner, "body without a length", True, headers, body, framing="none"))
    # The sender stops early; the signed bytes all arrived, so either answer is right.
    cases.append(Case(partner, "body shorter than declared", True, headers, body, False, framing="short"))
    for content_type in (
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "",
        "application/json; charset=latin-1",
    ):
        headers, body = deliveries.valid(partner)
        headers = [(k, v) for k, v in headers if k != "Content-Type"]
        if content_type:
            headers.append(("Content-Type", content_type))
        cases.append(Case(partner, f"content type {content_type or 'missing'}", True, headers, body, must_reject=False))
    headers, body = deliveries.valid(partner)
    form = b"a=1&b=" + b"%ff" * 100
    cases.append(Case(partner, "form body", False, [("Content-Type", "application/x-www-form-urlencoded")], form))
    cases.append(Case(partner, "header with NUL", False, [*headers, ("X-Odd", b"a\x00b")], body, must_reject=False))
    cases.append(Case(partner, "header of 16 KiB", False, [*headers, ("X-Odd", b"a" * 16384)], body, must_reject=False))
    return cases


# --- HTTP -------------------------------------------------------------------------------


def _raw(case: Case) -> bytes:
    lines = [f"POST /api/v1/webhooks/{case.partner} HTTP/1.1".encode(), b"Host: 127.0.0.1", b"Connection: close"]
    for name, value in case.headers:
        lines.append(name.encode() + b": " + (value if isinstance(value, bytes) else value.encode("latin-1")))
    body = case.body
    if case.framing == "length":
        lines.append(b"Content-Length: %d" % len(body))
    elif case.framing == "chunked":
        lines.append(b"Transfer-Encoding: chunked")
        chunks, at = [], 0
        while at < len(body):
            size = min(len(body) - at, 1 + (at * 7919) % 9000)
            chunks.append(b"%x\r\n%b\r\n" % (size, body[at : at + size]))
            at += size
        body = b"".join(chunks) + b"0\r\n\r\n"
    elif case.framing == "declared_only":
        lines.append(b"Content-Length: 10000000")
    elif case.framing == "short":
        lines.append(b"Content-Length: %d" % (len(body) + 100))
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


@dataclass
class Answer:
    status: int  # 0: no answer
    content_type: str
    body: bytes
    error: str = ""


def _send(port: int, request: bytes, *, half_close: bool) -> Answer:
    received = bytearray()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as conn:
            try:
                conn.sendall(request)
                if half_close:
                    conn.shutdown(socket.SHUT_WR)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server answered before reading everything; its answer is what counts
            while True:
                try:
                    chunk = conn.recv(65536)
                except ConnectionResetError:
                    break
                if not chunk:
                    break
                received += chunk
    except OSError as exc:
        return Answer(0, "", bytes(received), f"{type(exc).__name__}: {exc}")
    head, _sep, body = bytes(received).partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1."):
        return Answer(0, "", bytes(received), "no HTTP answer")
    content_type = ""
    for line in head.split(b"\r\n")[1:]:
        name, _colon, value = line.partition(b":")
        if name.strip().lower() == b"content-type":
            content_type = value.strip().decode("latin-1")
    return Answer(int(head[9:12]), content_type, body)


def _documented(partner: str, answer: Answer) -> str | None:
    """'rejected' or 'accepted' when the answer is in the partner's documented
    format (docs/partners.md), None when it is not."""
    try:
        body = json.loads(answer.body)
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    if partner == "viettel":
        code, message = body.get("code"), body.get("message")
        if not isinstance(message, str) or not message:
            return None
        if (answer.status, code) in ((401, "97"), (400, "01")):
            return "rejected"
        if (answer.status, code) in ((200, "00"), (200, "02"), (409, "04")):
            return "accepted"
        return None
    if body.get("received") is False and answer.status in (400, 401, 413):
        return "rejected" if isinstance(body.get("error"), str) and body["error"] else None
    if body.get("received") is True and answer.status == 200:
        return "accepted"
    return None


# --- the run ----------------------------------------------------------------------------


COUNTS = (
    "SELECT (SELECT count(*) FROM payments_webhookdelivery), (SELECT count(*) FROM payments_transaction), "
    "(SELECT count(*) FROM payments_outboxevent)"
)
LAST = "SELECT verdict, reason FROM payments_webhookdelivery ORDER BY id DESC LIMIT 1"


def _judge(case: Case, answer: Answer, before: tuple, after: tuple, last: tuple | None, tally: Tally) -> None:
    where = f"{case.partner} / {case.family} / {'signed' if case.signed else 'unsigned'}"
    deliveries, transactions, events = (a - b for a, b in zip(after, before, strict=True))
    if answer.status == 0 or answer.status >= 500:
        tally.crashes.append(f"{where}: {answer.status or answer.error}")
        return
    if "json" not in answer.content_type:
        # The web server refused the HTTP itself; the app never saw it.
        if answer.status >= 400 and (deliveries, transactions, events) == (0, 0, 0):
            tally.rejected_by_http_server += 1
        else:
            tally.store_errors.append(f"{where}: HTTP {answer.status} {answer.content_type!r}, rows {after} - {before}")
        return
    verdict = _documented(case.partner, answer)
    if verdict is None:
        tally.format_errors.append(f"{where}: HTTP {answer.status} {answer.body[:120]!r}")
        return
    if verdict == "rejected":
        ok = (deliveries, transactions, events) == (1, 0, 0) and last is not None and last[0] == "rejected" and last[1]
        if ok:
            tally.rejected_clean += 1
        else:
            tally.store_errors.append(f"{where}: rows +{deliveries}/+{transactions}/+{events}, last {last}")
        return
    if case.must_reject:
        tally.hostile_accepted.append(f"{where}: HTTP {answer.status} {answer.body[:120]!r}")
        return
    if deliveries == 1 and transactions <= 1 and events <= 1 and last is not None and last[0] != "rejected":
        tally.accepted[case.family] += 1
    else:
        tally.store_errors.append(f"{where}: accepted, rows +{deliveries}/+{transactions}/+{events}, last {last}")


def run(seed: int) -> list[Row]:
    import psycopg

    started = time.monotonic()
    deliveries = Deliveries(seed)
    LOG.parent.mkdir(exist_ok=True)
    LOG.write_bytes(b"")
    tally = Tally()
    with live.scratch_postgres("fuzz_webhooks") as url:
        env = live.server_env(url, CELERY_TASK_ALWAYS_EAGER="1", **SECRETS)
        live.manage(env, "migrate", "--noinput")
        with live.web_server(env, workers=2, log=LOG) as port, psycopg.connect(url, autocommit=True) as db:
            cases = _cases(seed, deliveries)
            families = Counter(c.family.split(" = ")[0] for c in cases)
            print(
                f"  seed {seed}: {len(cases)} requests in {len(families)} kinds, "
                f"{sum(c.signed for c in cases)} signed; order and mutations follow the seed",
                flush=True,
            )
            record = CASES.open("w", encoding="utf-8")
            for case in cases:
                if case.late is not None:
                    case.headers, case.body = case.late()
                before = db.execute(COUNTS).fetchone()
                sent_at = time.monotonic()
                answer = _send(port, _raw(case), half_close=case.framing in ("short", "declared_only"))
                took = time.monotonic() - sent_at
                after = db.execute(COUNTS).fetchone()
                last = db.execute(LAST).fetchone() if after[0] != before[0] else None
                tally.sent["signed" if case.signed else "unsigned"] += 1
                _judge(case, answer, before, after, last, tally)
                record.write(
                    f"{case.partner}\t{case.family}\t{'signed' if case.signed else 'unsigned'}\t{case.framing}\t"
                    f"{answer.status}\t{took * 1000:.0f} ms\t{answer.body[:100]!r}\t{last}\n"
                )
            record.close()
            fuzz_seconds = time.monotonic() - started
            afterwards = []
            for partner in PARTNERS:
                headers, body = deliveries.valid(partner)
                before = db.execute(COUNTS).fetchone()
                answer = _send(port, _raw(Case(partner, "valid", True, headers, body)), half_close=False)
                after = db.execute(COUNTS).fetchone()
                stored = (after[1] - before[1], after[2] - before[2]) == (1, 1)
                afterwards.append(answer.status == 200 and _documented(partner, answer) == "accepted" and stored)
    return _rows(tally, afterwards, fuzz_seconds)


def _examples(items: list[str]) -> str:
    for item in items[:8]:
        print(f"    {item}", flush=True)
    return str(len(items))


def _rows(tally: Tally, afterwards: list[bool], seconds: float) -> list[Row]:
    total = sum(tally.sent.values())
    if tally.crashes or tally.format_errors or tally.store_errors or tally.hostile_accepted:
        print(f"  failures (server errors, if any, are in {LOG.relative_to(live.ROOT)}):", flush=True)
    answered_app = total - tally.rejected_by_http_server - len(tally.crashes)
    return [
        Row(
            NAME,
            "requests sent (unsigned / signed)",
            f"{total} ({tally.sent['unsigned']} / {tally.sent['signed']}) in {seconds:.0f} s",
            "",
            None,
        ),
        Row(NAME, "5xx answers or dropped connections", _examples(tally.crashes), "0", not tally.crashes),
        Row(
            NAME,
            "app answers not in the partner's documented format",
            _examples(tally.format_errors),
            "0",
            not tally.format_errors,
        ),
        Row(
            NAME,
            "rejections storing exactly one rejected delivery with a reason, nothing else",
            f"{tally.rejected_clean} of {tally.rejected_clean + len(tally.store_errors)}",
            "all",
            not tally.store_errors and tally.rejected_clean > 0,
        ),
        Row(NAME, "hostile requests accepted", _examples(tally.hostile_accepted), "0", not tally.hostile_accepted),
        Row(
            NAME,
            "signed bodies still valid by the contract, accepted once",
            str(sum(tally.accepted.values())),
            "",
            None,
        ),
        Row(
            NAME,
            "refused by the web server before the app, nothing stored",
            f"{tally.rejected_by_http_server} (app answered {answered_app})",
            "",
            None,
        ),
        Row(
            NAME,
            "a valid delivery per partner afterwards",
            f"{sum(afterwards)} of {len(afterwards)} accepted and stored",
            "3 of 3",
            all(afterwards) and len(afterwards) == 3,
        ),
    ]
