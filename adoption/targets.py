"""The programme's targets, from the settings ADOPTION_TARGET_PILOT_PERCENT
(share of stalls transacting in 30 days each pilot market must reach) and
ADOPTION_TARGET_LIVE_PERCENT (share of the city's markets that must be live).
"""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Targets:
    pilot_rate_permille: int
    live_markets_percent: int

    @property
    def pilot_rate_percent(self) -> int:
        return self.pilot_rate_permille // 10


def current_targets() -> Targets:
    return Targets(
        pilot_rate_permille=settings.ADOPTION_TARGET_PILOT_PERCENT * 10,
        live_markets_percent=settings.ADOPTION_TARGET_LIVE_PERCENT,
    )
