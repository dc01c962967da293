"""Settings read the environment through typed helpers that fail loudly."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from market40.env import env_bool, env_int, env_list, env_percent, env_time

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k" * 20 + "-production-secret-for-tests-only-0123456789"


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    inherited = {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in inherited}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("raw", ["treu", "2", "enabled"])
def test_a_mistyped_boolean_is_an_error(monkeypatch, raw):
    monkeypatch.setenv("SOME_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG must be a boolean"):
        env_bool("SOME_FLAG", False)


def test_a_mistyped_integer_is_an_error(monkeypatch):
    monkeypatch.setenv("SOME_NUMBER", "12o")
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER must be an integer"):
        env_int("SOME_NUMBER", 1)


def test_lists_keep_order_and_drop_blanks(monkeypatch):
    monkeypatch.setenv("SECRETS", " newest , ,older ")
    assert env_list("SECRETS") == ["newest", "older"]
    assert env_bool("UNSET_FLAG_XYZ", True) is True


def test_a_time_of_day_is_hh_mm_on_a_24_hour_clock(monkeypatch):
    monkeypatch.setenv("SOME_TIME", " 23:05 ")
    assert env_time("SOME_TIME", "02:00") == dt.time(23, 5)
    assert env_time("UNSET_TIME_XYZ", "02:00") == dt.time(2, 0)
    for raw in ("3h30", "24:00", "12:60", "12:30:00"):
        monkeypatch.setenv("SOME_TIME", raw)
        with pytest.raises(ImproperlyConfigured, match=r"SOME_TIME must be HH:MM \(24-hour\)"):
            env_time("SOME_TIME", "02:00")


def test_a_percentage_is_from_1_to_100(monkeypatch):
    monkeypatch.setenv("SOME_SHARE", "100")
    assert env_percent("SOME_SHARE", 50) == 100
    for raw in ("0", "101"):
        monkeypatch.setenv("SOME_SHARE", raw)
        with pytest.raises(ImproperlyConfigured, match="SOME_SHARE must be a percentage from 1 to 100"):
            env_percent("SOME_SHARE", 50)


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("RECONCILIATION_AT", "3h30", "RECONCILIATION_AT must be HH:MM"),
        ("ADOPTION_TARGET_PILOT_PERCENT", "150", "ADOPTION_TARGET_PILOT_PERCENT must be a percentage"),
        ("OUTBOX_CLAIM_SECONDS", "2m", "OUTBOX_CLAIM_SECONDS must be an integer"),
    ],
)
def test_a_malformed_schedule_or_target_stops_start_up(name, raw, message):
    result = run_manage("check", **{name: raw})
    assert result.returncode != 0
    assert message in result.stderr


def test_a_bad_mobifone_bin_stops_start_up():
    result = run_manage("check", MOBIFONE_BIN="97A123")
    assert result.returncode != 0
    assert "MOBIFONE_BIN must be 6 digits" in result.stderr


def test_production_refuses_to_start_without_a_real_secret_key():
    result = run_manage("check", DJANGO_SETTINGS_MODULE="market40.settings_production")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_the_embedded_database(tmp_path):
    result = run_manage(
        "check",
        DJANGO_SETTINGS_MODULE="market40.settings_production",
        SECRET_KEY=STRONG_KEY,
        DATABASE_URL="",
        VAR_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    assert "DATABASE_URL must name the PostgreSQL server in production" in result.stderr


def test_production_settings_pass_the_deploy_check():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="market40.settings_production",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="cho40.example.vn",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_embedded_default_is_vietnamese_in_ho_chi_minh_time(settings):
    assert (settings.LANGUAGE_CODE, settings.TIME_ZONE, settings.USE_TZ) == ("vi", "Asia/Ho_Chi_Minh", True)
    assert "en" in dict(settings.LANGUAGES)
