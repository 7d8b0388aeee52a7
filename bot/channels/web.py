"""The website widget's outbound side: the message is in the log, so wake the open streams."""

import logging

from bot.channels.base import ChannelSender, Outgoing
from bot.live import LiveHub

logger = logging.getLogger(__name__)


class WebSender(ChannelSender):
    """Widgets read the conversation log; delivery only has to wake their live streams.

    A widget that is closed or offline catches up from the log when it comes back, so nothing
    can be lost here.
    """

    channel = "web"

    def __init__(self, hub: LiveHub) -> None:
        self._hub = hub

    async def deliver(self, outgoing: Outgoing) -> None:
        self._hub.notify(outgoing.conversation_id)
