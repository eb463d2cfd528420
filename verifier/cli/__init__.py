"""Command-line entry points registered on the Flask app (``flask --app wsgi ...``)."""
