"""What every outbound channel sender provides to the outbox worker."""

from abc import ABC, abstractmethod
from dataclasses import dataclass


class DeliveryError(Exception):
    """A delivery failed but may succeed later; `retry_after_seconds` if the channel said when."""

    def __init__(self, message: str, retry_after_seconds: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


@dataclass(frozen=True)
class Outgoing:
    """A stored message on its way to a customer."""

    message_id: int
    conversation_id: int
    conversation_public_id: str
    customer_external_id: str
    text: str
    buttons: list[dict[str, str]]


class ChannelSender(ABC):
    """Delivers stored messages to one channel."""

    channel: str

    @abstractmethod
    async def deliver(self, outgoing: Outgoing) -> None:
        """Deliver one message, or raise `DeliveryError` to be retried later."""
