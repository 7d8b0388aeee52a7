"""The stored update offset: survives restarts, written atomically, distrusted when stale."""

import json
import time
from pathlib import Path

from bot.channels.telegram_app import OffsetStore, file_url


def test_a_fresh_store_asks_for_everything_pending(tmp_path: Path) -> None:
    store = OffsetStore(tmp_path / "offset.json")
    assert store.next_offset() is None
    assert not store.is_handled(1)


def test_saved_offset_is_read_back_after_a_restart(tmp_path: Path) -> None:
    OffsetStore(tmp_path / "telegram" / "offset.json").save(741)
    again = OffsetStore(tmp_path / "telegram" / "offset.json")
    assert again.next_offset() == 742
    assert again.is_handled(741) and again.is_handled(700)
    assert not again.is_handled(742)
    assert list((tmp_path / "telegram").iterdir()) == [tmp_path / "telegram" / "offset.json"]


def test_an_unreadable_file_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "offset.json"
    path.write_text("{not json")
    assert OffsetStore(path).next_offset() is None


def test_an_offset_older_than_a_week_is_not_trusted(tmp_path: Path) -> None:
    path = tmp_path / "offset.json"
    path.write_text(json.dumps({"last_update_id": 900, "saved_at": time.time() - 8 * 24 * 3600}))
    store = OffsetStore(path)
    assert store.next_offset() is None
    assert not store.is_handled(5)  # Telegram may have restarted its update ids


def test_file_url_sits_beside_the_api_url() -> None:
    assert file_url("https://api.telegram.org/bot") == "https://api.telegram.org/file/bot"
    assert file_url("http://127.0.0.1:8081/bot/") == "http://127.0.0.1:8081/file/bot"
