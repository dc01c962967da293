"""The programme's targets, from the environment.

ADOPTION_TARGET_PILOT_PERCENT: share of stalls transacting (30 days) each
pilot market must reach (default 50). ADOPTION_TARGET_LIVE_PERCENT: share of
the city's markets that must be live (default 100: every market).
"""

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

from market40.env import env_int


@dataclass(frozen=True)
class Targets:
    pilot_rate_permille: int
    live_markets_percent: int

    @property
    def pilot_rate_percent(self) -> int:
        return self.pilot_rate_permille // 10


def _percent(name: str, default: int) -> int:
    value = env_int(name, default)
    if not 1 <= value <= 100:
        raise ImproperlyConfigured(f"{name} must be a percentage from 1 to 100, got {value}")
    return value


def current_targets() -> Targets:
    return Targets(
        pilot_rate_permille=_percent("ADOPTION_TARGET_PILOT_PERCENT", 50) * 10,
        live_markets_percent=_percent("ADOPTION_TARGET_LIVE_PERCENT", 100),
    )
