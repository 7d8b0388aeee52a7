"""FAQ tables (CSV or JSONL): one article per answer, its questions as search keys.

Columns: `question`, `answer`, optional `id`, `title`, `url`, `category`, `examples`
(`|`-separated in CSV, a list in JSONL). Rows that share an `id` are one article: the first
row gives its answer, every row's question becomes an example question of it.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from pathlib import Path
from typing import Any

from kb_index.models import Article
from kb_index.sources import SourceError, as_examples, as_flag, read_text, slugify

logger = logging.getLogger(__name__)


def _rows_csv(text: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    fields = {f.strip().lower() for f in reader.fieldnames or ()}
    missing = {"question", "answer"} - fields
    if missing:
        raise SourceError(f"missing column(s) {', '.join(sorted(missing))}")
    try:
        return [{(k or "").strip().lower(): v for k, v in row.items()} for row in reader]
    except csv.Error as exc:
        raise SourceError(f"broken CSV: {exc}") from exc


def _rows_jsonl(text: str) -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SourceError(f"line {number}: invalid JSON ({exc.msg})") from exc
        if not isinstance(row, dict):
            raise SourceError(f"line {number}: expected an object")
        rows.append({str(k).lower(): v for k, v in row.items()})
    return rows


def read_faq(path: Path) -> list[Article]:
    """Articles from a FAQ table; several rows may share one article id."""
    text = read_text(path)
    rows = _rows_csv(text) if path.suffix.lower() == ".csv" else _rows_jsonl(text)
    separator = "|" if path.suffix.lower() == ".csv" else None
    merged: dict[str, dict[str, Any]] = {}
    for number, row in enumerate(rows, start=2 if separator else 1):
        question = str(row.get("question") or "").strip()
        answer = str(row.get("answer") or "").strip()
        if not question and not answer:
            continue
        key = str(row.get("id") or "").strip()
        if not key:  # no id: every row is its own article
            key = base = slugify(question or answer[:60])
            suffix = 2
            while key in merged:
                key, suffix = f"{base}-{suffix}", suffix + 1
        entry = merged.get(key)
        examples = list(as_examples(row.get("examples"), separator=separator))
        if entry is None:
            if not answer:
                raise SourceError(f"row {number}: no answer for '{question}'")
            title = str(row.get("title") or "").strip() or question
            merged[key] = {
                "title": title, "answer": answer, "url": str(row.get("url") or "").strip(),
                "category": str(row.get("category") or "").strip(),
                "always_human": as_flag(row.get("always_human")),
                "examples": ([question] if question and question != title else []) + examples,
            }
        else:
            entry["examples"].extend(([question] if question else []) + examples)
    if not merged:
        raise SourceError("empty FAQ: no rows with a question and an answer")
    return [
        Article(
            id=key, title=e["title"], body=e["answer"], category=e["category"], url=e["url"],
            examples=tuple(dict.fromkeys(x for x in e["examples"] if x != e["title"])),
            source=str(path), always_human=e["always_human"],
        )
        for key, e in merged.items()
    ]
