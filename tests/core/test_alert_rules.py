"""The alert rules of ops/prometheus as Prometheus itself checks and tests
them (promtool, from Debian's `prometheus` package; .ci/run installs it),
each alert with a test that makes it fire and a runbook paragraph."""

import re
import shutil
import subprocess  # noqa: S404 — promtool is the rules' own checker
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "ops" / "prometheus"
RUNBOOK = ROOT / "docs" / "alerts.md"


def promtool(*args: str) -> subprocess.CompletedProcess:
    tool = shutil.which("promtool")
    if tool is None:
        pytest.skip("promtool is missing (apt-get install prometheus)")
    return subprocess.run([tool, *args], cwd=RULES, capture_output=True, text=True, timeout=120, check=False)  # noqa: S603


def alert_names() -> list[str]:
    groups = yaml.safe_load((RULES / "alerts.yml").read_text(encoding="utf-8"))["groups"]
    return [rule["alert"] for group in groups for rule in group["rules"]]


def test_the_rules_and_the_scrape_configuration_are_valid():
    result = promtool("check", "config", "prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 7 rules found" in result.stdout


def test_every_alert_fires_and_stays_quiet_as_its_tests_say():
    result = promtool("test", "rules", "alerts.test.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_fails_a_rule_that_no_longer_fires(tmp_path):
    """The tests above can fail: with a threshold moved, they do."""
    for name in ("alerts.yml", "alerts.test.yml"):
        shutil.copy(RULES / name, tmp_path / name)
    rules = tmp_path / "alerts.yml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("> 0.05", "> 0.5"), encoding="utf-8")

    result = promtool("test", "rules", str(tmp_path / "alerts.test.yml"))

    assert result.returncode != 0
    assert "PartnerRejectedShareHigh" in result.stdout + result.stderr


def test_every_alert_has_a_test_that_makes_it_fire():
    tests = yaml.safe_load((RULES / "alerts.test.yml").read_text(encoding="utf-8"))["tests"]
    fired = {case["alertname"] for test in tests for case in test["alert_rule_test"] if case.get("exp_alerts")}
    quiet = {case["alertname"] for test in tests for case in test["alert_rule_test"] if not case.get("exp_alerts")}
    assert sorted(fired) == sorted(alert_names())
    assert sorted(quiet) == sorted(alert_names())


def test_every_alert_has_a_runbook_paragraph():
    sections = re.findall(r"^### (\w+)$", RUNBOOK.read_text(encoding="utf-8"), re.MULTILINE)
    assert sections == alert_names()
    groups = yaml.safe_load((RULES / "alerts.yml").read_text(encoding="utf-8"))["groups"]
    for rule in (rule for group in groups for rule in group["rules"]):
        assert rule["annotations"]["runbook"] == f"docs/alerts.md#{rule['alert'].lower()}"
