"""A local stand-in for the Telegram Bot API, for tests only (never part of the product).

It serves `/bot<token>/<method>` on 127.0.0.1 (a free port) from a thread, implements what the
gateway's Telegram channel uses (getMe, deleteWebhook, setMyCommands, getUpdates with offsets,
limit and long polling, sendMessage with HTML and inline keyboards, answerCallbackQuery,
editMessageReplyMarkup), checks what Telegram checks (HTML entities, 4096 characters, 64-byte
callback data), records every call, and fails on demand (429 with retry_after, 500, 400).

Tests play the users: `push_message`, `push_edit`, `push_attachment`, `push_callback`.
"""

import asyncio
import html
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, TypeVar

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.processes import free_port

T = TypeVar("T")

BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Deskmate Test", "username": "deskmate_test_bot"}
JSON_FIELDS = {"reply_markup", "allowed_updates", "commands", "link_preview_options", "reply_parameters",
               "entities"}
INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "timeout", "user_id", "cache_time"}
ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
                "tg-spoiler", "span", "blockquote"}
BAD_AMPERSAND = re.compile(r"&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)")
ATTACHMENTS: dict[str, Any] = {
    "photo": [{"file_id": "photo-small", "file_unique_id": "p1", "width": 90, "height": 68},
              {"file_id": "photo-large", "file_unique_id": "p2", "width": 1280, "height": 960}],
    "sticker": {"file_id": "sticker-1", "file_unique_id": "s1", "type": "regular", "width": 512,
                "height": 512, "is_animated": False, "is_video": False, "emoji": "\U0001F44D"},
    "location": {"latitude": 52.52, "longitude": 13.405},
    "contact": {"phone_number": "+491701234567", "first_name": "Alex"},
    "document": {"file_id": "doc-1", "file_unique_id": "d1", "file_name": "invoice.pdf",
                 "mime_type": "application/pdf"},
    "voice": {"file_id": "voice-1", "file_unique_id": "v1", "duration": 3, "mime_type": "audio/ogg"},
}


class ApiError(Exception):
    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.retry_after = status, description, retry_after


@dataclass
class Call:
    """One request the bot made, with what it was answered."""

    method: str
    params: dict[str, Any]
    status: int
    at: float
    result: Any = None


@dataclass
class SentMessage:
    """A message the bot sent, as the user sees it (`text` without markup) and as it was sent."""

    message_id: int
    chat_id: int
    text: str
    raw: str
    parse_mode: str | None
    links: list[tuple[str, str]]
    reply_markup: dict[str, Any] | None
    at: float

    def callback_data(self) -> list[str]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button["callback_data"] for row in rows for button in row]

    def button_titles(self) -> list[str]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button["text"] for row in rows for button in row]


@dataclass
class Failure:
    method: str
    status: int
    description: str
    retry_after: int | None
    times: int
    chat_id: int | None = None
    after: int = 0


@dataclass
class _State:
    updates: list[dict[str, Any]] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    sent: list[SentMessage] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    answered_queries: set[str] = field(default_factory=set)
    next_update_id: int = 500
    next_message_id: int = 1
    confirmed_below: int = 0


class _TelegramHtml(HTMLParser):
    """Telegram's HTML parse mode, strictly: known tags, balanced, entities escaped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.text = ""
        self.links: list[tuple[str, str]] = []
        self._open: list[tuple[str, str | None, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            raise ApiError(400, f'Bad Request: can\'t parse entities: Unsupported start tag "{tag}"')
        self._open.append((tag, dict(attrs).get("href"), len(self.text)))

    def handle_endtag(self, tag: str) -> None:
        if not self._open or self._open[-1][0] != tag:
            raise ApiError(400, f'Bad Request: can\'t parse entities: Unexpected end tag "{tag}"')
        _tag, href, start = self._open.pop()
        if tag == "a" and href:
            self.links.append((self.text[start:], href))

    def handle_data(self, data: str) -> None:
        if "<" in data or ">" in data:
            raise ApiError(400, "Bad Request: can't parse entities: Unescaped '<' or '>'")
        self.text += data

    def handle_entityref(self, name: str) -> None:
        self.text += html.unescape(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.text += html.unescape(f"&#{name};")

    def finish(self) -> None:
        self.close()
        if self._open:
            tag = self._open[-1][0]
            raise ApiError(400, f'Bad Request: can\'t parse entities: Can\'t find end tag "{tag}"')


def parse_html(raw: str) -> tuple[str, list[tuple[str, str]]]:
    """The visible text and the links of an HTML message, or a 400 as Telegram answers it."""
    if BAD_AMPERSAND.search(raw):
        raise ApiError(400, "Bad Request: can't parse entities: Character '&' is reserved")
    parser = _TelegramHtml()
    parser.feed(raw)
    parser.finish()
    return parser.text, parser.links


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class BotApiStandIn:
    """The Bot API for one bot token, in a background thread."""

    def __init__(self, token: str = "123456:standin-token") -> None:
        self.token = token
        self.port = free_port()
        self._lock = threading.Lock()
        self._state = _State()
        self._closing = False
        self.last_update_id = 0  # of the latest update a test pushed
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    # Running

    @property
    def base_url(self) -> str:
        """What DESKMATE_TELEGRAM_BASE_URL should be."""
        return f"http://127.0.0.1:{self.port}/bot"

    def start(self) -> None:
        app = Starlette(routes=[Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])])
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="telegram-standin", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the Telegram stand-in did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        self._closing = True
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=15)

    # Playing the users

    def push_message(self, user_id: int, text: str, *, first_name: str = "Alex") -> int:
        """A user writes `text` to the bot; returns the Telegram message id."""
        message = self._user_message(user_id, first_name)
        message["text"] = text
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        self._push({"message": message})
        return int(message["message_id"])

    def push_edit(self, user_id: int, message_id: int, text: str, *, first_name: str = "Alex") -> None:
        """The user edits one of their earlier messages."""
        message = self._user_message(user_id, first_name, message_id=message_id)
        message.update(text=text, edit_date=int(time.time()))
        self._push({"edited_message": message})

    def push_attachment(self, user_id: int, kind: str, *, caption: str | None = None,
                        first_name: str = "Alex") -> int:
        """The user sends a photo, sticker, location, contact, document or voice message."""
        message = self._user_message(user_id, first_name)
        message[kind] = ATTACHMENTS[kind]
        if caption:
            message["caption"] = caption
        self._push({"message": message})
        return int(message["message_id"])

    def push_callback(self, user_id: int, sent: SentMessage, data: str, *, first_name: str = "Alex") -> str:
        """The user presses the button with `data` under a message the bot sent; returns the query id."""
        with self._lock:
            query_id = f"cq{self._state.next_update_id}"
        message: dict[str, Any] = {
            "message_id": sent.message_id, "date": int(sent.at), "chat": self._chat(user_id, first_name),
            "from": BOT_USER, "text": sent.text,
        }
        if sent.reply_markup:
            message["reply_markup"] = sent.reply_markup
        self._push({"callback_query": {"id": query_id, "from": self._user(user_id, first_name),
                                       "chat_instance": f"ci{user_id}", "data": data, "message": message}})
        return query_id

    # Failing on demand

    def fail(self, method: str, *, status: int, times: int = 1, retry_after: int | None = None,
             description: str | None = None, chat_id: int | None = None, after: int = 0) -> None:
        """The next `times` calls of `method` (to `chat_id`, if given; `after` that many) answer `status`."""
        default = {429: f"Too Many Requests: retry after {retry_after}", 500: "Internal Server Error",
                   400: "Bad Request"}.get(status, "Error")
        with self._lock:
            self._state.failures.append(
                Failure(method, status, description or default, retry_after, times, chat_id, after))

    # Observing

    def calls(self, method: str | None = None, chat_id: int | None = None) -> list[Call]:
        with self._lock:
            return [call for call in self._state.calls
                    if (method is None or call.method == method)
                    and (chat_id is None or call.params.get("chat_id") == chat_id)]

    def sent(self, chat_id: int | None = None) -> list[SentMessage]:
        with self._lock:
            return [message for message in self._state.sent if chat_id is None or message.chat_id == chat_id]

    def pending_update_ids(self) -> list[int]:
        """Updates Telegram still holds: not confirmed by a later getUpdates offset."""
        with self._lock:
            return [update["update_id"] for update in self._state.updates]

    def fetched(self, update_id: int) -> bool:
        """Whether some getUpdates call has returned this update."""
        return any(update_id in (call.result or []) for call in self.calls("getUpdates"))

    def answered(self, query_id: str) -> bool:
        with self._lock:
            return query_id in self._state.answered_queries

    def wait_for(self, check: Callable[[], T | None], *, timeout: float = 60.0, what: str = "condition",
                 interval: float = 0.1) -> T:
        """Poll `check` every `interval` seconds until it returns something truthy."""
        deadline = time.monotonic() + timeout
        while True:
            value = check()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
            time.sleep(interval)

    def wait_for_sent(self, chat_id: int, count: int, *, timeout: float = 60.0) -> list[SentMessage]:
        """Wait until the bot has sent at least `count` messages to the chat; returns them all."""
        def enough() -> list[SentMessage] | None:
            sent = self.sent(chat_id)
            return sent if len(sent) >= count else None

        return self.wait_for(enough, timeout=timeout, what=f"{count} messages to chat {chat_id}")

    # The API

    async def _endpoint(self, request: Request) -> JSONResponse:
        method = request.path_params["method"]
        params = await self._params(request)
        now = time.monotonic()
        try:
            if request.path_params["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            self._injected_failure(method, params)
            if method == "getUpdates":
                updates = await self._get_updates(params)
                self._record(Call(method, params, 200, now, [update["update_id"] for update in updates]))
                return JSONResponse({"ok": True, "result": updates})
            handler = self._methods().get(method)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            with self._lock:
                result = handler(params)
        except ApiError as error:
            self._record(Call(method, params, error.status, now))
            body: dict[str, Any] = {"ok": False, "error_code": error.status, "description": error.description}
            if error.retry_after is not None:
                body["parameters"] = {"retry_after": error.retry_after}
            return JSONResponse(body, status_code=error.status)
        self._record(Call(method, params, 200, now, result))
        return JSONResponse({"ok": True, "result": result})

    def _methods(self) -> dict[str, Callable[[dict[str, Any]], Any]]:
        return {
            "getMe": lambda _params: BOT_USER,
            "deleteWebhook": lambda _params: True,
            "setMyCommands": lambda _params: True,
            "sendMessage": self._send_message,
            "answerCallbackQuery": self._answer_callback_query,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
        }

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        while True:
            with self._lock:
                if offset > 0:  # confirms every update below the offset
                    self._state.updates = [u for u in self._state.updates if u["update_id"] >= offset]
                    self._state.confirmed_below = max(self._state.confirmed_below, offset)
                batch = self._state.updates[:limit]
            if batch or self._closing or time.monotonic() >= deadline:
                return batch
            await asyncio.sleep(0.05)

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        raw = str(params.get("text", ""))
        parse_mode = params.get("parse_mode")
        if parse_mode == "HTML":
            text, links = parse_html(raw)
        elif parse_mode:
            raise ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode} in this stand-in")
        else:
            text, links = raw, []
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_units(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        markup = params.get("reply_markup") or None
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                if len(str(button.get("callback_data", "")).encode()) > 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        chat_id = int(params["chat_id"])
        sent = SentMessage(self._state.next_message_id, chat_id, text, raw, parse_mode, links, markup,
                           time.time())
        self._state.next_message_id += 1
        self._state.sent.append(sent)
        message: dict[str, Any] = {"message_id": sent.message_id, "date": int(sent.at), "from": BOT_USER,
                                   "chat": {"id": chat_id, "type": "private"}, "text": text}
        if markup:
            message["reply_markup"] = markup
        return message

    def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        self._state.answered_queries.add(str(params["callback_query_id"]))
        return True

    def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        found = next((sent for sent in self._state.sent
                      if (sent.chat_id, sent.message_id) == (chat_id, message_id)), None)
        if found is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        markup = params.get("reply_markup") or None
        if markup == found.reply_markup:
            raise ApiError(400, "Bad Request: message is not modified")
        found.reply_markup = markup
        return {"message_id": message_id, "date": int(found.at), "from": BOT_USER,
                "chat": {"id": chat_id, "type": "private"}, "text": found.text}

    # Helpers

    def _injected_failure(self, method: str, params: dict[str, Any]) -> None:
        with self._lock:
            for failure in self._state.failures:
                if failure.method != method or failure.times <= 0:
                    continue
                if failure.chat_id is not None and params.get("chat_id") != failure.chat_id:
                    continue
                if failure.after > 0:
                    failure.after -= 1
                    continue
                failure.times -= 1
                raise ApiError(failure.status, failure.description, failure.retry_after)

    def _record(self, call: Call) -> None:
        with self._lock:
            self._state.calls.append(call)

    @staticmethod
    async def _params(request: Request) -> dict[str, Any]:
        raw: dict[str, Any] = dict(request.query_params)
        if "json" in request.headers.get("content-type", ""):
            raw.update(await request.json())
        elif request.method == "POST":
            form = await request.form()
            raw.update({key: value for key, value in form.items() if isinstance(value, str)})
        params: dict[str, Any] = {}
        for key, value in raw.items():
            params[key] = value
            if key in JSON_FIELDS and isinstance(value, str):
                params[key] = json.loads(value)
            elif key in INT_FIELDS and isinstance(value, str) and re.fullmatch(r"-?\d+", value):
                params[key] = int(value)
        return params

    def _push(self, update: dict[str, Any]) -> int:
        with self._lock:
            update_id = self._state.next_update_id
            self._state.next_update_id += 1
            self._state.updates.append({"update_id": update_id, **update})
            self.last_update_id = update_id
        return update_id

    def _user_message(self, user_id: int, first_name: str, message_id: int | None = None) -> dict[str, Any]:
        with self._lock:
            if message_id is None:
                message_id = self._state.next_message_id
                self._state.next_message_id += 1
        return {"message_id": message_id, "date": int(time.time()), "chat": self._chat(user_id, first_name),
                "from": self._user(user_id, first_name)}

    @staticmethod
    def _user(user_id: int, first_name: str) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "en"}

    @staticmethod
    def _chat(user_id: int, first_name: str) -> dict[str, Any]:
        return {"id": user_id, "type": "private", "first_name": first_name}

