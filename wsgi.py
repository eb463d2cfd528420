"""The WSGI entry point for gunicorn and ``flask --app wsgi``.

REDIS_URL, when unset, is the running service's (``var/redis.url``, see
verifier.ops.redis_url): a command never talks to a Redis it guessed.
"""

import os

from config.settings import Settings
from verifier import create_app
from verifier.ops.redis_url import service_env

app = create_app(Settings.from_env(service_env(os.environ)))
