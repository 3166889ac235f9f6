"""gunicorn settings: `gunicorn -c python:services_api.gunicorn_config wsgi:app`.

The access log keeps no client address, query string, referrer or user agent: a search's
query string holds the searcher's location, and the rest could identify them. The error log keeps
no client address either (see `gunicorn_worker`).

Each worker serves requests on `WEB_THREADS` threads, so a long stream (a full ndjson sync or an
export of a big directory) runs to its end while the worker goes on answering other clients; the
worker timeout only catches a worker whose main loop is stuck, never a long answer.
"""

import os

bind = f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "services_api.gunicorn_worker.JsonErrorThreadWorker"
threads = int(os.environ.get("WEB_THREADS", "8"))
accesslog = "-"
errorlog = "-"
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
