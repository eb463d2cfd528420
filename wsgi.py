"""The WSGI entry point for gunicorn and ``flask --app wsgi``."""

from verifier import create_app

app = create_app()
