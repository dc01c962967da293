"""Typed readers of the environment that fail loudly.

A typo in a production variable must stop the process at start, not fall back
to a silent default, so every reader validates what it finds.
"""

import datetime as dt
import os
from typing import overload

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@overload
def env_str(name: str, default: str) -> str: ...
@overload
def env_str(name: str, default: None = None) -> str | None: ...
def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value.strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw.strip())
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_percent(name: str, default: int) -> int:
    """A whole percentage from 1 to 100."""
    value = env_int(name, default)
    if not 1 <= value <= 100:
        raise ImproperlyConfigured(f"{name} must be a percentage from 1 to 100, got {value}")
    return value


def env_time(name: str, default: str) -> dt.time:
    """A time of day written HH:MM, 24-hour."""
    raw = env_str(name, default) or default
    try:
        hour_text, minute_text = raw.split(":")
        return dt.time(int(hour_text), int(minute_text))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be HH:MM (24-hour), got {raw!r}") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """Comma-separated values, blanks dropped; order is kept (newest secret first)."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]
