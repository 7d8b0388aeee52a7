"""Titles and links of the knowledge-base articles, read from the live index's metadata file.

kb_index keeps each index version in `DIR/versions/<version>/` with the articles listed in
`meta.json`, and `DIR/CURRENT` names the live version. Reading that JSON directly gives the
titles without importing kb_index (whose import pulls in faiss and the embedding libraries,
seconds a gateway need not spend). The file is parsed once per version.
"""

import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from handoff.settings import get_settings

logger = logging.getLogger(__name__)

POINTER_FILE = "CURRENT"
VERSIONS_FOLDER = "versions"
META_FILE = "meta.json"


@dataclass(frozen=True)
class IndexedArticle:
    """An article as the knowledge base currently has it."""

    id: str
    title: str
    url: str


@dataclass(frozen=True)
class IndexedArticles:
    """The articles of one index version (empty when there is no index)."""

    version: str
    by_id: dict[str, IndexedArticle]

    def title(self, article_id: str | None) -> str | None:
        """The article's title, or None when it is not (or no longer) in the knowledge base."""
        article = self.by_id.get(article_id) if article_id else None
        return article.title if article else None


_cache: dict[Path, tuple[str, IndexedArticles]] = {}
_lock = threading.Lock()


def index_dir() -> Path:
    """Where kb_index keeps the index: `DESKMATE_KB_INDEX_DIR`, else `kb_index` in the var folder."""
    configured = os.environ.get("DESKMATE_KB_INDEX_DIR")
    return Path(configured).expanduser() if configured else get_settings().var_dir / "kb_index"


def indexed_articles(folder: Path | None = None) -> IndexedArticles:
    """The live version's articles; an unreadable or missing index gives none (and a warning)."""
    folder = Path(folder or index_dir())
    try:
        version = (folder / POINTER_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return IndexedArticles(version="", by_id={})
    with _lock:
        cached = _cache.get(folder)
        if cached is not None and cached[0] == version:
            return cached[1]
    by_id = _read_articles(folder / VERSIONS_FOLDER / version / META_FILE)
    if by_id is None:
        return IndexedArticles(version=version, by_id={})
    articles = IndexedArticles(version=version, by_id=by_id)
    with _lock:
        _cache[folder] = (version, articles)
    return articles


def _read_articles(meta_path: Path) -> dict[str, IndexedArticle] | None:
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        articles = [IndexedArticle(id=str(entry["id"]), title=str(entry.get("title") or entry["id"]),
                                   url=str(entry.get("url") or "")) for entry in meta["articles"]]
        return {article.id: article for article in articles}
    except (OSError, ValueError, KeyError, TypeError) as error:
        logger.warning("knowledge-base articles not readable from %s: %s", meta_path, error)
        return None
