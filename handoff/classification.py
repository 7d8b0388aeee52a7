"""Rule-based classification of a new ticket: category, priority, sentiment, always-human topic.

The rules live in a YAML file a support lead edits (`handoff/defaults/rules.yml` unless
`DESKMATE_RULES_FILE` names another); they are read once per process and file change.
"""

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from handoff.always_human import read_topics_file, topics_file
from handoff.settings import get_settings

logger = logging.getLogger(__name__)

PRIORITIES = ("low", "normal", "high", "urgent")


@dataclass(frozen=True)
class Classification:
    """What the rules say about a customer's text."""

    category: str
    priority: str
    sentiment: str  # negative | neutral
    skill_group: str
    always_human_topic: str | None
    rule_matched: bool = False  # a keyword rule chose the category (not the hint or the default)


@dataclass(frozen=True)
class Rules:
    categories: dict[str, list[str]]
    skill_groups: dict[str, str]
    priority: dict[str, list[str]]
    always_human: dict[str, list[str]]
    negative_words: list[str]


@lru_cache(maxsize=8)
def _load_rules(path: Path, mtime: float, topics_path: Path | None, topics_mtime: float) -> Rules:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    edited = read_topics_file(topics_path) if topics_path is not None else None
    return Rules(
        categories=data.get("categories", {}),
        skill_groups=data.get("skill_groups", {}),
        priority=data.get("priority", {}),
        always_human=edited if edited is not None else data.get("always_human", {}),
        negative_words=data.get("negative_words", []),
    )


def load_rules(path: Path | None = None, *, topics_path: Path | None = None) -> Rules:
    """The rules from `path` (default: the configured file), re-read when a file changes.

    The always-human topics an admin edited in the console (`topics_path`, by default
    `var/always_human.yml` when the default rules file is used) replace the file's own list.
    """
    if path is None:
        path = get_settings().rules_file
        topics_path = topics_path or topics_file()
    topics_mtime = topics_path.stat().st_mtime_ns if topics_path is not None and topics_path.exists() else 0
    return _load_rules(path, path.stat().st_mtime, topics_path, topics_mtime)


def _normalise(text: str) -> str:
    return " " + re.sub(r"[^a-z0-9']+", " ", text.lower().replace("’", "'")) + " "


def _matches(text: str, phrases: list[str]) -> bool:
    normalised = _normalise(text)
    return any(_normalise(phrase) in normalised for phrase in phrases)


def always_human_topic(text: str, rules: Rules | None = None) -> str | None:
    """The always-human topic this text is about (refund dispute, legal, ...), or None."""
    rules = rules or load_rules()
    for topic, phrases in rules.always_human.items():
        if _matches(text, phrases):
            return topic
    return None


def classify(text: str, *, category_hint: str | None = None, rules: Rules | None = None) -> Classification:
    """Classify a customer's text; `category_hint` (e.g. the KB article's category) wins ties."""
    rules = rules or load_rules()
    matched = next(
        (name for name, phrases in rules.categories.items() if _matches(text, phrases)),
        None,
    )
    category = matched or category_hint or "general"
    negative = _matches(text, rules.negative_words)
    priority = "normal"
    for level in ("urgent", "high", "low"):
        if _matches(text, rules.priority.get(level, [])):
            priority = level
            break
    if negative and priority in ("low", "normal"):
        priority = "high"
    return Classification(
        category=category,
        priority=priority,
        sentiment="negative" if negative else "neutral",
        skill_group=rules.skill_groups.get(category, "general"),
        always_human_topic=always_human_topic(text, rules),
        rule_matched=matched is not None,
    )
