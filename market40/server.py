"""The web server, configured in this one place: `python -m market40.server`.

The image, docker-compose, the proofs and `make bench` all start the site
through here. It is granian (a Rust HTTP server) serving the WSGI
application: on the same signed deliveries it answered markedly more than
gunicorn's threaded workers did (figures in docs/benchmarks.md), because
HTTP parsing, keep-alive and the accept loop run in Rust, outside the GIL,
and only the application itself runs in Python. gunicorn stays in the image
and `SERVER=gunicorn` starts it instead with the same settings.

One process per core, each with a few threads: a delivery spends part of its
time waiting for PostgreSQL, when another thread of the same process can
run. Keep-alive holds connections open: a partner that delivers hundreds of
webhooks a second pays for one TCP handshake, not one per delivery.
"""

import os
import runpy
import sys

from market40.env import env_int, env_str

DEFAULT_APP = "market40.wsgi:application"


def command(
    *,
    app: str = DEFAULT_APP,
    host: str | None = None,
    port: int | None = None,
    workers: int | None = None,
    server: str | None = None,
    quiet: bool = False,
) -> list[str]:
    """The command line (after the interpreter) that serves `app`."""
    bind = env_str("SERVER_BIND", "0.0.0.0:8000")
    bind_host, _, bind_port = bind.rpartition(":")
    host = host or bind_host
    port = port or int(bind_port)
    workers = workers or env_int("SERVER_WORKERS", 0) or os.cpu_count() or 1
    threads = env_int("SERVER_THREADS", 4)
    server = server or env_str("SERVER", "granian")
    access_log = env_str("SERVER_ACCESS_LOG", "") not in ("", "0")
    if server == "gunicorn":
        return [
            "-m",
            "gunicorn",
            app,
            f"--bind={host}:{port}",
            f"--workers={workers}",
            "--worker-class=gthread",
            f"--threads={threads}",
            "--keep-alive=30",
            "--backlog=2048",
            "--timeout=60",
            *(["--access-logfile=-"] if access_log else []),
            *(["--log-level=warning"] if quiet else []),
        ]
    if server != "granian":
        raise SystemExit(f"SERVER must be granian or gunicorn, not {server!r}")
    return [
        "-m",
        "granian",
        "--interface=wsgi",
        f"--host={host}",
        f"--port={port}",
        f"--workers={workers}",
        f"--blocking-threads={threads}",
        "--runtime-threads=1",
        "--http=1",
        "--no-ws",
        "--backlog=2048",
        # A worker that dies is started again, as gunicorn's arbiter does.
        "--respawn-failed-workers",
        "--workers-kill-timeout=30",
        *(["--access-log"] if access_log else []),
        *(["--log-level=warning"] if quiet else []),
        app,
    ]


def main() -> None:
    """Run the server in this process, as `python -m <server> <settings>` would."""
    _dash_m, module, *args = command()
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
