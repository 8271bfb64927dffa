"""gunicorn settings of the web process: read from the working directory by the Dockerfile's and
docker-compose.yml's `gunicorn`, and by bench/load.py (which may override workers and threads).

Threads rather than processes per core: a request mostly waits on PostgreSQL, Redis or a phone's slow
upload of a chunk, and a thread waiting costs a few MB where a process costs a Django. Environment:
WEB_CONCURRENCY (processes, default 2), GUNICORN_THREADS (per process, default 16),
GUNICORN_KEEPALIVE (seconds, default 75).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "16"))
# Longer than the idle timeout of the TLS proxy in front (nginx and most load balancers: 60 s), so it
# is the proxy that closes an idle connection, never gunicorn under a request the proxy is sending.
# (gunicorn's 2 s default, under load, closed connections a client had just reused: 231 of 18,730
# requests of bench/load.py failed that way.)
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
timeout = 120
