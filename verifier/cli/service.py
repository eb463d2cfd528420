"""``verifier run|web|worker|cron|migrate``: the service's processes as console scripts.

``verifier run`` is ``make run`` (the supervisor, embedded defaults). The others are one
process each, for systemd units, a Procfile or containers (deploy/): the same argv the
supervisor starts (verifier.supervisor), then ``exec``, so the service manager sees and
signals the real process. They need REDIS_URL (or a running ``make run``'s
var/redis.url) and, in production, DATABASE_URL and the keys (docs/operations.md).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from config.settings import ROOT, Settings, SettingsError
from verifier.ops.redis_url import service_env
from verifier.verifications.queue import BATCH, CRON, VISITOR, WEBHOOKS

WORKER_KINDS = {"visitor": VISITOR, "batch": BATCH, "webhooks": WEBHOOKS, "maintenance": CRON}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="verifier", description=__doc__.splitlines()[0])
    parts = parser.add_subparsers(dest="part", required=True)
    parts.add_parser("run", help="everything on one machine (make run)")
    parts.add_parser("web", help="the HTTP service (gunicorn; HOST, PORT, WEB_CONCURRENCY)")
    worker = parts.add_parser("worker", help="one RQ worker")
    worker.add_argument("kind", choices=sorted(WORKER_KINDS), help="which queues it serves")
    parts.add_parser("cron", help="the scheduler: run exactly one per service")
    parts.add_parser("migrate", help="apply the database migrations, then exit")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.part == "run":
        from verifier import supervisor

        return supervisor.main()
    try:
        env = service_env(os.environ)
        settings = Settings.from_env(env)
    except SettingsError as exc:
        print(f"verifier: {exc}", file=sys.stderr)
        return 2
    if args.part == "migrate":
        from verifier.store.migrate import upgrade

        upgrade(settings.database_url)
        print("verifier: database at the latest migration")
        return 0
    from verifier import supervisor

    env.setdefault("TZ", "UTC")  # rq cron reads schedules in local time
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env |= supervisor.rq_env(env["REDIS_URL"])  # rq reads it there: never on argv (ps)
    if args.part == "web":
        argv_ = supervisor.web_argv(env)
    elif args.part == "worker":
        argv_ = supervisor.worker_argv(settings.queue_prefix, WORKER_KINDS[args.kind])
    else:
        argv_ = supervisor.cron_argv()
    os.chdir(ROOT)
    os.execve(argv_[0], argv_, env)  # noqa: S606 - our own argv, no shell


if __name__ == "__main__":
    sys.exit(main())
