"""gunicorn settings: `gunicorn -c python:services_api.gunicorn_config wsgi:app`.

The access log keeps no client address, query string, referrer or user agent: a search's
query string holds the searcher's location, and the rest could identify them.
"""

import os

bind = f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
accesslog = "-"
errorlog = "-"
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
