"""gunicorn settings for serving the app: ``gunicorn -c gunicorn.conf.py app:server``.

Every value can be overridden from the environment (GUNICORN_* below) or the command line.
"""

import multiprocessing
import os

cores = multiprocessing.cpu_count()

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8050")
# DuckDB queries run in C and release the GIL: a few threads per worker use the cores,
# and each worker process holds its own query cache (CRM_CACHE_MB).
workers = int(os.environ.get("GUNICORN_WORKERS", max(2, cores)))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
worker_class = "gthread"
# Longer than a browser's or a load balancer's connection reuse (60 s): gunicorn's 2 s
# default reset 0.4% of requests from 50 users whose clients reused the connection.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 75))
# A page's slowest callback on the large warehouse takes seconds, not minutes.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
# Workers are recycled now and then (with jitter, so not all at once): a slow leak or a
# fragmented heap never grows without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", 200))
# Request line and headers stay small (the app's URLs are short; bodies are capped by the app).
limit_request_line = 8190
limit_request_fields = 100
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")  # stdout
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")


def post_worker_init(worker):
    """Each worker pays its one-off costs before its first request (app.warm_up)."""
    import app

    app.warm_up()
