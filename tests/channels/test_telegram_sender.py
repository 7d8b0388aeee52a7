"""TelegramSender against the Bot API stand-in: formatting, splitting, and every failure mode."""

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from telegram import Bot

from bot.channels.base import DeliveryError, Outgoing
from bot.channels.telegram_outbound import TelegramSender
from tests.utils.telegram_standin import BotApiStandIn

CHAT = 4242
FEEDBACK = [{"title": "Yes, that helped", "payload": "/feedback_helped"},
            {"title": "No, I need more help", "payload": "/feedback_not_helped"}]


def _outgoing(text: str, buttons: list[dict[str, str]] | None = None, message_id: int = 1) -> Outgoing:
    return Outgoing(message_id=message_id, conversation_id=1, conversation_public_id="c1",
                    customer_external_id=str(CHAT), text=text, buttons=buttons or [])


def _run(standin: BotApiStandIn, body: Callable[[TelegramSender], Awaitable[None]],
         ready: bool = True) -> None:
    async def main() -> None:
        async with Bot(standin.token, base_url=standin.base_url) as bot:
            await body(TelegramSender(bot, is_ready=lambda: ready))

    asyncio.run(main())


def test_answer_with_link_and_buttons(standin: BotApiStandIn) -> None:
    text = "Open Settings.\n\nMore in our help article: [Reset your password](https://help.example/reset)"
    _run(standin, lambda sender: sender.deliver(_outgoing(text, FEEDBACK)))
    [sent] = standin.sent(CHAT)
    assert sent.parse_mode == "HTML"
    assert sent.text == "Open Settings.\n\nMore in our help article: Reset your password"
    assert sent.links == [("Reset your password", "https://help.example/reset")]
    assert sent.callback_data() == ["/feedback_helped", "/feedback_not_helped"]


def test_markup_in_a_reply_reaches_the_customer_as_written(standin: BotApiStandIn) -> None:
    _run(standin, lambda sender: sender.deliver(_outgoing("Type <b>&</b> in the field")))
    assert standin.sent(CHAT)[0].text == "Type <b>&</b> in the field"


def test_long_text_is_split_with_the_keyboard_on_the_last_part(standin: BotApiStandIn) -> None:
    text = "\n\n".join(f"Paragraph {n}: " + "lorem ipsum " * 100 for n in range(8))
    _run(standin, lambda sender: sender.deliver(_outgoing(text, FEEDBACK)))
    sent = standin.sent(CHAT)
    assert len(sent) == 3
    assert [bool(message.reply_markup) for message in sent] == [False, False, True]
    assert " ".join(" ".join(m.text for m in sent).split()) == " ".join(text.split())


def test_429_raises_with_the_wait_telegram_asked_for(standin: BotApiStandIn) -> None:
    standin.fail("sendMessage", status=429, retry_after=7)

    async def body(sender: TelegramSender) -> None:
        with pytest.raises(DeliveryError) as raised:
            await sender.deliver(_outgoing("hello"))
        assert raised.value.retry_after_seconds == 7
        with pytest.raises(DeliveryError):  # the chat waits: later messages must not overtake it
            await sender.deliver(_outgoing("second", message_id=2))

    _run(standin, body)
    assert len(standin.calls("sendMessage")) == 1
    assert standin.sent(CHAT) == []


@pytest.mark.parametrize("status", [500, 502])
def test_server_errors_raise_for_a_retry(standin: BotApiStandIn, status: int) -> None:
    standin.fail("sendMessage", status=status)

    async def body(sender: TelegramSender) -> None:
        with pytest.raises(DeliveryError) as raised:
            await sender.deliver(_outgoing("hello"))
        assert raised.value.retry_after_seconds is None

    _run(standin, body)
    assert standin.sent(CHAT) == []


def test_unreachable_api_raises_for_a_retry() -> None:
    dead = BotApiStandIn()  # never started: nothing listens on its port

    async def deliver() -> None:
        bot = Bot(dead.token, base_url=dead.base_url)
        with pytest.raises(DeliveryError):
            await TelegramSender(bot, is_ready=lambda: True).deliver(_outgoing("hello"))
        await bot.shutdown()

    asyncio.run(deliver())


def test_cant_parse_entities_falls_back_to_plain_text(standin: BotApiStandIn) -> None:
    standin.fail("sendMessage", status=400, chat_id=CHAT,
                 description="Bad Request: can't parse entities: Unsupported start tag at byte offset 0")
    text = "See [Exports](https://help.example/exports) & more"
    _run(standin, lambda sender: sender.deliver(_outgoing(text, FEEDBACK)))
    [sent] = standin.sent(CHAT)
    assert sent.parse_mode is None
    assert sent.text == "See Exports (https://help.example/exports) & more"
    assert sent.callback_data() == ["/feedback_helped", "/feedback_not_helped"]


def test_other_bad_requests_are_not_sent_as_plain_text(standin: BotApiStandIn) -> None:
    standin.fail("sendMessage", status=400, description="Bad Request: chat not found")

    async def body(sender: TelegramSender) -> None:
        with pytest.raises(DeliveryError):
            await sender.deliver(_outgoing("hello"))

    _run(standin, body)
    assert len(standin.calls("sendMessage")) == 1


def test_a_retry_sends_only_the_parts_not_yet_delivered(standin: BotApiStandIn) -> None:
    text = "a" * 4000 + "\n\n" + "b" * 4000
    standin.fail("sendMessage", status=500, after=1)  # the first part goes out, the second fails

    async def body(sender: TelegramSender) -> None:
        sender.pause_after_error_seconds = 0
        with pytest.raises(DeliveryError):
            await sender.deliver(_outgoing(text))
        await sender.deliver(_outgoing(text))

    _run(standin, body)
    assert [message.text[0] for message in standin.sent(CHAT)] == ["a", "b"]
    assert len(standin.calls("sendMessage")) == 3


def test_nothing_is_sent_before_the_channel_is_connected(standin: BotApiStandIn) -> None:
    async def body(sender: TelegramSender) -> None:
        with pytest.raises(DeliveryError):
            await sender.deliver(_outgoing("hello"))

    _run(standin, body, ready=False)
    assert standin.calls("sendMessage") == []
