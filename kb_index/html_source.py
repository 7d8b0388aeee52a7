"""Help pages saved as HTML: title from <h1> (else <title>), text without navigation or scripts.

The page is turned into simple Markdown (headings, paragraphs, list items) so the same
heading chunker serves both formats. Parsing uses the standard library, so a page that is
not well-formed still yields its text.
"""

from __future__ import annotations

import logging
import re
from html.parser import HTMLParser
from pathlib import Path

from kb_index.models import Article
from kb_index.sources import SourceError, read_text, slugify

logger = logging.getLogger(__name__)

_SKIP_TAGS = {"script", "style", "noscript", "nav", "header", "footer", "aside", "form",
              "template", "svg", "button", "select", "iframe"}
_SKIP_HINTS = re.compile(r"\b(nav|navbar|menu|breadcrumbs?|sidebar|footer|header|cookie|skip-link)\b",
                         re.IGNORECASE)
_BLOCKS = {"p", "div", "section", "article", "main", "br", "tr", "table", "ul", "ol",
           "blockquote", "pre", "dd", "dt"}
_VOID = {"br", "img", "hr", "meta", "link", "input", "source", "wbr", "area", "base", "col"}
_TITLE_SUFFIX = re.compile(r"\s+[|\-–—·:]\s+[^|\-–—·:]+$")


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0
        self.stack: list[tuple[str, bool]] = []
        self.title = ""
        self.h1 = ""
        self.meta: dict[str, str] = {}
        self._in_title = False
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta" and (a.get("name") or a.get("property")):
            self.meta[(a.get("name") or a.get("property") or "").lower()] = a.get("content", "")
        if tag == "link" and "canonical" in a.get("rel", "").lower():
            self.meta.setdefault("canonical", a.get("href", ""))
        if tag in _VOID:
            if tag == "br":
                self.parts.append("\n")
            return
        hint = f"{a.get('class', '')} {a.get('id', '')} {a.get('role', '')}"
        skipping = tag in _SKIP_TAGS or bool(_SKIP_HINTS.search(hint))
        self.stack.append((tag, skipping))
        if skipping:
            self.skip_depth += 1
        if tag == "title":
            self._in_title = True
        elif re.fullmatch(r"h[1-6]", tag) and not self.skip_depth:
            self._in_h1 = tag == "h1" and not self.h1
            self.parts.append("\n\n" + "#" * int(tag[1]) + " ")
        elif tag == "li" and not self.skip_depth:
            self.parts.append("\n- ")
        elif tag in _BLOCKS and not self.skip_depth:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        while self.stack:  # tolerate unclosed tags: pop to the matching one
            open_tag, skipping = self.stack.pop()
            if skipping:
                self.skip_depth -= 1
            if open_tag == tag:
                break
        if tag == "title":
            self._in_title = False
        elif re.fullmatch(r"h[1-6]", tag):
            self._in_h1 = False
            if not self.skip_depth:
                self.parts.append("\n\n")
        elif tag in _BLOCKS and not self.skip_depth:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
            return
        if self.skip_depth:
            return
        if self._in_h1:
            self.h1 += data
        self.parts.append(re.sub(r"\s+", " ", data))


def read_html(path: Path) -> list[Article]:
    """One article per HTML page."""
    parser = _PageParser()
    try:
        parser.feed(read_text(path))
        parser.close()
    except Exception as exc:  # noqa: BLE001 - html.parser raises odd errors on odd input
        raise SourceError(f"cannot parse HTML: {exc}") from exc
    lines = [line.strip() for line in "".join(parser.parts).splitlines()]
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    title = parser.h1.strip() or _TITLE_SUFFIX.sub("", parser.title.strip())
    if not title:
        title = path.stem.replace("-", " ").replace("_", " ")
    if not re.sub(r"^#.*$", "", body, flags=re.MULTILINE).strip():
        raise SourceError("empty page: no text outside navigation and scripts")
    meta = parser.meta
    return [
        Article(
            id=meta.get("kb:id") or meta.get("article-id") or slugify(path.stem),
            title=title,
            body=body,
            category=meta.get("kb:category") or meta.get("category") or path.parent.name,
            url=meta.get("canonical") or meta.get("og:url") or "",
            source=str(path),
        )
    ]
