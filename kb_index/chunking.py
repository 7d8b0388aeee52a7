"""Splitting an article into sections by heading, and Markdown into plain readable text.

A section is the unit a customer is shown, so it must read on its own; each one is embedded
with the article title in front because "How to unlock" means little without "Account locked".
"""

from __future__ import annotations

import logging
import re

from kb_index.models import Article, Chunk

logger = logging.getLogger(__name__)

MAX_WORDS = 180  # MiniLM reads 256 word pieces; longer sections are split on paragraphs

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_INLINE = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images -> alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links -> link text
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # reference links
    (re.compile(r"<(https?://[^>]+)>"), r"\1"),  # autolinks
    (re.compile(r"</?[A-Za-z][^>]*>"), ""),  # inline HTML tags
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),  # bold
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"), r"\1"),  # italic
    (re.compile(r"`([^`]*)`"), r"\1"),  # inline code
]
_RULE = re.compile(r"^\s*([-*_]\s*){3,}$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def clean_markdown(text: str) -> str:
    """Plain text a customer can read in a chat bubble: no link or emphasis syntax."""
    out: list[str] = []
    for line in text.splitlines():
        if _RULE.match(line) or _TABLE_RULE.match(line) or _FENCE.match(line):
            continue
        line = re.sub(r"^\s*>\s?", "", line)
        for pattern, repl in _INLINE:
            line = pattern.sub(repl, line)
        if line.strip().startswith("|"):
            line = " | ".join(cell.strip() for cell in line.strip().strip("|").split("|"))
        out.append(line.rstrip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()


def _split_long(text: str, max_words: int) -> list[str]:
    """Keep paragraphs whole where possible so a passage never stops mid-thought."""
    if len(text.split()) <= max_words:
        return [text]
    pieces: list[str] = []
    current: list[str] = []
    count = 0
    for para in re.split(r"\n\s*\n", text):
        words = len(para.split())
        if words > max_words:
            sentences = re.split(r"(?<=[.!?])\s+", para)
        else:
            sentences = [para]
        for unit in sentences:
            n = len(unit.split())
            if current and count + n > max_words:
                pieces.append("\n\n".join(current))
                current, count = [], 0
            if n > max_words:  # one enormous sentence: cut by words
                tokens = unit.split()
                for i in range(0, len(tokens), max_words):
                    pieces.append(" ".join(tokens[i : i + max_words]))
                continue
            current.append(unit)
            count += n
    if current:
        pieces.append("\n\n".join(current))
    return pieces


def split_sections(markdown: str, title: str) -> list[tuple[str, str]]:
    """(heading path, raw section text) pairs; a leading H1 that repeats the title is dropped."""
    sections: list[tuple[str, list[str]]] = [("", [])]
    stack: list[tuple[int, str]] = []
    in_code = False
    for line in markdown.splitlines():
        if _FENCE.match(line):
            in_code = not in_code
            sections[-1][1].append(line)
            continue
        match = None if in_code else _HEADING.match(line)
        if not match:
            sections[-1][1].append(line)
            continue
        level, text = len(match.group(1)), clean_markdown(match.group(2))
        if level == 1 and (not stack and not "".join(sections[-1][1]).strip()):
            if text.lower() == title.lower() or len(sections) == 1:
                continue  # the article's own title
        stack = [(lvl, t) for lvl, t in stack if lvl < level] + [(level, text)]
        sections.append((" > ".join(t for _, t in stack), []))
    return [(heading, "\n".join(lines)) for heading, lines in sections]


def chunk_article(article: Article, *, max_words: int = MAX_WORDS) -> list[Chunk]:
    """Sections of the article as chunks; an article with only headings still gets one."""
    chunks: list[Chunk] = []
    for heading, raw in split_sections(article.body, article.title):
        text = clean_markdown(raw)
        if not text:
            continue
        for piece in _split_long(text, max_words):
            chunks.append(Chunk(article_id=article.id, heading=heading, text=piece))
    if not chunks:
        fallback = clean_markdown(article.body) or article.title
        chunks.append(Chunk(article_id=article.id, heading="", text=fallback))
    return chunks
