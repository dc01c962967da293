"""Settings read the environment through typed helpers that fail loudly."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from market40.env import env_bool, env_int, env_list

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


def test_a_bad_mobifone_bin_stops_start_up():
    result = run_manage("check", MOBIFONE_BIN="97A123")
    assert result.returncode != 0
    assert "MOBIFONE_BIN must be 6 digits" in result.stderr


def test_production_refuses_to_start_without_a_real_secret_key():
    result = run_manage("check", DJANGO_SETTINGS_MODULE="market40.settings_production")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


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
