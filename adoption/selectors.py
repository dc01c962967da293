"""The adoption report: every figure the dashboard, the API, the exports and
the PDF show, built in one place from one source (rollups by default).

Stock figures (stalls, vendors, transacting, rates, markets live) are as of
the report's day: the last day of the period asked, or today if the period
is not over. Money figures sum the period up to that day.
"""

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from adoption import measures
from adoption.models import VendorDay
from adoption.register import RegisterRow
from adoption.sources import ROLLUPS, Flow, RollupSource, TransactionSource, registers_on
from adoption.targets import Targets, current_targets
from core import clock
from core.access import role_of
from core.actors import Actor
from core.errors import NotFound, ValidationFailed
from core.models import Role
from core.partners import Partner
from core.replica import reads_from_replica
from merchants.models import District, Market
from merchants.selectors import current_units, markets_visible_to, unit_errors

# Where the figures come from: the rollups, or the transactions themselves.
Source = RollupSource | TransactionSource

PERIODS = {"day": gettext_lazy("Ngày"), "week": gettext_lazy("Tuần"), "month": gettext_lazy("Tháng")}
COHORTS = {
    "city": gettext_lazy("Toàn thành phố"),
    "pilot": gettext_lazy("Chợ thí điểm"),
    "other": gettext_lazy("Chợ ngoài thí điểm"),
}
WEEK = dt.timedelta(days=7)
# Which markets a report covers: the register as it stands on the report's
# day, or the programme's original 109 (the baseline of its targets).
GROUPS = {
    "register": gettext_lazy("Mọi chợ trong sổ đăng ký"),
    "original": gettext_lazy("109 chợ ban đầu của chương trình"),
}


@dataclass(frozen=True)
class Scope:
    """The markets a report covers: a group, narrowed to one current unit
    (two-tier map since 1 July 2025) or one former district (history)."""

    group: str = "register"
    unit: str = ""
    former_district: str = ""

    def markets(self) -> list[Market]:
        markets = Market.objects.order_by("code")
        if self.group == "original":
            markets = markets.filter(in_original_register=True)
        if self.unit:
            markets = markets.filter(unit_code=self.unit)
        if self.former_district:
            markets = markets.filter(district=self.former_district)
        return list(markets)

    @property
    def label(self) -> str:
        parts = [str(GROUPS[self.group])]
        if self.unit:
            parts.append(current_units()[self.unit].label)
        if self.former_district:
            parts.append(_("quận/huyện cũ %(name)s") % {"name": District(self.former_district).label})
        return " · ".join(parts)


def scope_for(*, group: str | None = None, unit: str | None = None, former_district: str | None = None) -> Scope:
    """The scope asked (query string or API); each bad part named in Vietnamese."""
    errors: dict[str, list[str]] = {}
    group = group or "register"
    if group not in GROUPS:
        errors["group"] = [_("Nhóm chợ chỉ nhận một trong: %(names)s") % {"names": ", ".join(GROUPS)}]
    unit = (unit or "").strip()
    if unit and unit_errors(unit):
        errors["unit"] = unit_errors(unit)
    former_district = former_district or ""
    if former_district and former_district not in District.values:
        errors["former_district"] = [
            _("Quận/huyện cũ chỉ nhận một trong: %(names)s") % {"names": ", ".join(District.values)}
        ]
    if errors:
        raise ValidationFailed.of(errors)
    return Scope(group, unit, former_district)


@dataclass(frozen=True)
class Period:
    kind: str
    first: dt.date
    last: dt.date  # the period's last day, possibly after today
    as_of: dt.date  # the day stock figures are taken: min(last, today)


def period_for(*, day: dt.date | None, period: str | None) -> Period:
    """The period of the given kind containing `day` (default today)."""
    kind = period or "month"
    if kind not in PERIODS:
        raise ValidationFailed.single("period", _("Chỉ nhận một trong: day, week, month"))
    today = clock.today()
    day = day or today
    if day > today:
        raise ValidationFailed.single(
            "date", _("Ngày không được sau hôm nay (%(today)s)") % {"today": today.strftime("%d/%m/%Y")}
        )
    if kind == "day":
        first = last = day
    elif kind == "week":
        first = day - dt.timedelta(days=day.weekday())
        last = first + dt.timedelta(days=6)
    else:
        first = day.replace(day=1)
        last = day.replace(day=calendar.monthrange(day.year, day.month)[1])
    return Period(kind, first, last, min(last, today))


def month_period(month: str) -> Period:
    """A month written YYYY-MM (the monthly report)."""
    try:
        first = dt.datetime.strptime(month.strip(), "%Y-%m").date()
    except ValueError as exc:
        raise ValidationFailed.single("month", _("Tháng không hợp lệ, cần dạng YYYY-MM")) from exc
    if first > clock.today():
        raise ValidationFailed.single("month", _("Tháng chưa bắt đầu"))
    return period_for(
        day=min(first.replace(day=calendar.monthrange(first.year, first.month)[1]), clock.today()), period="month"
    )


@dataclass
class Figures:
    """The measures of one market or one group of markets on the report's day."""

    stalls: int = 0
    vendors_registered: int | None = 0
    vendors_with_code: int | None = 0
    transacting_7d: int = 0
    transacting_30d: int = 0
    markets: int = 0
    markets_live: int = 0
    flows: dict[str, Flow] = field(default_factory=lambda: {p: Flow() for p in Partner.values})

    @property
    def adoption_permille(self) -> int | None:
        return measures.rate_permille(self.transacting_30d, self.stalls)

    @property
    def onboarding_permille(self) -> int | None:
        return measures.rate_permille(self.vendors_with_code, self.stalls)

    @property
    def total(self) -> Flow:
        return sum(self.flows.values(), Flow())

    def partner_share_permille(self, partner: str) -> int | None:
        return measures.rate_permille(self.flows[partner].net_amount, self.total.net_amount)

    def add(self, other: "Figures") -> None:
        self.stalls += other.stalls
        self.vendors_registered = _plus(self.vendors_registered, other.vendors_registered)
        self.vendors_with_code = _plus(self.vendors_with_code, other.vendors_with_code)
        self.transacting_7d += other.transacting_7d
        self.transacting_30d += other.transacting_30d
        self.markets += other.markets
        self.markets_live += other.markets_live
        for partner, flow in other.flows.items():
            self.flows[partner] = self.flows[partner] + flow


def _plus(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a + b


@dataclass(frozen=True)
class Projection:
    """When a target is reached at the pace of the last PACE_WEEKS weeks."""

    key: str
    label: str
    current: int
    target: int
    reached: bool
    eta: dt.date | None  # None and not reached: not at the current pace
    unit: str  # "permille" or "markets"


@dataclass
class MarketRow:
    market: Market
    in_pilot: bool
    figures: Figures
    growth_permille: int | None = None
    rank_adoption: int = 0
    rank_growth: int = 0
    trend: list[int | None] = field(default_factory=list)
    projection: Projection | None = None


@dataclass(frozen=True)
class TrendPoint:
    day: dt.date
    rates: dict[str, int | None]  # cohort → adoption, permille
    live: dict[str, int]  # cohort → markets live
    markets: dict[str, int]  # cohort → markets in it that day
    week_flow: Flow  # the city's money in the 7 days ending on `day`


@dataclass
class Report:
    period: Period
    targets: Targets
    cohorts: dict[str, Figures]
    markets: list[MarketRow]
    trend: list[TrendPoint]
    projections: list[Projection]
    source: str
    scope: Scope = field(default_factory=Scope)

    @property
    def covers(self) -> str:
        """What N is in "markets live of N": the markets this report counts."""
        if self.scope == Scope():
            return _("%(count)s chợ trong sổ đăng ký ngày %(day)s") % {
                "count": len(self.markets),
                "day": self.period.as_of.strftime("%d/%m/%Y"),
            }
        return _("%(count)s chợ: %(scope)s") % {"count": len(self.markets), "scope": self.scope.label}

    @property
    def by_adoption(self) -> list[MarketRow]:
        return sorted(self.markets, key=lambda r: r.rank_adoption)

    @property
    def by_growth(self) -> list[MarketRow]:
        return sorted(self.markets, key=lambda r: r.rank_growth)

    def market(self, code: str) -> MarketRow:
        for row in self.markets:
            if row.market.code == code:
                return row
        raise NotFound(_("Không tìm thấy chợ"))


def trend_days(as_of: dt.date) -> list[dt.date]:
    return [as_of - WEEK * n for n in range(measures.TREND_WEEKS - 1, -1, -1)]


def _market_figures(register: RegisterRow, transacting: tuple[int, int]) -> Figures:
    return Figures(
        stalls=register.stalls,
        vendors_registered=register.vendors_registered,
        vendors_with_code=register.vendors_with_code,
        transacting_7d=transacting[0],
        transacting_30d=transacting[1],
        markets=1,
        markets_live=int(measures.is_live(transacting[1])),
    )


# The dashboard, the exports and the monthly report all come through here:
# with DATABASE_REPLICA_URL set they read the replica (core/replica.py).
@reads_from_replica
def adoption_report(*, period: Period, source: Source = ROLLUPS, scope: Scope = Scope()) -> Report:
    # A market added to the register after the report's day is not in it.
    markets = [m for m in scope.markets() if measures.in_register_on(m, period.as_of)]
    days = trend_days(period.as_of)
    pace_day = period.as_of - WEEK * measures.PACE_WEEKS
    registers = registers_on(markets, days)
    transacting = source.transacting(days)
    flows = source.flows(period.first, period.as_of)
    daily = source.daily_flows(days[0] - dt.timedelta(days=measures.WINDOW_SHORT - 1), period.as_of)
    targets = current_targets()

    rows = []
    for market in markets:
        figures = _market_figures(
            registers[(market.pk, period.as_of)], transacting.get((market.pk, period.as_of), (0, 0))
        )
        for partner in Partner.values:
            figures.flows[partner] = flows.get((market.pk, partner), Flow())
        rates = [
            measures.rate_permille(transacting.get((market.pk, d), (0, 0))[1], registers[(market.pk, d)].stalls)
            for d in days
        ]
        before = rates[days.index(pace_day)]
        growth = None if figures.adoption_permille is None or before is None else figures.adoption_permille - before
        row = MarketRow(market, registers[(market.pk, period.as_of)].in_pilot, figures, growth, trend=rates)
        if row.in_pilot:
            row.projection = _projection(
                "pilot_rate",
                _("Tỷ lệ giao dịch đạt mục tiêu %(percent)s%%") % {"percent": targets.pilot_rate_percent},
                figures.adoption_permille or 0,
                before or 0,
                targets.pilot_rate_permille,
                period.as_of,
                "permille",
            )
        rows.append(row)
    _rank(rows)

    cohorts = {key: Figures() for key in COHORTS}
    for row in rows:
        cohorts["city"].add(row.figures)
        cohorts["pilot" if row.in_pilot else "other"].add(row.figures)

    trend = [_trend_point(d, markets, registers, transacting, daily) for d in days]
    projections = _cohort_projections(rows, trend, days.index(pace_day), targets, period.as_of)
    return Report(period, targets, cohorts, rows, trend, projections, source.label, scope)


def _rank(rows: list[MarketRow]) -> None:
    """Rank 1 is best. Ties keep the register order (market code)."""
    by_rate = sorted(
        rows, key=lambda r: (-(r.figures.adoption_permille or -1), -r.figures.transacting_30d, r.market.code)
    )
    for place, row in enumerate(by_rate, start=1):
        row.rank_adoption = place
    by_growth = sorted(rows, key=lambda r: (r.growth_permille is None, -(r.growth_permille or 0), r.market.code))
    for place, row in enumerate(by_growth, start=1):
        row.rank_growth = place


def _trend_point(
    day: dt.date,
    markets: list[Market],
    registers: dict[tuple[int, dt.date], RegisterRow],
    transacting: dict[tuple[int, dt.date], tuple[int, int]],
    daily: dict[dt.date, Flow],
) -> TrendPoint:
    t30 = dict.fromkeys(COHORTS, 0)
    stalls = dict.fromkeys(COHORTS, 0)
    live = dict.fromkeys(COHORTS, 0)
    count = dict.fromkeys(COHORTS, 0)
    for market in markets:
        if not measures.in_register_on(market, day):
            continue
        register = registers[(market.pk, day)]
        active = transacting.get((market.pk, day), (0, 0))[1]
        for key in ("city", "pilot" if register.in_pilot else "other"):
            t30[key] += active
            stalls[key] += register.stalls
            live[key] += int(measures.is_live(active))
            count[key] += 1
    week = [day - dt.timedelta(days=n) for n in range(measures.WINDOW_SHORT)]
    return TrendPoint(
        day,
        {key: measures.rate_permille(t30[key], stalls[key]) for key in COHORTS},
        live,
        count,
        sum((daily.get(d, Flow()) for d in week), Flow()),
    )


def _projection(key: str, label: str, current: int, before: int, target: int, as_of: dt.date, unit: str) -> Projection:
    """Linear at the pace of the last PACE_WEEKS weeks, in whole weeks, integers only."""
    if current >= target:
        return Projection(key, label, current, target, True, None, unit)
    gained = current - before
    if gained <= 0:
        return Projection(key, label, current, target, False, None, unit)
    weeks = -(-(target - current) * measures.PACE_WEEKS // gained)
    return Projection(key, label, current, target, False, as_of + WEEK * weeks, unit)


def _cohort_projections(
    rows: list[MarketRow], trend: list[TrendPoint], pace_index: int, targets: Targets, as_of: dt.date
) -> list[Projection]:
    pilots = [r.projection for r in rows if r.projection is not None]
    reached = sum(p.reached for p in pilots)
    etas = [p.eta for p in pilots if not p.reached]
    paced = [eta for eta in etas if eta is not None]
    pilot = Projection(
        "pilot_rate",
        _("Mọi chợ thí điểm có %(percent)s%% số sạp giao dịch") % {"percent": targets.pilot_rate_percent},
        reached,
        len(pilots),
        bool(pilots) and reached == len(pilots),
        max(paced) if etas and len(paced) == len(etas) else None,
        "markets",
    )
    now, before = trend[-1], trend[pace_index]
    needed = -(-targets.live_markets_percent * now.markets["city"] // 100)
    live = _projection(
        "markets_live",
        _("%(percent)s%% số chợ có giao dịch") % {"percent": targets.live_markets_percent},
        now.live["city"],
        before.live["city"],
        needed,
        as_of,
        "markets",
    )
    return [pilot, live]


def report_for(user: Actor, *, period: Period, source: Source = ROLLUPS, scope: Scope = Scope()) -> Report:
    """The city report, for the department and operators only; a board
    asking gets NotFound (it sees its own market's page)."""
    if role_of(user) not in (Role.DEPARTMENT, Role.OPERATOR):
        raise NotFound(_("Không tìm thấy"))
    return adoption_report(period=period, source=source, scope=scope)


def require_market_visible(user: Actor, code: str) -> None:
    if not markets_visible_to(user).filter(code=code).exists():
        raise NotFound(_("Không tìm thấy chợ"))


def market_report_for(user: Actor, code: str, *, period: Period, source: Source = ROLLUPS) -> tuple[Report, MarketRow]:
    """One market's figures with its rank in the city; NotFound for a market
    the person cannot see."""
    require_market_visible(user, code)
    report = adoption_report(period=period, source=source)
    return report, report.market(code)


# Who counts as a registered vendor, for the apps that count vendors too.
REGISTERED_STATUSES = measures.REGISTERED_STATUSES


def vendor_net_from(
    starts: tuple[dt.date, ...], last: dt.date, *, market: Market | None = None
) -> dict[int, tuple[int, ...]]:
    """Each vendor's net money (payments less refunds, đồng) from each of
    `starts` to `last` inclusive, from the vendor-day rollups: one pass over
    the days of the earliest window, for every vendor of the city at once.
    Vendors with no money in any window are left out; `market` keeps one
    market's vendors."""
    earliest = min(starts)
    net = F("payments_amount") - F("refunds_amount")
    sums = {f"w{i}": Coalesce(Sum(net, filter=Q(day__gte=start)), 0) for i, start in enumerate(starts)}
    found = VendorDay.objects.filter(day__range=(earliest, last))
    if market is not None:
        found = found.filter(market=market)
    rows = found.values("vendor_id").annotate(**sums).values_list("vendor_id", *sums)
    return {row[0]: tuple(row[1:]) for row in rows}
