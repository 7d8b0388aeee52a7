"""One index version in memory: articles, chunks, search keys, faiss vectors and BM25.

The layout is deliberately simple: keys are stored grouped by article, so an article's keys
are one contiguous range of faiss rows and scoring an article is a slice, not a lookup.

Scanning every key costs about 1 ms per 3,000 keys, too slow past a few thousand articles,
so a large index also gets a coarse one (`keys.ivf`: inverted lists of 8-bit codes) that
only proposes articles; their scores still come from the exact vectors.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from kb_index import store
from kb_index.lexical import LexicalIndex, tokenize
from kb_index.models import Candidate, Chunk

logger = logging.getLogger(__name__)

FORMAT = 1
META_FILE = "meta.json"
VECTORS_FILE = "keys.faiss"
CALIBRATION_FILE = "calibration.json"
HUMAN_FILE = "human.npy"
COARSE_FILE = "keys.ivf"
COARSE_MIN_KEYS = 20_000  # below this an exact scan takes a few milliseconds
COARSE_PROBE_SHARE = 1 / 8  # lists searched per question: at 10,000 articles the top article
# is the exhaustive search's for 99.5 % of questions (98.3 % at 1/16), for 0.2 ms more


@dataclass(frozen=True)
class ArticleEntry:
    """An article as stored in the index, with the ranges of its chunks and keys."""

    id: str
    title: str
    category: str
    url: str
    source: str
    content_hash: str
    always_human: bool
    examples: tuple[str, ...]
    chunk_range: tuple[int, int]
    key_range: tuple[int, int]

    def candidate(self, score: float) -> Candidate:
        """The public view of this article."""
        return Candidate(self.id, self.title, self.url, self.category, float(score))

    def to_json(self) -> dict[str, Any]:
        """Meta-file form."""
        return {
            "id": self.id,
            "title": self.title,
            "category": self.category,
            "url": self.url,
            "source": self.source,
            "hash": self.content_hash,
            "always_human": self.always_human,
            "examples": list(self.examples),
            "chunks": list(self.chunk_range),
            "keys": list(self.key_range),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ArticleEntry:
        """Inverse of `to_json`."""
        return cls(
            id=data["id"],
            title=data["title"],
            category=data.get("category", ""),
            url=data.get("url", ""),
            source=data.get("source", ""),
            content_hash=data["hash"],
            always_human=bool(data.get("always_human", False)),
            examples=tuple(data.get("examples", ())),
            chunk_range=(data["chunks"][0], data["chunks"][1]),
            key_range=(data["keys"][0], data["keys"][1]),
        )


@dataclass
class IndexSnapshot:
    """Everything a query needs, loaded from one version folder."""

    version: str
    model: str
    articles: list[ArticleEntry]
    chunks: list[Chunk]
    key_kinds: list[str]
    key_chunks: np.ndarray  # chunk index of each key, -1 for title/example keys
    index: Any  # faiss.IndexFlatIP
    coarse: Any = None  # IVF over 8-bit codes of the same keys, only for large indexes
    calibration: dict[str, Any] | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    human_topics: list[str] = field(default_factory=list)
    human_vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 384), np.float32))
    folder: Path | None = None

    def __post_init__(self) -> None:
        self.by_id = {a.id: i for i, a in enumerate(self.articles)}
        n = self.index.ntotal
        self.vectors = index_vectors(self.index)
        self.key_article = np.zeros(n, dtype=np.int64)
        for i, a in enumerate(self.articles):
            self.key_article[a.key_range[0] : a.key_range[1]] = i
        ranges = np.array([a.key_range for a in self.articles], dtype=np.int64).reshape(-1, 2)
        self.key_starts, self.key_ends = ranges[:, 0], ranges[:, 1]
        self.lexical = LexicalIndex([self.lexical_document(i) for i in range(len(self.articles))])
        self._unit_terms: dict[int, list[frozenset[str]]] = {}
        self._section_vectors: dict[int, np.ndarray] = {}

    def lexical_document(self, article: int) -> str:
        """What BM25 sees of an article: title, example questions, headings and text."""
        entry = self.articles[article]
        start, end = entry.chunk_range
        parts = [entry.title, *entry.examples]
        for chunk in self.chunks[start:end]:
            parts.extend((chunk.heading, chunk.text))
        return "\n".join(parts)

    def unit_terms(self, article: int) -> list[frozenset[str]]:
        """Words of each section and each example question of an article, each with the
        title's words (and the title alone), tokenized once and kept."""
        terms = self._unit_terms.get(article)
        if terms is None:
            entry = self.articles[article]
            title = frozenset(tokenize(entry.title))
            units = [f"{c.heading}\n{c.text}" for c in self.article_chunks(article)]
            terms = [title | frozenset(tokenize(u)) for u in [*units, *entry.examples]] + [title]
            self._unit_terms[article] = terms
        return terms

    def section_vectors(self, article: int, embed: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        """One vector per section of an article, in reading order: its key's where it has
        one, else embedded now with `embed` and kept (indexes written by the old `ingest --fast`
        have articles without section keys)."""
        start, end = self.articles[article].key_range
        keyed = {int(self.key_chunks[k]): k for k in range(start, end) if self.key_chunks[k] >= 0}
        first, last = self.articles[article].chunk_range
        if len(keyed) == last - first:
            return np.array(self.vectors[[keyed[c] for c in range(first, last)]])
        vectors = self._section_vectors.get(article)
        if vectors is None:
            title = self.articles[article].title
            vectors = embed([c.embed_text(title) for c in self.chunks[first:last]])
            self._section_vectors[article] = vectors
        return np.array(vectors)

    def article_chunks(self, article: int) -> list[Chunk]:
        """The chunks of one article, in reading order."""
        start, end = self.articles[article].chunk_range
        return self.chunks[start:end]

    def search_keys(self, query: np.ndarray, depth: int) -> tuple[np.ndarray, np.ndarray]:
        """The `depth` keys nearest to `query` (1, dim): (similarities, key rows), best first,
        rows -1 past the end. Approximate when the index has a coarse part."""
        index = self.coarse if self.coarse is not None else self.index
        sims, keys = index.search(query, min(depth, self.index.ntotal))
        return sims[0], keys[0]

    def memory_bytes(self) -> int:
        """Rough resident size of the vectors, coarse index and BM25 matrix."""
        weights = self.lexical._weights
        coarse = coarse_bytes(self.coarse) if self.coarse is not None else 0
        return int(self.vectors.nbytes + coarse + weights.data.nbytes + weights.indices.nbytes
                   + weights.indptr.nbytes)


def build_coarse(vectors: np.ndarray) -> Any:
    """Inverted lists of 8-bit codes over unit `vectors`: about 2·sqrt(n) lists, trained on
    40 vectors per list (a fixed sample, so a rebuild gives the same index): at 76,000 keys
    that takes about a second, a thirtieth of the time 64 per list over 4·sqrt(n) lists would."""
    n, dim = vectors.shape
    lists = int(2 * np.sqrt(n))
    coarse = faiss.index_factory(dim, f"IVF{lists},SQ8", faiss.METRIC_INNER_PRODUCT)
    sample = np.random.default_rng(0).choice(n, size=min(n, 40 * lists), replace=False)
    coarse.train(np.ascontiguousarray(vectors[np.sort(sample)]))
    coarse.add(vectors)
    coarse.nprobe = max(1, int(lists * COARSE_PROBE_SHARE))
    return coarse


def coarse_bytes(coarse: Any) -> int:
    """Size of a coarse index's codes and centroids."""
    return int(coarse.ntotal * (coarse.code_size + 8) + coarse.nlist * coarse.d * 4)


def index_vectors(index: Any) -> np.ndarray:
    """The (n, dim) float32 vectors of a flat faiss index, as a view (no copy)."""
    n = index.ntotal
    if not n:
        return np.zeros((0, index.d), dtype=np.float32)
    return faiss.rev_swig_ptr(index.get_xb(), n * index.d).reshape(n, index.d)


def save_snapshot(
    folder: Path,
    *,
    model: str,
    articles: list[ArticleEntry],
    chunks: list[Chunk],
    key_kinds: list[str],
    key_chunks: list[int],
    vectors: np.ndarray,
    settings: dict[str, Any],
    created_at: str,
    human_topics: list[str],
    human_vectors: np.ndarray,
) -> None:
    """Write meta.json, keys.faiss and human.npy into a (staging) version folder."""
    index = faiss.IndexFlatIP(vectors.shape[1])
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    faiss.write_index(index, str(folder / VECTORS_FILE))
    if len(vectors) >= COARSE_MIN_KEYS:
        faiss.write_index(build_coarse(index_vectors(index)), str(folder / COARSE_FILE))
    np.save(folder / HUMAN_FILE, np.ascontiguousarray(human_vectors, dtype=np.float32))
    store.write_json(
        folder / META_FILE,
        {
            "format": FORMAT,
            "model": model,
            "dim": int(vectors.shape[1]),
            "created_at": created_at,
            "settings": settings,
            "human_topics": human_topics,
            "articles": [a.to_json() for a in articles],
            "chunks": [[c.heading, c.text] for c in chunks],
            "keys": [[kind, chunk] for kind, chunk in zip(key_kinds, key_chunks, strict=True)],
        },
    )


def load_snapshot(folder: Path) -> IndexSnapshot:
    """Read a version folder written by `save_snapshot` (and maybe `calibrate`)."""
    meta = store.read_json(folder / META_FILE)
    if meta.get("format") != FORMAT:
        raise ValueError(f"{folder}: index format {meta.get('format')} is not {FORMAT}; re-ingest")
    articles = [ArticleEntry.from_json(a) for a in meta["articles"]]
    chunks: list[Chunk] = []
    for entry in articles:
        start, end = entry.chunk_range
        for heading, text in meta["chunks"][start:end]:
            chunks.append(Chunk(entry.id, heading, text))
    calibration_path = folder / CALIBRATION_FILE
    coarse = None
    if (folder / COARSE_FILE).exists():
        coarse = faiss.read_index(str(folder / COARSE_FILE))
        coarse.nprobe = max(1, int(coarse.nlist * COARSE_PROBE_SHARE))
    return IndexSnapshot(
        version=folder.name,
        model=meta["model"],
        articles=articles,
        chunks=chunks,
        key_kinds=[kind for kind, _ in meta["keys"]],
        key_chunks=np.array([chunk for _, chunk in meta["keys"]], dtype=np.int64),
        index=faiss.read_index(str(folder / VECTORS_FILE)),
        coarse=coarse,
        calibration=store.read_json(calibration_path) if calibration_path.exists() else None,
        settings=meta.get("settings", {}),
        human_topics=list(meta.get("human_topics", [])),
        human_vectors=np.load(folder / HUMAN_FILE) if (folder / HUMAN_FILE).exists()
        else np.zeros((0, int(meta["dim"])), np.float32),
        folder=folder,
    )
