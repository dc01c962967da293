"""`make demo` serves where it is told: `make demo PORT=8001 HOST=0.0.0.0`,
with the links it prints and the hosts it accepts following."""

import io
import shutil
import subprocess  # noqa: S404 — make, on the repository's own Makefile
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.conftest import vendor_payload

REPO = Path(__file__).resolve().parents[2]


def demo_commands(*assignments: str) -> str:
    make = shutil.which("make")
    assert make, "make is needed to run the demo"
    result = subprocess.run(  # noqa: S603 — fixed arguments
        [make, "-n", "-C", str(REPO), "demo", *assignments], capture_output=True, text=True, check=True
    )
    return result.stdout


def test_the_demo_serves_on_the_port_and_host_given():
    commands = demo_commands("PORT=8001", "HOST=0.0.0.0")

    assert "runserver --insecure 0.0.0.0:8001" in commands
    assert "--host 0.0.0.0 --port 8002" in commands  # the stall screens' stream, beside it
    assert "PUBLIC_BASE_URL=${PUBLIC_BASE_URL:-http://127.0.0.1:8001}" in commands
    assert 'ALLOWED_HOSTS="${ALLOWED_HOSTS:-*}"' in commands


def test_the_demo_keeps_its_defaults():
    commands = demo_commands()

    assert "runserver --insecure 127.0.0.1:8000" in commands
    assert "--host 127.0.0.1 --port 8001" in commands


@pytest.fixture
def coded_vendor(api_for, board_a, market_a) -> str:
    api = api_for(board_a)
    code = api.post("/api/v1/vendors", vendor_payload(market_a)).json()["code"]
    assert (
        api.post(
            f"/api/v1/vendors/{code}/wallet-accounts", {"partner": "vnpt", "account_number": "0912345678"}
        ).status_code
        == 201
    )
    return code


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("base", "option"), [("http://127.0.0.1:8001", " --url http://127.0.0.1:8001"), ("http://127.0.0.1:8000", "")]
)
def test_the_banner_points_the_test_payment_at_the_demo_it_serves(settings, coded_vendor, base, option):
    settings.PUBLIC_BASE_URL = base
    out = io.StringIO()

    call_command("demo_banner", stdout=out)

    assert f"send_test_payment --vendor {coded_vendor} --amount 45000{option}\n" in out.getvalue()
