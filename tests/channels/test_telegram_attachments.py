"""Non-text messages are described for the agent: what it was, and how to find it again."""

from datetime import UTC, datetime

from telegram import Chat, Contact, Location, Message, PhotoSize, Sticker

from bot.channels.telegram_inbound import describe_attachment

CHAT = Chat(id=42, type="private")


def _message(**fields: object) -> Message:
    return Message(message_id=7, date=datetime.now(UTC), chat=CHAT, **fields)  # type: ignore[arg-type]


def test_a_photo_keeps_its_largest_size_and_caption() -> None:
    photo = (PhotoSize("small", "s", 90, 68), PhotoSize("large", "l", 1280, 960))
    kind, details = describe_attachment(_message(photo=photo, caption="my invoice"))
    assert kind == "photo"
    assert details == {"kind": "photo", "file_id": "large", "width": 1280, "height": 960,
                       "caption": "my invoice"}


def test_a_location_keeps_its_coordinates() -> None:
    kind, details = describe_attachment(_message(location=Location(longitude=13.4, latitude=52.5)))
    assert (kind, details["latitude"], details["longitude"]) == ("location", 52.5, 13.4)


def test_a_contact_and_a_sticker() -> None:
    assert describe_attachment(_message(contact=Contact("+4917", "Alex")))[1]["phone_number"] == "+4917"
    sticker = Sticker("st", "u", 512, 512, False, False, "regular", emoji="\U0001F44D")
    kind, details = describe_attachment(_message(sticker=sticker))
    assert (kind, details["emoji"]) == ("sticker", "\U0001F44D")
