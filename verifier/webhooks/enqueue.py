"""Asking the webhooks queue for a sender: the one step events and delivery both need.

Kept apart from ``delivery`` so that writing an event (``events.kick``) needs nothing of
the sending itself: the webhooks queue only carries endpoint ids, never an event.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rq import Queue
from rq.exceptions import DuplicateJobError
from rq.serializers import JSONSerializer

from verifier.runtime import Runtime
from verifier.verifications.queue import WEBHOOKS, queue_name

JOB_FUNCTION = "workers.jobs.deliver_webhooks"


def get_queue(runtime: Runtime) -> Queue:
    return Queue(
        queue_name(runtime.settings.queue_prefix, WEBHOOKS),
        connection=runtime.redis,
        serializer=JSONSerializer,
        default_timeout=job_timeout(runtime),
    )


def job_timeout(runtime: Runtime) -> int:
    """Long enough for a burst of deliveries; the lease is renewed per delivery."""
    return int(runtime.settings.webhook_timeout * 20) + 60


def enqueue_endpoint(runtime: Runtime, endpoint_id: str, at: dt.datetime | None = None) -> None:
    """Ask for a sender for this endpoint, now or at ``at`` (the head's retry)."""
    queue = get_queue(runtime)
    options: dict[str, Any] = {
        "result_ttl": 0,
        "failure_ttl": 3600,
        "job_timeout": job_timeout(runtime),
        "description": f"webhooks for endpoint {endpoint_id}",
    }
    try:
        if at is None:
            queue.enqueue(
                JOB_FUNCTION, endpoint_id, job_id=f"webhook-{endpoint_id}", unique=True, **options
            )
        else:
            stamp = int(at.timestamp())
            queue.enqueue_at(
                at,
                JOB_FUNCTION,
                endpoint_id,
                job_id=f"webhook-{endpoint_id}-at-{stamp}",
                unique=True,
                **options,
            )
    except DuplicateJobError:
        pass  # a sender is already on its way; it drains everything due
