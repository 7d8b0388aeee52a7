"""Telegram formatting: escaping for HTML parse mode, links, splitting, inline keyboards."""

from bot.channels.telegram_outbound import (
    MAX_CALLBACK_BYTES,
    callback_data_for,
    inline_keyboard,
    parse_button_key,
    split_text,
    to_html,
    to_plain,
    utf16_units,
)
from tests.utils.telegram_standin import parse_html


def test_markup_characters_are_escaped_and_shown_as_written() -> None:
    text = 'Use <b>&</b> and "quotes" & 5 > 3'
    html = to_html(text)
    assert "<b>" not in html
    assert parse_html(html) == (text, [])


def test_markdown_links_become_html_links() -> None:
    text = "More in [Reset <your> password](https://help.example/a?x=1&y=2)."
    visible, links = parse_html(to_html(text))
    assert visible == "More in Reset <your> password."
    assert links == [("Reset <your> password", "https://help.example/a?x=1&y=2")]


def test_plain_text_keeps_the_link_address() -> None:
    assert to_plain("See [Exports](https://h.example/e) now") == "See Exports (https://h.example/e) now"


def test_short_text_is_one_part() -> None:
    assert split_text("hello") == ["hello"]


def test_long_text_is_split_at_paragraphs_within_the_limit() -> None:
    paragraph = "word " * 300  # 1500 characters
    text = "\n\n".join([paragraph.strip()] * 4)
    parts = split_text(text, limit=4096)
    assert len(parts) == 2
    assert all(utf16_units(part) <= 4096 for part in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())


def test_text_without_breaks_is_cut_hard() -> None:
    parts = split_text("x" * 9000)
    assert [len(part) for part in parts] == [4096, 4096, 808]


def test_a_link_is_never_cut_in_half() -> None:
    link = "[Export your data](https://help.example/articles/export)"
    text = "a" * 4080 + link
    parts = split_text(text)
    assert parts == ["a" * 4080, link]


def test_characters_outside_the_bmp_count_twice() -> None:
    parts = split_text("\U0001F600" * 3000)
    assert [utf16_units(part) for part in parts] == [4096, 1904]


def test_every_part_fits_after_escaping() -> None:
    parts = split_text("<&>" * 3000)
    for part in parts:
        visible, _links = parse_html(to_html(part))
        assert utf16_units(visible) <= 4096


def test_short_payloads_are_sent_as_callback_data() -> None:
    assert callback_data_for(7, 0, "/feedback_helped") == "/feedback_helped"
    assert callback_data_for(7, 1, '/csat{"score": 5}') == '/csat{"score": 5}'


def test_long_payloads_are_mapped_to_a_key_and_back() -> None:
    payload = '/choose_article{"article_id":"' + "connect-your-bank-account-and-import-statements" + '"}'
    assert len(payload.encode()) > MAX_CALLBACK_BYTES
    data = callback_data_for(1234, 2, payload)
    assert data == "btn:1234:2"
    assert parse_button_key(data) == (1234, 2)
    assert parse_button_key("/feedback_helped") is None


def test_keyboard_has_one_button_per_row() -> None:
    keyboard = inline_keyboard(9, [{"title": "Yes", "payload": "/feedback_helped"},
                                   {"title": "No", "payload": "/feedback_not_helped"}])
    assert keyboard is not None
    rows = [[(button.text, button.callback_data) for button in row] for row in keyboard.inline_keyboard]
    assert rows == [[("Yes", "/feedback_helped")], [("No", "/feedback_not_helped")]]
    assert inline_keyboard(9, []) is None
