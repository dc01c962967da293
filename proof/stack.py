"""The fault scenarios' own services, so that nothing else is disturbed.

A `Stack` is a throw-away PostgreSQL cluster and Redis server on free ports
under `var/proof/<name>/`, and the project's real processes (the web server,
Celery workers, Celery beat) pointed at them. The scenarios restart,
stop and kill these and only these: the machine's shared PostgreSQL and
Redis serve other people at the same time. Leaving the `with` block stops
every process the stack started and removes its data, whatever happened.

PostgreSQL runs with fsync and synchronous_commit on, as in production: an
acknowledged delivery must survive an immediate shutdown. Redis keeps an
append-only file, as in docker-compose.yml, so queued tasks survive a stop.
"""

import contextlib
import datetime as dt
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import Row
from market40 import database
from proof.live import free_port, manage, seed_paying_vendors, server_env, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
EARLIEST = dt.datetime.min.replace(tzinfo=dt.UTC)
SYSTEM_PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _pg_bin() -> Path:
    """PROOF_PG_BIN, else the machine's PostgreSQL 15, else the programs of
    the packaged PostgreSQL that a fresh checkout has (market40/database.py)."""
    if os.environ.get("PROOF_PG_BIN"):
        return Path(os.environ["PROOF_PG_BIN"])
    if (SYSTEM_PG_BIN / "initdb").exists():
        return SYSTEM_PG_BIN
    return database.embedded_binaries()


PG_BIN = _pg_bin()
# Partner secrets of the throw-away deployment (any value works; the simulator signs with the same).
SECRETS = {
    "VNPT_WEBHOOK_SECRETS": "whsec_cHJvb2Ytdm5wdC1rZXk=",
    "VIETTEL_CHECKSUM_KEYS": "proof-viettel-key",
    "MOBIFONE_WEBHOOK_SECRETS": "proof-mobifone-key",
}


@dataclass
class Process:
    """A child in its own session, so a kill takes its children (prefork
    pool, web server workers) with it, as a killed container would."""

    name: str
    popen: subprocess.Popen
    log: Path
    # How to start it again; None for a process nobody restarts.
    restart: "Callable[[], subprocess.Popen] | None" = None

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def signal(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)

    def stop(self, timeout: float = 20.0) -> None:
        if self.alive():
            self.signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.signal(signal.SIGKILL)
                self.popen.wait(timeout=10)
        # Children the leader left behind (a SIGKILLed prefork parent's pool).
        self.signal(signal.SIGKILL)

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@dataclass
class Stack:
    name: str
    pg_port: int = field(default_factory=free_port)
    redis_port: int = field(default_factory=free_port)
    extra_env: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.dir = ROOT / "var" / "proof" / self.name
        self.pgdata = self.dir / "pgdata"
        self.logs = self.dir / "logs"
        self.processes: list[Process] = []
        self.redis: subprocess.Popen | None = None
        # Processes that ended on their own and were started again: (name, exit status).
        self.unplanned_exits: list[tuple[str, int | None]] = []
        self._lock = threading.Lock()
        self._closing = threading.Event()

    # --- the whole stack -----------------------------------------------------

    def __enter__(self) -> "Stack":
        self._clear_leftovers()
        shutil.rmtree(self.logs, ignore_errors=True)
        self.logs.mkdir(parents=True)
        try:
            self.start_postgres()
            self.start_redis()
            threading.Thread(target=self._supervise, name="proof-supervisor", daemon=True).start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop everything this stack started; never raises."""
        self._closing.set()
        with self._lock:
            processes = list(self.processes)
        for process in reversed(processes):
            with contextlib.suppress(Exception):
                process.stop()
        with contextlib.suppress(Exception):
            self.stop_redis()
        with contextlib.suppress(Exception):
            self._pg_ctl("stop", "-m", "immediate", check=False)
        shutil.rmtree(self.pgdata, ignore_errors=True)
        shutil.rmtree(self.dir / "redis", ignore_errors=True)

    def _supervise(self) -> None:
        """Start again a supervised process that ended on its own, as the
        deployment's `restart: unless-stopped` (docker-compose.yml) does."""
        while not self._closing.wait(0.5):
            with self._lock:
                for process in self.processes:
                    if process.restart is not None and not process.alive() and not self._closing.is_set():
                        self.unplanned_exits.append((process.name, process.popen.returncode))
                        print(f"   {process.name} ended on its own (status {process.popen.returncode}): started again")
                        process.signal(signal.SIGKILL)  # what is left of its pool
                        process.popen = process.restart()

    def _clear_leftovers(self) -> None:
        """A run killed before its teardown leaves a cluster behind: stop it
        (by its own pid files) before starting afresh."""
        if (self.pgdata / "postmaster.pid").exists():
            self._pg_ctl("stop", "-m", "immediate", check=False)
        pidfile = self.dir / "redis" / "redis.pid"
        if pidfile.exists():
            with contextlib.suppress(ValueError, OSError):
                pid = int(pidfile.read_text().strip())
                if "redis-server" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace"):
                    os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.pgdata, ignore_errors=True)
        shutil.rmtree(self.dir / "redis", ignore_errors=True)

    # --- PostgreSQL ------------------------------------------------------------

    def _as_postgres(self, args: list[str]) -> list[str]:
        # initdb refuses to run as root; the cluster belongs to another user then.
        owner = self._cluster_owner()
        return ["runuser", "-u", owner, "--", *args] if owner else args

    def _cluster_owner(self) -> str | None:
        """As root, the machine's `postgres` user, or the packaged server's own."""
        if os.geteuid() != 0:
            return None
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return database.server_user(self.pgdata)
        return "postgres"

    def _pg_ctl(self, *args: str, check: bool = True) -> None:
        subprocess.run(  # noqa: S603 — fixed binaries, our own paths
            self._as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.pgdata), *args]),
            check=check,
            capture_output=True,
            timeout=120,
        )

    def start_postgres(self) -> None:
        self.pgdata.mkdir(parents=True)
        owner = self._cluster_owner()
        if owner:
            shutil.chown(self.pgdata, owner)
        subprocess.run(  # noqa: S603
            self._as_postgres(
                [str(PG_BIN / "initdb"), "-D", str(self.pgdata), "-U", "postgres", "-A", "trust", "-E", "UTF8"]
            ),
            check=True,
            capture_output=True,
            timeout=120,
        )
        with open(self.pgdata / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(
                f"port = {self.pg_port}\n"
                "listen_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.pgdata}'\n"
                "fsync = on\n"
                "synchronous_commit = on\n"
                "full_page_writes = on\n"
                "max_connections = 200\n"
                "shared_buffers = 128MB\n"
                "log_min_messages = warning\n"
            )
        self._pg_ctl("start", "-w", "-t", "60", "-l", str(self.pgdata / "server.log"))

    def restart_postgres(self, mode: str) -> float:
        """Stop (`fast` or `immediate`: a crash, recovered from WAL at start)
        and start again; the seconds it was unavailable."""
        started = time.monotonic()
        self._pg_ctl("stop", "-m", mode, "-w")
        self._pg_ctl("start", "-w", "-t", "60", "-l", str(self.pgdata / "server.log"))
        return time.monotonic() - started

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.pg_port}/{database}"

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql)

    def create_database(self, name: str, template: str | None = None) -> str:
        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return name

    def query(self, database: str, sql: str, params: tuple = ()) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url(database), connect_timeout=5) as conn:
            return conn.execute(sql, params).fetchall()

    def scalar(self, database: str, sql: str, params: tuple = ()) -> object:
        return self.query(database, sql, params)[0][0]

    # --- Redis --------------------------------------------------------------------

    def start_redis(self) -> None:
        data = self.dir / "redis"
        data.mkdir(parents=True, exist_ok=True)
        self.redis = subprocess.Popen(  # noqa: S603
            [
                "redis-server",
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(data),
                "--appendonly",
                "yes",
                "--save",
                "",
                "--pidfile",
                str(data / "redis.pid"),
                "--logfile",
                str(self.logs / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        (data / "redis.pid").write_text(str(self.redis.pid))
        wait_for_port(self.redis_port, 20)

    def stop_redis(self) -> None:
        """A clean stop (SIGTERM: Redis writes its append-only file and exits)."""
        if self.redis is not None and self.redis.poll() is None:
            self.redis.terminate()
            try:
                self.redis.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.redis.kill()
                self.redis.wait(timeout=10)
        self.redis = None

    def redis_url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/{db}"

    # --- the project's processes ------------------------------------------------------

    def env(self, database: str) -> dict:
        var = self.dir / "var"
        return server_env(
            self.url(database),
            **{
                **SECRETS,
                "REDIS_URL": self.redis_url(),
                "CELERY_TASK_ALWAYS_EAGER": "0",
                "VAR_DIR": str(var),
                "SETTLEMENT_INBOX": str(var / "settlement-inbox"),
                "PYTHONUNBUFFERED": "1",
                # A scenario's own settings win over these.
                **self.extra_env,
            },
        )

    def manage(self, database: str, *args: str, timeout: float = 600) -> str:
        return manage(self.env(database), *args, timeout=timeout)

    def spawn(
        self, name: str, database: str, args: list[str], env: dict | None = None, *, supervised: bool = False
    ) -> Process:
        """Start `python ARGS` against the database; a supervised process is
        started again whenever it ends without being told to."""
        log = self.logs / f"{name}.log"

        def start() -> subprocess.Popen:
            with open(log, "ab") as out:
                return subprocess.Popen(  # noqa: S603
                    [sys.executable, *args],
                    cwd=ROOT,
                    env={**self.env(database), **(env or {})},
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )

        process = Process(name, start(), log, start if supervised else None)
        with self._lock:
            self.processes.append(process)
        return process

    def exits_row(self, scenario: str) -> Row:
        """Which processes ended on their own during the scenario (and were
        started again by the supervisor, as the deployment's restart policy does)."""
        found = Counter(name for name, _status in self.unplanned_exits)
        value = ", ".join(f"{name} ×{times}" for name, times in sorted(found.items())) or "none"
        return Row(scenario, "processes that ended on their own (restarted)", value, "", None)

    def forget(self, process: Process) -> None:
        with self._lock:
            process.restart = None
            self.processes.remove(process)

    def web_server(self, database: str, port: int) -> Process:
        """The web server as deployed (market40/server.py: worker processes with threads, keep-alive)."""
        from market40.server import command

        process = self.spawn("web", database, command(host="127.0.0.1", port=port, quiet=True), supervised=True)
        wait_for_port(port)
        return process

    def worker(
        self,
        database: str,
        queues: str,
        name: str,
        *,
        concurrency: int = 4,
        loglevel: str = "WARNING",
        env: dict | None = None,
        supervised: bool = True,
    ) -> Process:
        return self.spawn(
            f"worker-{name}",
            database,
            [
                "-m",
                "celery",
                "-A",
                "market40",
                "worker",
                "-Q",
                queues,
                "-n",
                f"{name}@proof",
                f"--concurrency={concurrency}",
                "--without-gossip",
                "--without-mingle",
                f"--loglevel={loglevel}",
            ],
            env=env,
            supervised=supervised,
        )

    def beat(self, database: str) -> Process:
        return self.spawn(
            "beat",
            database,
            ["-m", "celery", "-A", "market40", "beat", "--schedule", str(self.dir / "beat-schedule"), "-l", "WARNING"],
            supervised=True,
        )

    def start_intake(self, database: str, vendors: int) -> tuple[int, Process]:
        """A migrated database with `vendors` paying vendors, the web server on a free
        port, an ingest worker and beat: (the port, the worker)."""
        self.create_database(database)
        self.manage(database, "migrate", "--noinput")
        seed_paying_vendors(self.env(database), vendors, tag="PF")
        port = free_port()
        self.web_server(database, port)
        worker = self.worker(database, "ingest,default", "ingest")
        self.beat(database)
        return port, worker

    def kill(self, process: Process) -> None:
        """SIGKILL to the process and everything it started; no cleanup runs."""
        self.forget(process)
        process.signal(signal.SIGKILL)
        process.popen.wait(timeout=10)

    def stop(self, process: Process) -> None:
        """A clean stop (SIGTERM, then SIGKILL after a while)."""
        self.forget(process)
        process.stop()

    def simulator(self, database: str, *, url: str, count: int, rate: float, seed: int, ledger: Path) -> Process:
        """The partners (`manage.py simulate_partners`), retrying RETRY_SPEEDUP
        times faster than their contracts say, writing what they sent to `ledger`."""
        return self.spawn(
            "simulator",
            database,
            [
                "manage.py",
                "simulate_partners",
                f"--url={url}",
                f"--count={count}",
                f"--rate={rate}",
                f"--seed={seed}",
                f"--retry-speedup={RETRY_SPEEDUP}",
                f"--concurrency={SIMULATOR_CONNECTIONS}",
                f"--ledger={ledger}",
            ],
        )

    def pending_followups(self, database: str) -> int:
        try:
            return int(self.scalar(database, "SELECT count(*) FROM payments_outboxevent WHERE processed_at IS NULL"))
        except Exception:  # noqa: BLE001 — a server still recovering counts as work pending
            return -1

    def wait_for_followups(self, database: str, timeout: float) -> tuple[int, float]:
        """Wait until no follow-up event is pending; (still pending, seconds waited)."""
        started = time.monotonic()
        reported = started
        pending = self.pending_followups(database)
        while pending and time.monotonic() - started < timeout:
            time.sleep(0.5)
            pending = self.pending_followups(database)
            if time.monotonic() - reported >= 15:
                reported = time.monotonic()
                print(f"   {reported - started:5.0f} s into the drain: {pending} follow-up events pending", flush=True)
        return pending, time.monotonic() - started


# --- what the partners sent against what was recorded ---------------------------------

# The partners' retry schedule and the outbox's timers run this many times
# faster in the proofs (claim expiry 120 s → 10 s, retry 30 s → 1 s, sweep 60 s → 5 s).
RETRY_SPEEDUP = 60
TIMERS = {"OUTBOX_CLAIM_SECONDS": "10", "OUTBOX_RETRY_SECONDS": "1", "OUTBOX_SWEEP_SECONDS": "5"}
SIMULATOR_CONNECTIONS = 8


def expected_transactions(ledger_lines: list[dict]) -> dict[tuple[str, str], tuple]:
    """What each acknowledged transaction must look like: for MobiFone the
    status with the latest update wins (partners.md), for the others a
    transaction's content never changes."""
    latest: dict[tuple[str, str], tuple] = {}
    for line in ledger_lines:
        if not (line["good"] and line["acknowledged"]):
            continue
        key = (line["partner"], line["partner_transaction_id"])
        updated = dt.datetime.fromisoformat(line["status_updated_at"]) if line["status_updated_at"] else EARLIEST
        candidate = (updated, line["kind"], line["status"], line["amount"])
        if key not in latest or candidate[0] > latest[key][0]:
            latest[key] = candidate
    return {key: value[1:] for key, value in latest.items()}


def delivery_rows(stack: Stack, database: str, scenario: str, ledger: Path, *, count: int) -> list[Row]:
    """Every acknowledged delivery is a transaction with the content sent, no
    transaction exists that was not sent, none twice, follow-up work done."""
    lines = [json.loads(text) for text in ledger.read_text(encoding="utf-8").splitlines() if text.strip()]
    good = [line for line in lines if line["good"]]
    acknowledged = [line for line in good if line["acknowledged"]]
    bad_taken = sum(1 for line in lines if not line["good"] and line["acknowledged"])
    retried = sum(line["attempts"] - 1 for line in lines)
    retried_deliveries = sum(1 for line in lines if line["attempts"] > 1)
    expected = expected_transactions(lines)
    sent_keys = {(line["partner"], line["partner_transaction_id"]) for line in good}
    recorded = {
        (partner, txn_id): (kind, status, amount)
        for partner, txn_id, kind, status, amount in stack.query(
            database, "SELECT partner, partner_transaction_id, kind, status, amount FROM payments_transaction"
        )
    }
    transactions = int(stack.scalar(database, "SELECT count(*) FROM payments_transaction"))
    duplicates = int(
        stack.scalar(
            database,
            "SELECT count(*) FROM (SELECT 1 FROM payments_transaction GROUP BY partner, partner_transaction_id "
            "HAVING count(*) > 1) twice",
        )
    )
    missing = [key for key in expected if key not in recorded]
    unsent = [key for key in recorded if key not in sent_keys]
    differing = [key for key, content in expected.items() if key in recorded and recorded[key] != content]
    for label, keys in (("missing", missing), ("not sent", unsent), ("content differs", differing)):
        if keys:
            print(f"   {label}: {len(keys)}, e.g. {sorted(keys)[:5]}", flush=True)
    unlinked = int(
        stack.scalar(
            database,
            "SELECT count(*) FROM payments_transaction r JOIN payments_transaction p ON p.partner = r.partner "
            "AND p.partner_transaction_id = r.original_partner_transaction_id AND p.kind = 'payment' "
            "WHERE r.kind = 'refund' AND r.original_id IS NULL",
        )
    )
    lag = stack.query(
        database,
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - created_at)), "
        "max(extract(epoch FROM processed_at - created_at)) FROM payments_outboxevent WHERE processed_at IS NOT NULL",
    )[0]
    second_try = int(stack.scalar(database, "SELECT count(*) FROM payments_outboxevent WHERE attempts > 1"))
    try:
        rollups = stack.manage(database, "recompute_rollups", "--check", "--no-repair").strip()
    except RuntimeError as exc:
        rollups = str(exc).strip().splitlines()[-1]
    answers = Counter(line["answer"] for line in lines)
    name = scenario
    return [
        Row(name, "deliveries sent (new, retries not counted)", f"{len(lines):,}", f"{count:,}", len(lines) == count),
        Row(
            name,
            "good deliveries acknowledged",
            f"{len(acknowledged):,} of {len(good):,}",
            "all",
            len(acknowledged) == len(good),
        ),
        Row(name, "bad deliveries accepted", f"{bad_taken} of {len(lines) - len(good)}", "0", bad_taken == 0),
        Row(name, "retries (deliveries retried)", f"{retried:,} ({retried_deliveries:,})", "", None),
        Row(
            name, "final answers by HTTP status", ", ".join(f"{k}: {v:,}" for k, v in sorted(answers.items())), "", None
        ),
        Row(
            name,
            "transactions recorded / expected",
            f"{transactions:,} / {len(expected):,}",
            "equal",
            transactions == len(expected),
        ),
        Row(name, "acknowledged but not recorded", str(len(missing)), "0", not missing),
        Row(name, "recorded but never sent", str(len(unsent)), "0", not unsent),
        Row(name, "recorded with other content than acknowledged", str(len(differing)), "0", not differing),
        Row(name, "recorded twice", str(duplicates), "0", duplicates == 0),
        Row(name, "refunds left unlinked to their recorded payment", str(unlinked), "0", unlinked == 0),
        Row(name, "adoption rollups against raw transactions", rollups, "0 differ", rollups.endswith(": 0 differ")),
        Row(name, "follow-up delay p50 / max", f"{float(lag[0] or 0):.1f} s / {float(lag[1] or 0):.1f} s", "", None),
        Row(name, "follow-up events that needed a second attempt", f"{second_try:,}", "", None),
    ]
