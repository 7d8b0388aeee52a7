"""Delivers queued replies (agent answers, notices) to the customer's channel, with retries.

Rows are read from the database, so replies written while the gateway was down, or by another
process, are delivered when a gateway runs again.
"""

import asyncio
import logging
from datetime import timedelta

from fastapi.concurrency import run_in_threadpool

from handoff import due_items, mark_delivered, mark_retry, session_scope
from handoff.models import Conversation, Customer, OutboxItem

from bot.channels.base import ChannelSender, DeliveryError, Outgoing
from bot.observability import GatewayMetrics

logger = logging.getLogger(__name__)


class OutboxWorker:
    """Polls the outbox and hands each due item to its channel's sender."""

    def __init__(self, senders: list[ChannelSender], *, poll_seconds: float, give_up_after: timedelta,
                 metrics: GatewayMetrics | None = None) -> None:
        self._senders = {sender.channel: sender for sender in senders}
        self._metrics = metrics or GatewayMetrics()
        self._poll_seconds = poll_seconds
        self._give_up_after = give_up_after
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        """Deliver until `stop` is called."""
        while not self._stopping.is_set():
            try:
                await self.deliver_due()
            except Exception:  # keep the worker alive; the item stays pending
                logger.exception("outbox pass failed")
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=self._poll_seconds)
            except TimeoutError:
                pass

    def stop(self) -> None:
        self._stopping.set()

    async def deliver_due(self) -> int:
        """One pass over due items; returns how many were delivered."""
        batch = await run_in_threadpool(self._load_due)
        delivered = 0
        for item_id, outgoing, channel, author in batch:
            sender = self._senders[channel]
            try:
                await sender.deliver(outgoing)
            except DeliveryError as error:
                await run_in_threadpool(self._record, item_id, str(error), error.retry_after_seconds)
                self._metrics.count_delivery(channel=channel, sender=author, delivered=False)
                continue
            await run_in_threadpool(self._record, item_id, None, None)
            self._metrics.count_delivery(channel=channel, sender=author, delivered=True)
            delivered += 1
        return delivered

    def _load_due(self) -> list[tuple[int, Outgoing, str, str]]:
        with session_scope() as session:
            batch = []
            for item in due_items(session, channels=list(self._senders)):
                message = item.message
                conversation = session.get(Conversation, message.conversation_id)
                assert conversation is not None
                customer = session.get(Customer, conversation.customer_id)
                batch.append((item.id, Outgoing(
                    message_id=message.id,
                    conversation_id=conversation.id,
                    conversation_public_id=conversation.public_id,
                    customer_external_id=customer.external_id if customer else "",
                    text=message.text,
                    buttons=list(message.buttons or []),
                ), item.channel, message.sender))
            return batch

    def _record(self, item_id: int, error: str | None, retry_after: float | None) -> None:
        with session_scope() as session:
            item = session.get(OutboxItem, item_id)
            if item is None:
                return
            if error is None:
                mark_delivered(session, item)
            else:
                mark_retry(session, item, error=error, give_up_after=self._give_up_after,
                           retry_after=timedelta(seconds=retry_after) if retry_after else None)
