"""Which Redis a ``flask --app wsgi ...`` command talks to: the service's, never a guess.

``make run`` starts an embedded Redis on a port of its choosing (with a password once the
embedded Redis has one); an operator's ``flask --app wsgi jobs run reconcile`` in another
terminal must reach that Redis, not whatever answers on 127.0.0.1:6379. The supervisor
writes the URL to ``var/redis.url`` (mode 0600: it may hold the password) and removes it
when it stops. Commands use REDIS_URL when set, else that file, and otherwise refuse
with a message that says what to do. VERIFIER_REDIS_URL_FILE moves the file.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from pathlib import Path

from config.settings import ROOT, SettingsError

DEFAULT_FILE = ROOT / "var" / "redis.url"


def url_file(env: Mapping[str, str]) -> Path:
    return Path(env.get("VERIFIER_REDIS_URL_FILE") or DEFAULT_FILE)


def publish(url: str, path: Path) -> None:
    """Write ``url`` readable by this user only, replacing the file in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with contextlib.suppress(FileNotFoundError):
        partial.unlink()
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(url + "\n")
    partial.replace(path)


def withdraw(url: str, path: Path) -> None:
    """Remove the file if it still names ``url`` (another service may have replaced it)."""
    with contextlib.suppress(OSError):
        if path.read_text().strip() == url:
            path.unlink()


def service_env(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` with REDIS_URL filled in from the running service, or SettingsError."""
    found = dict(env)
    if found.get("REDIS_URL"):
        return found
    path = url_file(env)
    try:
        url = path.read_text().strip()
    except OSError:
        url = ""
    if not url:
        raise SettingsError(
            f"REDIS_URL is not set and {path} does not exist: start the service "
            "(`make run` writes it) or set REDIS_URL to the Redis the service uses"
        )
    found["REDIS_URL"] = url
    return found
