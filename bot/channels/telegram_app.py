"""The Telegram channel inside the gateway: the ptb Application, long polling and delivery.

All wiring is in `build_application`; the gateway's lifespan calls `TelegramChannel.start` and
`stop`. Start-up never crashes the gateway: while the Bot API answers 429, 5xx or not at all,
the channel retries with backoff and the rest of the gateway serves as usual.

We poll `getUpdates` ourselves instead of using ptb's `Updater`: the Updater confirms a batch of
updates to Telegram as soon as it has fetched it, before it is handled, so a crash loses it. Here
an update is confirmed (by asking for the next offset) only once it has been handled, and the id
of the last handled update is kept in a small file under `var/telegram/`, so a restart, even
after `kill -9`, neither loses an update nor handles one twice.
"""

import asyncio
import contextlib
import json
import logging
import os
import time
from datetime import timedelta
from pathlib import Path

from telegram import BotCommand, Update
from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.channels.telegram_inbound import (
    FAILED_UPDATES,
    Services,
    attachment,
    button_press,
    edited_message,
    human,
    log_error,
    start,
    status,
    text_message,
    unknown_command,
)
from bot.channels.telegram_outbound import TelegramSender, retry_after_seconds
from bot.conversation_flow import ConversationFlow
from bot.live import LiveHub
from bot.observability import GatewayMetrics
from bot.outbox_worker import OutboxWorker
from bot.settings import Settings

logger = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
COMMANDS = [
    BotCommand("start", "What I can do"),
    BotCommand("human", "Talk to a person on our team"),
    BotCommand("status", "Check one of your tickets, e.g. /status 1042"),
]
HANDLE_ATTEMPTS = 3
MAX_BACKOFF_SECONDS = 60.0


def build_application(token: str, base_url: str, services: Services) -> Application:  # type: ignore[type-arg]
    """The bot, its handlers and the one error handler; updates are fed in by `TelegramChannel`."""
    application = (
        Application.builder()
        .token(token)
        .base_url(base_url)
        .base_file_url(file_url(base_url))
        .updater(None)
        .build()
    )
    application.bot_data["services"] = services
    new_message = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    edit = filters.ChatType.PRIVATE & filters.UpdateType.EDITED_MESSAGE & filters.TEXT & ~filters.COMMAND
    application.add_handler(CommandHandler("start", start, filters=new_message))
    application.add_handler(CommandHandler("human", human, filters=new_message))
    application.add_handler(CommandHandler("status", status, filters=new_message))
    application.add_handler(MessageHandler(new_message & filters.COMMAND, unknown_command))
    application.add_handler(MessageHandler(new_message & filters.TEXT, text_message))
    application.add_handler(MessageHandler(new_message & filters.ATTACHMENT, attachment))
    application.add_handler(MessageHandler(edit, edited_message))
    application.add_handler(CallbackQueryHandler(button_press))
    application.add_error_handler(log_error)
    return application


def file_url(base_url: str) -> str:
    """Telegram serves files under /file/bot<token>, beside /bot<token>."""
    root = base_url.rstrip("/")
    return f"{root.removesuffix('/bot')}/file/bot" if root.endswith("/bot") else f"{root}/file"


class OffsetStore:
    """The id of the last handled update, in a small JSON file replaced atomically on each save.

    Telegram may restart update ids at a random number after a week without updates, so an
    offset older than that is not trusted (updates are then deduplicated by message id alone).
    """

    STALE_AFTER_SECONDS = 6 * 24 * 3600

    def __init__(self, path: Path) -> None:
        self._path = path
        self.last_update_id = 0
        self._saved_at = 0.0
        try:
            stored = json.loads(path.read_text())
            self.last_update_id, self._saved_at = int(stored["last_update_id"]), float(stored["saved_at"])
        except FileNotFoundError:
            pass
        except (OSError, ValueError, KeyError, TypeError) as error:
            logger.warning("ignoring unreadable Telegram offset file %s: %s", path, error)

    def _trusted(self) -> bool:
        return self.last_update_id > 0 and time.time() - self._saved_at < self.STALE_AFTER_SECONDS

    def is_handled(self, update_id: int) -> bool:
        return self._trusted() and update_id <= self.last_update_id

    def next_offset(self) -> int | None:
        """The offset for getUpdates (confirms everything handled), or None to get all pending."""
        return self.last_update_id + 1 if self._trusted() else None

    def save(self, update_id: int) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        now = time.time()
        temporary = self._path.with_suffix(".tmp")
        with temporary.open("w") as file:
            json.dump({"last_update_id": update_id, "saved_at": now}, file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, self._path)
        self.last_update_id, self._saved_at = update_id, now


class _RedactToken(logging.Filter):
    """httpx logs request URLs, and the Bot API puts the token in the URL."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self._token in message:
            record.msg, record.args = message.replace(self._token, "<telegram-token>"), ()
        return True


class TelegramChannel:
    """Receives updates by long polling and delivers the outbox's Telegram messages."""

    def __init__(
        self, settings: Settings, flow: ConversationFlow, hub: LiveHub, metrics: GatewayMetrics | None = None
    ) -> None:
        token = settings.telegram_bot_token.get_secret_value()
        logging.getLogger("httpx").addFilter(_RedactToken(token))
        self._base_url = settings.telegram_base_url
        self._poll_timeout = int(settings.telegram_poll_timeout)
        self.application = build_application(token, settings.telegram_base_url, Services(flow, hub))
        self._ready = False
        self.sender = TelegramSender(self.application.bot, is_ready=lambda: self._ready)
        self._worker = OutboxWorker(
            [self.sender], poll_seconds=settings.outbox_poll_seconds,
            give_up_after=timedelta(seconds=settings.telegram_give_up_seconds),
            metrics=metrics,
        )
        bot_id = token.split(":", 1)[0] if token.split(":", 1)[0].isdigit() else "bot"
        self._offsets = OffsetStore(settings.var_dir / "telegram" / f"offset-{bot_id}.json")
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Connect and poll in the background; the gateway does not wait for Telegram."""
        self._task = asyncio.create_task(self._run(), name="telegram")

    async def stop(self) -> None:
        """Finish the update in hand, confirm what was handled, stop delivering."""
        self._stopping.set()
        if self._task is not None:
            await self._task

    async def _run(self) -> None:
        try:
            if not await self._connect():
                return
            worker = asyncio.create_task(self._worker.run(), name="telegram-outbox")
            try:
                await self._poll()
            finally:
                self._worker.stop()
                await worker
                await self._confirm_handled()
                self._ready = False
                await self.application.stop()
                await self.application.shutdown()
        except Exception:  # the gateway keeps serving the widget and the console
            logger.exception("the Telegram channel stopped on an unexpected error")

    async def _connect(self) -> bool:
        """getMe and deleteWebhook, retried with backoff; False if the token is refused or we stop."""
        delay = 1.0
        while not self._stopping.is_set():
            try:
                await self.application.initialize()  # getMe
                await self.application.bot.delete_webhook()  # polling and a webhook exclude each other
                await self.application.start()
            except InvalidToken:
                logger.error("Telegram channel off: the Bot API at %s refused DESKMATE_TELEGRAM_BOT_TOKEN",
                             self._base_url)
                return False
            except RetryAfter as error:
                wait = retry_after_seconds(error)
                logger.warning("Telegram asked to wait %.0fs at start-up (429); waiting", wait)
            except TelegramError as error:
                wait, delay = delay, min(delay * 2, MAX_BACKOFF_SECONDS)
                logger.warning("Telegram not reachable at start-up (%s); trying again in %.0fs", error, wait)
            else:
                self._ready = True
                logger.info("Telegram channel on: @%s, polling %s",
                            self.application.bot.username, self._base_url)
                await self._set_commands()
                return True
            await self._sleep(wait)
        return False

    async def _set_commands(self) -> None:
        try:
            await self.application.bot.set_my_commands(COMMANDS)
        except TelegramError as error:
            logger.warning("could not set the Telegram command menu: %s", error)

    async def _poll(self) -> None:
        delay = 1.0
        while not self._stopping.is_set():
            try:
                updates = await self._next_updates()
            except RetryAfter as error:
                await self._sleep(retry_after_seconds(error))
                continue
            except TelegramError as error:
                if isinstance(error, Conflict):
                    logger.error("another program is polling this bot's updates (409); only one gateway "
                                 "may run the Telegram channel")
                else:
                    logger.warning("getUpdates failed (%s); trying again in %.0fs", error, delay)
                await self._sleep(delay)
                delay = min(delay * 2, MAX_BACKOFF_SECONDS)
                continue
            delay = 1.0
            for update in updates:
                if self._stopping.is_set():
                    break  # not confirmed: fetched again after the restart
                try:
                    await self._handle(update)
                except Exception:  # e.g. the offset file could not be written; keep polling
                    logger.exception("Telegram update %s: unexpected error; it is fetched again",
                                     update.update_id)
                    await self._sleep(delay)
                    break

    async def _next_updates(self) -> tuple[Update, ...]:
        """One long poll, cut short by `stop`."""
        fetch = asyncio.ensure_future(self.application.bot.get_updates(
            offset=self._offsets.next_offset(), timeout=self._poll_timeout, allowed_updates=ALLOWED_UPDATES,
        ))
        stopping = asyncio.ensure_future(self._stopping.wait())
        await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not fetch.done():
            fetch.cancel()
            with contextlib.suppress(asyncio.CancelledError, TelegramError):
                await fetch
            return ()
        updates: tuple[Update, ...] = fetch.result()
        return updates

    async def _handle(self, update: Update) -> None:
        """Handle one update (again, a few times, if its handler failed), then record it as handled."""
        if self._offsets.is_handled(update.update_id):
            logger.info("Telegram update %s was handled before; skipped", update.update_id)
            return
        failed: set[int] = self.application.bot_data.setdefault(FAILED_UPDATES, set())
        for attempt in range(1, HANDLE_ATTEMPTS + 1):
            failed.discard(update.update_id)
            await self.application.process_update(update)
            if update.update_id not in failed:
                break
            if attempt == HANDLE_ATTEMPTS:
                logger.error("giving up on Telegram update %s after %s attempts", update.update_id, attempt)
            else:
                await self._sleep(2.0 * attempt)
        failed.discard(update.update_id)
        await asyncio.to_thread(self._offsets.save, update.update_id)

    async def _confirm_handled(self) -> None:
        """Tell Telegram what was handled, as ptb's Updater does on shutdown."""
        offset = self._offsets.next_offset()
        if offset is None:
            return
        try:
            await self.application.bot.get_updates(offset=offset, timeout=0, limit=1)
        except TelegramError as error:
            logger.info("could not confirm handled updates on shutdown (%s); done at the next start", error)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)


def telegram_channel(
    settings: Settings, flow: ConversationFlow, hub: LiveHub, metrics: GatewayMetrics | None = None
) -> TelegramChannel | None:
    """The channel if a bot token is configured; otherwise None, said once in the log.

    `metrics` are the gateway's Prometheus counters, so Telegram deliveries are counted too.
    """
    if not settings.telegram_bot_token.get_secret_value():
        logger.info("Telegram channel off: DESKMATE_TELEGRAM_BOT_TOKEN is not set")
        return None
    return TelegramChannel(settings, flow, hub, metrics)
