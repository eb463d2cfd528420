"""The cron's webhooks job: a sender for every endpoint with something due.

Events written while Redis was down and retries whose scheduled job was lost are sent
from here; batches nobody polled are looked at first, so ``batch.completed`` goes out.
"""

from __future__ import annotations

from sqlalchemy import select

from verifier.runtime import Runtime
from verifier.store.models import Batch, WebhookDelivery, WebhookEndpoint
from verifier.verifications import batches
from verifier.verifications.lifecycle import utcnow
from verifier.webhooks.delivery import prune
from verifier.webhooks.enqueue import enqueue_endpoint


def dispatch(runtime: Runtime) -> int:
    """Cron: a sender for every endpoint with something due (events written while Redis
    was down, retries whose scheduled job was lost). Returns how many were asked.

    Batches nobody polled are looked at first, so ``batch.completed`` is sent anyway.
    """
    with runtime.db.session() as session:
        open_batches = (
            session.execute(select(Batch.id).where(Batch.completed_at.is_(None))).scalars().all()
        )
    for batch_id in open_batches:
        batches.progress(runtime, batch_id, per_page=1)
    now = utcnow()
    with runtime.db.session() as session:
        ids = (
            session.execute(
                select(WebhookDelivery.endpoint_id)
                .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
                .where(
                    WebhookDelivery.status == "pending",
                    WebhookDelivery.next_attempt_at <= now,
                    WebhookEndpoint.disabled_at.is_(None),
                )
                .distinct()
            )
            .scalars()
            .all()
        )
    for endpoint_id in ids:
        enqueue_endpoint(runtime, endpoint_id)
    prune(runtime, now)
    return len(ids)
