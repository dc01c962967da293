"""API shapes of adoption reporting. Money is integer đồng; rates are
percentages with one decimal (12.5), each with its Vietnamese text."""

import datetime as dt

from ninja import Field, Schema


class PartnerOut(Schema):
    partner: str
    name: str
    payments_count: int
    payments_amount: int
    refunds_count: int
    refunds_amount: int
    net_amount: int
    share_percent: float | None


class FiguresOut(Schema):
    # What each figure counts, as the dashboard's and exports' headings say it.
    stalls: int = Field(description="Stalls in the markets register")
    vendors_registered: int | None = Field(
        description="Vendors registered (active or suspended); null for a past day with no register snapshot"
    )
    vendors_with_code: int | None = Field(
        description="Active vendors with a payment code in use; null for a past day with no register snapshot"
    )
    transacting_7d: int = Field(description="Vendors (not payments) with a completed payment in the 7 days to as_of")
    transacting_30d: int = Field(description="Vendors (not payments) with a completed payment in the 30 days to as_of")
    adoption_rate: float | None = Field(description="transacting_30d / stalls, percent with one decimal")
    adoption_rate_text: str
    onboarding_rate: float | None = Field(description="vendors_with_code / stalls, percent with one decimal")
    onboarding_rate_text: str
    payments_count: int = Field(description="Completed payments in the period")
    payments_amount: int
    refunds_count: int
    refunds_amount: int
    net_amount: int
    net_amount_text: str
    by_partner: list[PartnerOut]


class CohortOut(FiguresOut):
    key: str
    label: str
    markets: int
    markets_live: int


class ProjectionOut(Schema):
    key: str
    label: str
    current: int
    target: int
    reached: bool
    date: dt.date | None


class MarketFiguresOut(FiguresOut):
    """One market's row of the report (the register's MarketOut is another schema)."""

    code: str
    name: str
    district: str  # the former district's name, as before the reform
    unit_code: str  # the current commune-level unit (official code); "" until an operator settles it
    unit_name: str
    former_district: str
    former_district_name: str
    former_ward: str
    in_original_register: bool
    in_pilot: bool
    live: bool
    growth_points: float | None
    rank_adoption: int
    rank_growth: int
    projection: ProjectionOut | None


class TrendOut(Schema):
    date: dt.date
    pilot_rate: float | None
    other_rate: float | None
    city_rate: float | None
    pilot_markets_live: int
    pilot_markets: int
    markets_live: int
    markets: int
    payments_count: int
    net_amount: int


class PeriodOut(Schema):
    period: str
    first_day: dt.date
    last_day: dt.date
    as_of: dt.date


class TargetsOut(Schema):
    pilot_rate_percent: int
    live_markets_percent: int


class ScopeOut(Schema):
    group: str
    unit: str
    former_district: str
    covers: str  # what the report's "markets" counts, in words
    markets: int


class PlaceOut(FiguresOut):
    key: str  # unit code or former district key; "" for markets without one
    name: str
    markets: int
    markets_live: int


class PlacesOut(Schema):
    grouping: str  # "unit" (current, since 1 July 2025) or "former_district" (before it)
    heading: str
    rows: list[PlaceOut]


class AdoptionOut(PeriodOut):
    targets: TargetsOut
    cohorts: list[CohortOut]
    scope: ScopeOut
    markets: list[MarketFiguresOut]
    places: list[PlacesOut]
    trend: list[TrendOut]
    projections: list[ProjectionOut]


class MarketAdoptionOut(PeriodOut):
    market: MarketFiguresOut
    markets_in_city: int
    trend: list[dict]
