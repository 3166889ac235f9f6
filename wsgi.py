"""WSGI entry point: `gunicorn wsgi:app`."""

from services_api import create_app

app = create_app()
