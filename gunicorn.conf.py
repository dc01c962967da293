"""The web server's settings, read by gunicorn from the working directory
(the image, docker-compose and `make bench` all start it from here).

Threaded workers keep connections open between requests: a partner that
delivers hundreds of webhooks a second then pays for one TCP handshake, not
one per delivery, and so does the server.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# One process per core, each with a few threads: a delivery spends a third
# of its time waiting for PostgreSQL, when another thread of the same
# process can run. On two cores, in alternating `make bench` runs
# (BENCH_WORKERS, BENCH_THREADS), two processes did at least as well as
# three, with fewer PostgreSQL connections competing for the cores.
workers = int(os.environ.get("GUNICORN_WORKERS") or os.cpu_count() or 1)
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 30
backlog = 2048
timeout = 60
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
