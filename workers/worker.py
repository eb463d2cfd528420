"""The RQ worker class verifier runs: the app is built once, before any work-horse forks.

RQ forks a work-horse per job; without this, every horse imports verifier and builds the
app again (about a second of CPU per job, and idle payer capacity during it). Built in
the parent, the horse inherits it: no connection is opened here (the engine's pool is
disposed after a fork, and Redis and the adapters are created on first use).

    rq worker --worker-class workers.worker.VerifierWorker ...
"""

from __future__ import annotations

from typing import Any

from rq import Worker


class VerifierWorker(Worker):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from verifier.payers import registry  # noqa: F401
        from verifier.verifications.check_many import check_many  # noqa: F401 - imported for the horses
        from workers.jobs import app

        runtime = app().extensions["verifier"]
        runtime.directory  # noqa: B018 - parse the payer directory once
        runtime.facility  # noqa: B018
