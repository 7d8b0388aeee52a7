"""Always-human topics as admins edit them in the console.

The shipped rules file (`handoff/defaults/rules.yml`) holds the starting list. Once an admin
changes a topic in the console, the whole list is written to `var/always_human.yml`, which from
then on replaces the rules file's `always_human` section. Every process (gateway, action server)
reads rules per file change, so an edit takes effect on the next question without a restart.
"""

import os
import re
import tempfile
from pathlib import Path

import yaml

from handoff.settings import get_settings

MAX_TOPICS = 50
MAX_PHRASES = 40
MAX_PHRASE_LENGTH = 100
_TOPIC_NAME = re.compile(r"^[a-z0-9][a-z0-9_]{0,63}$")


class TopicError(ValueError):
    """A topic or phrase list that cannot be saved, with the reason for the admin."""


def topics_file(var_dir: Path | None = None) -> Path:
    """Where the console keeps the edited topics."""
    return (var_dir or get_settings().var_dir) / "always_human.yml"


def read_topics_file(path: Path) -> dict[str, list[str]] | None:
    """The edited topics, or None when no admin has edited them yet (the rules file applies)."""
    if not path.exists():
        return None
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path} must map topic names to lists of phrases")
    return {str(topic): [str(phrase) for phrase in phrases or []] for topic, phrases in data.items()}


def topic_name(text: str) -> str:
    """A topic name as stored: lower case words joined by underscores ("Legal request" → legal_request)."""
    name = re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")
    if not _TOPIC_NAME.match(name):
        raise TopicError("A topic needs a name of letters and digits, at most 64 characters.")
    return name


def parse_phrases(text: str) -> list[str]:
    """Phrases from a text box: one per line (commas also separate), trimmed, without repeats."""
    phrases: list[str] = []
    for part in re.split(r"[\n,]", text):
        phrase = " ".join(part.split()).lower()
        if phrase and phrase not in phrases:
            phrases.append(phrase)
    if not phrases:
        raise TopicError("Give at least one phrase that marks the topic.")
    if len(phrases) > MAX_PHRASES:
        raise TopicError(f"At most {MAX_PHRASES} phrases per topic.")
    if any(len(phrase) > MAX_PHRASE_LENGTH for phrase in phrases):
        raise TopicError(f"A phrase may have at most {MAX_PHRASE_LENGTH} characters.")
    if any(len(phrase) < 3 for phrase in phrases):
        raise TopicError("A phrase needs at least 3 characters, or it would match too much.")
    return phrases


def save_topics(path: Path, topics: dict[str, list[str]]) -> None:
    """Write the whole list at once (a temp file renamed over the old one: readers never see half)."""
    if len(topics) > MAX_TOPICS:
        raise TopicError(f"At most {MAX_TOPICS} always-human topics.")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".always_human.", suffix=".yml")
    with os.fdopen(handle, "w", encoding="utf-8") as temp:
        temp.write("# Always-human topics, edited in the console (Admin → Knowledge base).\n")
        yaml.safe_dump(dict(sorted(topics.items())), temp, allow_unicode=True, sort_keys=False)
    os.replace(temp_name, path)


def set_topic(path: Path, current: dict[str, list[str]], *, name: str, phrases: str) -> str:
    """Add or replace one topic in the list; returns its stored name."""
    topic = topic_name(name)
    save_topics(path, {**current, topic: parse_phrases(phrases)})
    return topic


def remove_topic(path: Path, current: dict[str, list[str]], *, name: str) -> None:
    """Delete one topic; the list is written even if it becomes empty (so none apply)."""
    if name not in current:
        raise TopicError(f"There is no topic {name!r}.")
    save_topics(path, {topic: phrases for topic, phrases in current.items() if topic != name})
