"""The web server's settings, read by gunicorn from the working directory
(the image, docker-compose and `make bench` all start it from here).

Threaded workers keep connections open between requests: a partner that
delivers hundreds of webhooks a second then pays for one TCP handshake, not
one per delivery, and so does the server.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# One process per core, each with a few threads: a delivery spends part of
# its time waiting for PostgreSQL, when another thread of the same process
# can run. More processes than cores did no better in `make bench`
# (BENCH_WORKERS, BENCH_THREADS; figures in docs/benchmarks.md) and bring
# more PostgreSQL connections competing for the cores.
workers = int(os.environ.get("GUNICORN_WORKERS") or os.cpu_count() or 1)
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 30
backlog = 2048
timeout = 60
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
