"""Vendor search: 20,000 vendors over ten markets, searched as people type
(no diacritics, any case, part of a stall, a phone's last digits), the way
the vendor list asks: a count and the first page of 25.
Goal: p95 under 100 ms, for an operator over all markets and a board over one."""

import random
import statistics
import time

from bench.common import Row, scratch_database

VENDORS = 20_000
MARKETS = 10
ROUNDS = 20
GOAL_MS = 100.0
TERMS = ["cuc", "chau hong cuc", "NGUYỄN THỊ", "tran van", "161", "A-16", "rau sach", "4567", "khong co ai"]


def _load(actor: object) -> list:
    from merchants import services
    from merchants.demo import demo_rows
    from merchants.imports import COLUMNS
    from merchants.models import Market

    fields = [name for name, _header in COLUMNS if name in services.VENDOR_FIELDS or name == "category"]
    markets = list(Market.objects.order_by("code")[:MARKETS])
    rnd = random.Random(17)
    for market in markets:
        rows = demo_rows(market, VENDORS // MARKETS, rnd)[1:]
        cleaned = [
            services.clean_vendor_fields(services.vendor_fields_of(dict(zip(fields, row, strict=False))))
            for row in rows
        ]
        services.vendor_batch_save(actor=actor, market=market, rows=[services.VendorRow(fields=f) for f in cleaned])
    return markets


def _timings(user: object, terms: list[str]) -> list[float]:
    from merchants import selectors

    timings = []
    for _round in range(ROUNDS):
        for term in terms:
            started = time.perf_counter()
            found = selectors.vendor_search(user, search=term)
            found.count()
            list(found[:25])
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def _p95(timings: list[float]) -> float:
    return statistics.quantiles(timings, n=20)[-1]


def run() -> list[Row]:
    from django.contrib.auth.models import User
    from django.db import connection

    from core.models import Role, StaffProfile
    from merchants import selectors
    from merchants.models import Vendor

    with scratch_database():
        operator = User.objects.create_superuser("bench", password="bench-only-password")
        StaffProfile.objects.create(user=operator, role=Role.OPERATOR)
        markets = _load(operator)
        board = User.objects.create_user("bench-board", password="bench-only-password")
        StaffProfile.objects.create(user=board, role=Role.BOARD).markets.set(markets[:1])
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE merchants_vendor")
        assert Vendor.objects.count() == VENDORS
        sql, params = selectors.vendor_search(operator, search="chau hong cuc").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql, params)
            plan = " ".join(row[0] for row in cursor.fetchall())
        uses_index = "vendor_search_words" in plan
        _timings(operator, TERMS[:2])  # warm the connection and the caches
        rows = []
        for who, user in (("operator, all markets", operator), ("board, one market", board)):
            timings = _timings(user, TERMS)
            p95 = _p95(timings)
            rows.append(
                Row(
                    "search",
                    f"{VENDORS:,} vendors, {who}: p50 / p95 of {len(timings)} searches",
                    f"{statistics.median(timings):.1f} / {p95:.1f} ms",
                    f"p95 < {GOAL_MS:.0f} ms",
                    p95 < GOAL_MS,
                )
            )
        rows.append(Row("search", "name words answered from the GIN index", "yes" if uses_index else "no", "", None))
        return rows
