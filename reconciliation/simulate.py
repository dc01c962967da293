"""The file a partner would send for a day, with differences planted on request.

Lines come from what the partner simulator says happened (`SimulatedNotice`,
final state per transaction) or, where nothing was simulated, from the
recorded transactions. The partner's format is written by its parser module,
so this module knows no partner's field names.
"""

import datetime as dt
import random
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.clock import day_bounds
from core.errors import ValidationFailed
from core.partners import Partner
from payments.models import SimulatedNotice, Source, Transaction
from reconciliation.parsers import Kind, Line, Status, parser_for

PLANTS = ["amount", "missing", "extra", "duplicate", "status"]


@dataclass(frozen=True)
class Written:
    file_name: str
    content: bytes
    lines: int
    planted: dict[str, list[str]]


def parse_plants(specs: list[str]) -> dict[str, int]:
    """["amount=2", "missing"] → {"amount": 2, "missing": 1}."""
    plants: dict[str, int] = {}
    for spec in specs:
        name, _sep, count = spec.partition("=")
        name = name.strip()
        if name not in PLANTS:
            raise ValidationFailed.single(
                "plant",
                _("„%(name)s“ không phải loại chênh lệch (%(kinds)s)") % {"name": name, "kinds": ", ".join(PLANTS)},
            )
        if count and not count.isdigit():
            raise ValidationFailed.single("plant", _("số lượng „%(count)s“ phải là số nguyên") % {"count": count})
        plants[name] = plants.get(name, 0) + (int(count) if count else 1)
    return plants


def _settles(partner: str, status: str) -> bool:
    """Failed transactions are only listed by partners whose file carries every
    final status (MobiFone); a reversal stays in the file as its own status."""
    return status == Status.COMPLETED or partner == Partner.MOBIFONE


def day_lines(partner: str, day: dt.date) -> list[Line]:
    start, end = day_bounds(day)
    source: QuerySet[SimulatedNotice] | QuerySet[Transaction] = SimulatedNotice.objects.filter(
        partner=partner, completed_at__gte=start, completed_at__lt=end
    )
    if not source.exists():
        # What webhooks told us; transactions learnt from an earlier file would
        # make each file written differ from the last.
        source = Transaction.objects.filter(partner=partner, business_date=day, source=Source.WEBHOOK)
    rows = source.order_by("completed_at", "id").values_list(
        "partner_transaction_id",
        "kind",
        "status",
        "completed_at",
        "credit_account",
        "reference",
        "amount",
        "original_partner_transaction_id",
        "description",
    )
    lines: list[Line] = []
    for txn_id, kind, status, completed_at, account, reference, amount, original, description in rows:
        if not _settles(partner, status):
            continue
        net = amount if kind == Kind.PAYMENT else -amount
        if status != Status.COMPLETED:
            net = 0
        lines.append(
            Line(
                len(lines) + 1,
                txn_id,
                kind,
                status,
                completed_at,
                account,
                reference,
                amount,
                0,
                net,
                original,
                description if partner == Partner.MOBIFONE else "",
            )
        )
    return lines


def plant(partner: str, lines: list[Line], plants: dict[str, int], *, seed: int = 40) -> tuple[list[Line], dict]:
    """Apply planted differences; returns the new lines and the ids planted per kind."""
    rng = random.Random(seed)
    payments = [i for i, line in enumerate(lines) if line.kind == Kind.PAYMENT and line.status == Status.COMPLETED]
    wanted = sum(plants.get(name, 0) for name in ("amount", "missing", "duplicate", "status"))
    if wanted > len(payments):
        raise ValidationFailed.single(
            "plant", _("Chỉ có %(n)d giao dịch thanh toán để cài chênh lệch") % {"n": len(payments)}
        )
    chosen = rng.sample(payments, wanted)
    planted: dict[str, list[str]] = {name: [] for name in PLANTS}
    out = list(lines)
    drop: set[int] = set()
    extra: list[Line] = []
    cursor = 0
    for name in ("amount", "missing", "duplicate", "status"):
        for index in chosen[cursor : cursor + plants.get(name, 0)]:
            line = out[index]
            planted[name].append(line.partner_txn_id)
            if name == "amount":
                amount = line.amount + 1_000
                out[index] = line._replace(amount=amount, net_amount=amount - line.fee)
            elif name == "missing":
                drop.add(index)
            elif name == "duplicate":
                extra.append(line)
            elif partner == Partner.MOBIFONE:
                out[index] = line._replace(status=Status.REVERSED, net_amount=-line.fee)
            else:
                out[index] = line._replace(
                    kind=Kind.REFUND, net_amount=-line.amount - line.fee, original_txn_id=line.partner_txn_id
                )
        cursor += plants.get(name, 0)
    template = lines[payments[0]] if payments else None
    for number in range(plants.get("extra", 0)):
        if template is None:
            break
        txn_id = f"{template.partner_txn_id[:40]}X{seed}{number:04d}"
        extra.append(template._replace(partner_txn_id=txn_id, amount=25_000, net_amount=25_000 - template.fee))
        planted["extra"].append(txn_id)
    result = [line for i, line in enumerate(out) if i not in drop] + extra
    result.sort(key=lambda line: line.completed_at)
    return result, {name: ids for name, ids in planted.items() if ids}


def write_settlement(*, partner: str, day: dt.date, plants: dict[str, int] | None = None, seed: int = 40) -> Written:
    partner = Partner(partner).value
    lines, planted = plant(partner, day_lines(partner, day), plants or {}, seed=seed)
    module = parser_for(partner)
    return Written(module.file_name(day), module.render(lines, business_date=day), len(lines), planted)
