"""Finding source files and turning each into articles, skipping what cannot be read.

Every reader returns articles or raises `SourceError` with a reason a support lead can act
on; `read_sources` collects those reasons by file name instead of failing the whole ingest.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import frontmatter
import yaml

from kb_index.models import Article, SkippedSource

logger = logging.getLogger(__name__)

MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
FAQ_SUFFIXES = {".csv", ".jsonl"}
SUPPORTED_SUFFIXES = MARKDOWN_SUFFIXES | HTML_SUFFIXES | FAQ_SUFFIXES

_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)
_TRUE = {"true", "yes", "1", "on"}


class SourceError(Exception):
    """A source file that cannot be ingested; the message is the reason shown to the lead."""


def read_text(path: Path) -> str:
    """Read UTF-8 (with or without BOM); other encodings are refused, not guessed."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read file: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(f"bad encoding: not UTF-8 (byte {exc.start})") from exc
    if "\x00" in text:
        raise SourceError("bad encoding: contains NUL bytes (binary file?)")
    if not text.strip():
        raise SourceError("empty file")
    return text


def as_examples(value: Any, *, separator: str | None = None) -> tuple[str, ...]:
    """Normalise an `examples` field (list, or a string split on `separator`)."""
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        items: Iterable[Any] = value.split(separator) if separator else [value]
    elif isinstance(value, (list, tuple)):
        items = value
    else:
        raise SourceError(f"'examples' must be a list of questions, not {type(value).__name__}")
    return tuple(str(item).strip() for item in items if item is not None and str(item).strip())


def as_flag(value: Any) -> bool:
    """Front matter and CSV cells spell booleans many ways."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in _TRUE if value is not None else False


def slugify(text: str) -> str:
    """A stable id for sources that do not give one."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:80] or "article"


def read_markdown(path: Path) -> list[Article]:
    """One article per Markdown file with YAML front matter (id, title, category, url, examples)."""
    text = read_text(path)
    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SourceError(f"broken front matter: {reason}") from exc
    except ValueError as exc:
        raise SourceError(f"broken front matter: {exc}") from exc
    meta = post.metadata
    if not isinstance(meta, dict):
        raise SourceError("broken front matter: expected key: value pairs")
    if text.lstrip().startswith("---") and not meta:
        raise SourceError("broken front matter: no closing '---' or no fields")
    body = post.content.strip()
    if not body:
        raise SourceError("empty article: no text after the front matter")
    raw_id = meta.get("id")
    if isinstance(raw_id, bool):  # YAML reads `id: yes` as True: the file name is the id
        raw_id = path.stem
    h1 = _H1.search(body)
    title = str(meta.get("title") or (h1.group(1) if h1 else "") or path.stem).strip()
    return [
        Article(
            id=str(raw_id or path.stem).strip(),
            title=title,
            body=body,
            category=str(meta.get("category") or "").strip(),
            url=str(meta.get("url") or "").strip(),
            examples=as_examples(meta.get("examples")),
            source=str(path),
            always_human=as_flag(meta.get("always_human")),
        )
    ]


def _reader_for(path: Path) -> Callable[[Path], list[Article]]:
    suffix = path.suffix.lower()
    if suffix in MARKDOWN_SUFFIXES:
        return read_markdown
    if suffix in HTML_SUFFIXES:
        from kb_index.html_source import read_html

        return read_html
    if suffix in FAQ_SUFFIXES:
        from kb_index.faq_source import read_faq

        return read_faq
    raise SourceError(f"unsupported file type '{suffix}'")


def iter_source_files(sources: Iterable[Path]) -> tuple[list[Path], list[SkippedSource]]:
    """Expand folders (recursively, sorted for stable ids) into supported files."""
    files: list[Path] = []
    missing: list[SkippedSource] = []
    for source in sources:
        source = Path(source)
        if source.is_dir():
            files.extend(
                p
                for p in sorted(source.rglob("*"))
                if p.is_file()
                and p.suffix.lower() in SUPPORTED_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(source).parts)
            )
        elif source.is_file():
            files.append(source)
        else:
            missing.append(SkippedSource(str(source), "no such file or folder"))
    return files, missing


def read_sources(
    sources: Iterable[Path], *, progress: bool = False
) -> tuple[list[Article], list[SkippedSource]]:
    """Read every source; unreadable files and duplicate ids are skipped and reported."""
    from tqdm import tqdm

    files, skipped = iter_source_files(sources)
    articles: list[Article] = []
    seen: dict[str, str] = {}
    for path in tqdm(files, desc="reading", unit="file", disable=not progress, leave=False):
        try:
            found = _reader_for(path)(path)
        except SourceError as exc:
            logger.warning("skipping %s: %s", path, exc)
            skipped.append(SkippedSource(str(path), str(exc)))
            continue
        for article in found:
            if article.id in seen:
                reason = f"duplicate article id '{article.id}' (first seen in {seen[article.id]})"
                logger.warning("skipping %s: %s", article.source, reason)
                skipped.append(SkippedSource(article.source, reason))
                continue
            seen[article.id] = article.source
            articles.append(article)
    return articles, skipped
