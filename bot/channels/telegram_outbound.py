"""Telegram's outbound side: stored messages to a chat, as HTML, split to fit, with inline buttons.

Our messages are plain text with Markdown links (`[title](url)`); Telegram gets them in its
HTML parse mode, everything else escaped. Text over Telegram's limit is split at paragraph or
line breaks, never inside a link, and the buttons go with the last part. A 400 "can't parse
entities" is answered by sending the same text again without markup, never by dropping it.
"""

import html
import logging
import re
import time
import warnings
from collections.abc import Callable
from datetime import timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

from bot.channels.base import ChannelSender, DeliveryError, Outgoing

logger = logging.getLogger(__name__)

MAX_MESSAGE_UNITS = 4096  # Telegram's limit, in UTF-16 code units of the visible text
MAX_CALLBACK_BYTES = 64  # Telegram's limit for callback_data
BUTTON_KEY_PREFIX = "btn:"  # callback_data for payloads too long to send: btn:<message id>:<index>
MARKDOWN_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s)]+)\)")
BUTTONS_ONLY_TEXT = "Please choose:"


def utf16_units(text: str) -> int:
    """Length as Telegram counts it (characters outside the BMP count twice)."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def to_html(text: str) -> str:
    """Our text for Telegram's HTML parse mode: Markdown links become <a>, the rest is escaped."""
    parts: list[str] = []
    position = 0
    for link in MARKDOWN_LINK.finditer(text):
        parts.append(html.escape(text[position:link.start()], quote=False))
        title, url = link.group(1), link.group(2)
        parts.append(f'<a href="{html.escape(url, quote=True)}">{html.escape(title, quote=False)}</a>')
        position = link.end()
    parts.append(html.escape(text[position:], quote=False))
    return "".join(parts)


def to_plain(text: str) -> str:
    """Our text without any markup: links become "title (url)"."""
    return MARKDOWN_LINK.sub(r"\1 (\2)", text)


def split_text(text: str, limit: int = MAX_MESSAGE_UNITS) -> list[str]:
    """Split into parts of at most `limit` UTF-16 units, preferring paragraph, line, word breaks.

    Measured on our raw text, which is never shorter than what Telegram shows (a link's URL is
    hidden, an escaped `&amp;` shows as one character), so each part fits in either parse mode.
    """
    parts: list[str] = []
    rest = text
    while utf16_units(rest) > limit:
        cut = _cut_point(rest, limit)
        part, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
        if part:
            parts.append(part)
    if rest.strip() or not parts:
        parts.append(rest)
    return parts


def _cut_point(text: str, limit: int) -> int:
    fits = 0
    units = 0
    for char in text:
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            break
        fits += 1
    cut = fits
    for separator in ("\n\n", "\n", " "):
        found = text.rfind(separator, 0, fits)
        if found > fits // 2:
            cut = found + len(separator)
            break
    for link in MARKDOWN_LINK.finditer(text):
        if link.start() >= cut:
            break
        if cut < link.end() and link.start() > 0:
            cut = link.start()
    return cut


def callback_data_for(message_id: int, index: int, payload: str) -> str:
    """The payload itself when Telegram can carry it; otherwise a short key to the stored button."""
    if 0 < len(payload.encode()) <= MAX_CALLBACK_BYTES and not payload.startswith(BUTTON_KEY_PREFIX):
        return payload
    return f"{BUTTON_KEY_PREFIX}{message_id}:{index}"


def parse_button_key(data: str) -> tuple[int, int] | None:
    """(message id, button index) from a `btn:` key; None for a payload sent as it is."""
    match = re.fullmatch(rf"{BUTTON_KEY_PREFIX}(\d+):(\d+)", data)
    return (int(match.group(1)), int(match.group(2))) if match else None


def inline_keyboard(message_id: int, buttons: list[dict[str, str]]) -> InlineKeyboardMarkup | None:
    """One button per row, so long titles stay readable."""
    if not buttons:
        return None
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(button["title"],
                              callback_data=callback_data_for(message_id, index, button["payload"]))]
        for index, button in enumerate(buttons)
    ])


def retry_after_seconds(error: RetryAfter) -> float:
    """The wait Telegram asked for, whatever type this ptb version reports it as."""
    with warnings.catch_warnings():  # ptb 22 warns that the value will become a timedelta
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramSender(ChannelSender):
    """Sends a stored message to the customer's private chat (chat id = their user id)."""

    channel = "telegram"
    # After a failed send to a chat, later messages to that chat wait too, so they do not overtake it.
    pause_after_error_seconds = 2.0

    def __init__(self, bot: Bot, *, is_ready: Callable[[], bool]) -> None:
        self._bot = bot
        self._is_ready = is_ready
        # Parts of a split message already sent, so a retry does not send them twice.
        self._parts_sent: dict[int, int] = {}
        self._chat_paused_until: dict[int, float] = {}

    async def deliver(self, outgoing: Outgoing) -> None:
        if not self._is_ready():
            raise DeliveryError("the Telegram channel is not connected yet")
        chat_id = int(outgoing.customer_external_id)
        paused = self._chat_paused_until.get(chat_id, 0.0) - time.monotonic()
        if paused > 0:
            raise DeliveryError("an earlier message to this chat is waiting", retry_after_seconds=paused)
        text = outgoing.text if outgoing.text.strip() else (BUTTONS_ONLY_TEXT if outgoing.buttons else "")
        if not text:
            logger.info("message %s has no text or buttons; nothing to send", outgoing.message_id)
            return
        parts = split_text(text)
        keyboard = inline_keyboard(outgoing.message_id, outgoing.buttons)
        for index in range(self._parts_sent.get(outgoing.message_id, 0), len(parts)):
            last = index == len(parts) - 1
            try:
                await self._send_part(chat_id, parts[index], keyboard if last else None)
            except RetryAfter as error:
                wait = retry_after_seconds(error)
                self._pause(chat_id, wait)
                raise DeliveryError(f"Telegram asked to wait {wait:.0f}s (429)",
                                    retry_after_seconds=wait) from error
            except TelegramError as error:  # network errors, 5xx, other refusals: retried with backoff
                self._pause(chat_id, self.pause_after_error_seconds)
                raise DeliveryError(f"Telegram: {error}") from error
            self._parts_sent[outgoing.message_id] = index + 1
        self._parts_sent.pop(outgoing.message_id, None)

    async def _send_part(self, chat_id: int, text: str, keyboard: InlineKeyboardMarkup | None) -> None:
        try:
            await self._bot.send_message(chat_id, to_html(text), parse_mode=ParseMode.HTML,
                                         reply_markup=keyboard)
        except BadRequest as error:
            if "can't parse entities" not in str(error).lower():
                raise
            logger.warning("Telegram could not parse our HTML (%s); sending as plain text", error)
            await self._bot.send_message(chat_id, to_plain(text), reply_markup=keyboard)

    def _pause(self, chat_id: int, seconds: float) -> None:
        self._chat_paused_until[chat_id] = time.monotonic() + seconds

