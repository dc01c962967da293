"""The department's dashboard read from a real streaming replica, and kept
answering from the primary when the replica is gone.

Two clusters on this machine: the primary (proof/stack.py) with the demo
data, and a hot standby made from it with `pg_basebackup -R` (streaming
replication). gunicorn runs with DATABASE_REPLICA_URL naming the standby.
The dashboard's figures come from `GET /api/v1/adoption` as the department.

1. Caught up: the figures are read (A).
2. Replay paused on the standby, a new payment recorded on the primary: the
   dashboard still shows A, so it is served by the standby; /metrics shows
   the standby's lag in seconds and bytes.
3. Replay resumed: once caught up the dashboard shows the payment (B), and
   the lag is 0.
4. The standby stopped: the dashboard still answers, from the primary, with
   B, the primary's own figures; /metrics shows the replica down.
"""

import json
import shutil
import subprocess
import time
import urllib.request

from bench.common import Row
from proof.live import free_port, wait_for_port
from proof.stack import PG_BIN, Stack

NAME = "replica"
DB = "cho40"
ENV = {"CELERY_TASK_ALWAYS_EAGER": "1"}
CATCH_UP_SECONDS = 60.0


def run(seed: int) -> list[Row]:
    del seed  # the demo data are fixed
    with Stack(NAME, extra_env=ENV) as primary:
        primary.create_database(DB)
        primary.manage(DB, "migrate", "--noinput", timeout=900)
        primary.manage(DB, "load_demo", timeout=1800)
        token = primary.manage(DB, "issue_token", "so_congthuong").strip()

        standby = Standby(primary)
        try:
            began = time.monotonic()
            standby.create()
            base_seconds = time.monotonic() - began
            primary.extra_env["DATABASE_REPLICA_URL"] = standby.url
            port = free_port()
            primary.web_server(DB, port)
            site = f"http://127.0.0.1:{port}"

            standby.wait_caught_up()
            before = _figures(site, token)

            standby.sql("SELECT pg_wal_replay_pause()")
            primary.manage(DB, "shell", "-c", _ONE_PAYMENT)
            time.sleep(2)  # the new WAL reaches the standby, which does not replay it
            while_paused = _figures(site, token)
            paused_metrics = _metrics(site)

            standby.sql("SELECT pg_wal_replay_resume()")
            caught_up_in = standby.wait_caught_up()
            after = _figures(site, token)
            caught_up_metrics = _metrics(site)

            standby.stop()
            without_replica = _figures(site, token)
            down_metrics = _metrics(site)
        finally:
            standby.remove()

    paused_lag = paused_metrics.get("cho40_replica_lag_bytes", 0)
    return [
        Row(NAME, "standby made with pg_basebackup -R (streaming)", f"{base_seconds:.1f} s", "", None),
        Row(
            NAME,
            "dashboard while the standby's replay is paused",
            "the standby's figures" if while_paused == before else "DIFFERS from the standby",
            "the standby's figures (served by it)",
            while_paused == before,
        ),
        Row(
            NAME,
            "lag while paused (replica_lag_seconds, replica_lag_bytes)",
            f"{paused_metrics.get('cho40_replica_lag_seconds', 0):.1f} s, {paused_lag:,.0f} bytes",
            "> 0 s, > 0 bytes",
            paused_lag > 0 and paused_metrics.get("cho40_replica_lag_seconds", 0) > 0,
        ),
        Row(
            NAME,
            "after catch-up: dashboard shows the new payment",
            f"yes, caught up in {caught_up_in:.1f} s" if after != before else "no",
            "yes",
            after != before,
        ),
        Row(
            NAME,
            "lag after catch-up",
            f"{caught_up_metrics.get('cho40_replica_lag_bytes', -1):,.0f} bytes",
            "0 bytes",
            caught_up_metrics.get("cho40_replica_lag_bytes") == 0 and caught_up_metrics.get("cho40_replica_up") == 1,
        ),
        Row(
            NAME,
            "standby stopped: dashboard answers from the primary",
            "same figures as the caught-up standby" if without_replica == after else "DIFFERS",
            "the primary's figures, equal to the caught-up standby's",
            without_replica == after,
        ),
        Row(
            NAME,
            "standby stopped: replica_up",
            str(down_metrics.get("cho40_replica_up")),
            "0",
            down_metrics.get("cho40_replica_up") == 0,
        ),
    ]


class Standby:
    """A hot standby of `primary`'s cluster, on its own port and folder."""

    def __init__(self, primary: Stack) -> None:
        self.primary = primary
        self.pgdata = primary.dir / "standby"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/{DB}"

    def create(self) -> None:
        shutil.rmtree(self.pgdata, ignore_errors=True)
        self.pgdata.mkdir(parents=True, mode=0o700)
        owner = self.primary._cluster_owner()
        if owner:
            shutil.chown(self.pgdata, owner)
        self._run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary.pg_port), "-U", "postgres",
            "-D", str(self.pgdata), "-R", "-X", "stream", "-c", "fast",
        )  # fmt: skip
        with open(self.pgdata / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(f"port = {self.port}\nunix_socket_directories = '{self.pgdata}'\nhot_standby = on\n")
        self._run("pg_ctl", "-D", str(self.pgdata), "start", "-w", "-t", "60", "-l", str(self.pgdata / "server.log"))
        wait_for_port(self.port, 30)

    def sql(self, statement: str) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url, autocommit=True, connect_timeout=5) as conn:
            cursor = conn.execute(statement)
            return cursor.fetchall() if cursor.description else []

    def wait_caught_up(self) -> float:
        """Seconds until the standby has replayed everything the primary wrote."""
        began = time.monotonic()
        target = self.primary.scalar(DB, "SELECT pg_current_wal_lsn()::text")
        while time.monotonic() - began < CATCH_UP_SECONDS:
            (behind,) = self.sql(f"SELECT pg_wal_lsn_diff('{target}'::pg_lsn, pg_last_wal_replay_lsn())")[0]
            if behind <= 0:
                return time.monotonic() - began
            time.sleep(0.2)
        raise RuntimeError("the standby did not catch up")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.pgdata), "stop", "-m", "fast", "-w", check=False)

    def remove(self) -> None:
        self._run("pg_ctl", "-D", str(self.pgdata), "stop", "-m", "immediate", check=False)
        shutil.rmtree(self.pgdata, ignore_errors=True)

    def _run(self, program: str, *args: str, check: bool = True) -> None:
        command = self.primary._as_postgres([str(PG_BIN / program), *args])
        subprocess.run(command, check=check, capture_output=True, timeout=600)  # noqa: S603


def _figures(site: str, token: str) -> dict:
    request = urllib.request.Request(f"{site}/api/v1/adoption", headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 — our own server
        document = json.load(answer)
    return {"cohorts": document.get("cohorts"), "markets": document.get("markets")}


def _metrics(site: str) -> dict[str, float]:
    from prometheus_client.parser import text_string_to_metric_families

    with urllib.request.urlopen(f"{site}/metrics", timeout=30) as answer:  # noqa: S310 — our own server
        text = answer.read().decode()
    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name.startswith("cho40_replica")
    }


# One signed payment through the real intake to a demo vendor, today.
_ONE_PAYMENT = """
from core import clock
from payments import intake
from payments.partners import Notice, adapter_for
from merchants.models import WalletAccount
account = WalletAccount.objects.filter(partner="vnpt", vendor__status="active").select_related("vendor").first()
notice = Notice(partner_transaction_id="REPLICA-PROOF-1", kind="payment", status="completed", amount=1250000,
    completed_at=clock.now(), credit_account=account.account_number, reference=account.vendor.payment_reference,
    description=account.vendor.payment_reference, original_partner_transaction_id="", status_updated_at=None)
adapter = adapter_for("vnpt")
headers, body = adapter.encode(notice, secret=adapter.secrets()[0], now=clock.now(), message_id="msg-replica-proof")
assert intake.receive_delivery(partner="vnpt", headers=headers, body=body).verdict == "accepted"
"""
