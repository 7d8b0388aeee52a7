"""Value types shared across the package: what an article is, and what a search returns.

They are plain frozen dataclasses so the bot, the action server and the CLI can pass them
around, log them and turn them into JSON without knowing anything about faiss or BM25.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

logger = logging.getLogger(__name__)

Decision = Literal["answer", "clarify", "handoff"]


@dataclass(frozen=True)
class Article:
    """One knowledge-base article as read from a source, before chunking."""

    id: str
    title: str
    body: str
    category: str = ""
    url: str = ""
    examples: tuple[str, ...] = ()
    source: str = ""
    always_human: bool = False


@dataclass(frozen=True)
class Chunk:
    """A section of an article: what a passage shown to the customer is made of."""

    article_id: str
    heading: str
    text: str

    def embed_text(self, title: str) -> str:
        """Title and heading give a short section the context it lacks on its own."""
        parts = [title]
        if self.heading and self.heading != title:
            parts.append(self.heading)
        return ". ".join(parts) + "\n" + self.text


@dataclass(frozen=True)
class Candidate:
    """An article offered as a possible answer, with its retrieval score."""

    article_id: str
    title: str
    url: str
    category: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        """`id` duplicates `article_id` because the CLI contract names it so."""
        data = asdict(self)
        data["id"] = self.article_id
        data["score"] = round(self.score, 4)
        return data


@dataclass(frozen=True)
class Answer:
    """What the knowledge base decides to do with one question.

    `article_id`, `title`, `url`, `category` and `passage` are set only for `answer`.
    `candidates` holds the top three articles; for `clarify` it holds exactly the two or
    three articles to offer as buttons.
    """

    decision: Decision
    confidence: float
    article_id: str | None
    title: str | None
    url: str | None
    category: str | None
    passage: str | None
    candidates: list[Candidate]
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form used by `ask --json` and by the action server."""
        return {
            "decision": self.decision,
            "confidence": round(self.confidence, 4),
            "article_id": self.article_id,
            "title": self.title,
            "url": self.url,
            "category": self.category,
            "passage": self.passage,
            "candidates": [c.to_dict() for c in self.candidates],
            "reason": self.reason,
        }


@dataclass(frozen=True)
class SkippedSource:
    """A file that could not be ingested, and why, so a lead can fix it."""

    path: str
    reason: str


@dataclass
class IngestReport:
    """Summary of one ingest run, printed by the CLI and returned to callers."""

    index_dir: Path
    version: str
    articles: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    chunks: int = 0
    keys: int = 0
    embedded: int = 0
    seconds: float = 0.0
    skipped: list[SkippedSource] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for scripts."""
        data = asdict(self)
        data["index_dir"] = str(self.index_dir)
        return data

    def summary(self) -> str:
        """Human-readable lines for the end of `ingest`."""
        lines = [
            f"index version {self.version} in {self.index_dir}",
            f"{self.articles} articles ({self.added} added, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.removed} removed), {self.chunks} chunks, "
            f"{self.keys} search keys, {self.embedded} texts embedded in {self.seconds:.1f}s",
        ]
        if self.skipped:
            lines.append(f"{len(self.skipped)} source(s) skipped:")
            lines.extend(f"  {s.path}: {s.reason}" for s in self.skipped)
        return "\n".join(lines)
