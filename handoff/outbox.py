"""The outbox: replies waiting for delivery to a channel, retried with backoff until they go."""

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff.models import OutboxItem, utcnow

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(minutes=5)


def due_items(session: Session, *, channels: list[str], now: datetime | None = None, limit: int = 50) -> list[OutboxItem]:
    """Pending items of these channels whose next attempt is due, oldest first."""
    now = now or utcnow()
    query = (
        select(OutboxItem)
        .where(
            OutboxItem.status == "pending",
            OutboxItem.channel.in_(channels),
            OutboxItem.next_attempt_at <= now,
        )
        .order_by(OutboxItem.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def mark_delivered(session: Session, item: OutboxItem) -> None:
    """Record a successful delivery."""
    item.status = "delivered"
    item.attempts += 1
    item.delivered_at = utcnow()


def mark_retry(session: Session, item: OutboxItem, *, error: str, give_up_after: timedelta,
               retry_after: timedelta | None = None) -> None:
    """Record a failed attempt: try again later with backoff, or give up after `give_up_after`."""
    item.attempts += 1
    item.last_error = error[:2000]
    now = utcnow()
    if now - item.created_at >= give_up_after:
        item.status = "failed"
        logger.warning("outbox item %s undelivered after %s attempts: %s", item.id, item.attempts, error)
        return
    backoff = retry_after or min(MAX_BACKOFF, timedelta(seconds=2 ** min(item.attempts, 10)))
    item.next_attempt_at = now + backoff


def pending_count(session: Session) -> int:
    """How many replies still wait for delivery (for health and metrics)."""
    from sqlalchemy import func

    return session.scalar(select(func.count(OutboxItem.id)).where(OutboxItem.status == "pending")) or 0


def enqueue(session: Session, *, message_id: int, channel: str) -> OutboxItem:
    """Queue a stored message for delivery to `channel`; a message already queued stays as it is."""
    item = session.scalar(select(OutboxItem).where(OutboxItem.message_id == message_id))
    if item is None:
        item = OutboxItem(message_id=message_id, channel=channel)
        session.add(item)
        session.flush()
    return item
