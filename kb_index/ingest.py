"""Building a new index version from sources, re-embedding only articles that changed.

Each article gets a content hash; when the previous version holds an article with the same
hash (and the same model), its vectors are copied instead of recomputed. The new version is
published atomically and carries the previous calibration forward, so answers stay
calibrated across a routine content update.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from tqdm import tqdm

from kb_index import embedding, store
from kb_index.chunking import MAX_WORDS, chunk_article
from kb_index.human_topics import human_phrases
from kb_index.models import Article, Chunk, IngestReport
from kb_index.retrieval import DEFAULT_ALPHA
from kb_index.snapshot import (
    CALIBRATION_FILE,
    ArticleEntry,
    IndexSnapshot,
    load_snapshot,
    save_snapshot,
)
from kb_index.sources import read_sources

logger = logging.getLogger(__name__)

CHUNKER_VERSION = f"headings-v1-{MAX_WORDS}"
EMBED_BATCH = 256  # texts between two steps of the progress bar


class IngestError(RuntimeError):
    """Nothing could be ingested; the live index is left as it was."""


def content_hash(article: Article) -> str:
    """Changes whenever anything that shapes the article's keys changes."""
    payload = json.dumps(
        [CHUNKER_VERSION, article.title, article.category, article.url, article.body,
         list(article.examples), article.always_human],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def article_keys(article: Article, chunks: list[Chunk]) -> list[tuple[str, int, str]]:
    """(kind, chunk offset or -1, text) for every vector that will stand for the article."""
    keys: list[tuple[str, int, str]] = [("title", -1, article.title)]
    keys.extend(("chunk", i, c.embed_text(article.title)) for i, c in enumerate(chunks))
    keys.extend(("example", -1, e) for e in article.examples)
    return keys


def _previous(index_dir: Path, model: str) -> IndexSnapshot | None:
    folder = store.current_version_dir(index_dir)
    if folder is None:
        return None
    try:
        snapshot = load_snapshot(folder)
    except Exception as exc:  # noqa: BLE001 - a broken old version only costs a full re-embed
        logger.warning("cannot reuse previous index version %s: %s", folder.name, exc)
        return None
    return snapshot if snapshot.model == model else None


def _embed(texts: list[str], progress: bool) -> np.ndarray:
    """Vectors for `texts` in their order. Each distinct text is embedded once, longest
    first, so that a batch holds texts of about the same length (little padding)."""
    distinct = sorted(set(texts), key=lambda text: (-len(text), text))
    found = np.zeros((len(distinct), embedding.DIMENSION), dtype=np.float32)
    with tqdm(total=len(distinct), desc="embedding", unit="text", disable=not progress) as bar:
        for start in range(0, len(distinct), EMBED_BATCH):
            batch = distinct[start : start + EMBED_BATCH]
            found[start : start + len(batch)] = embedding.encode(batch)
            bar.update(len(batch))
    row = {text: i for i, text in enumerate(distinct)}
    return found[[row[text] for text in texts]]


def ingest(sources: list[Path], index_dir: Path, *, progress: bool = False) -> IngestReport:
    """Read `sources`, build and publish a new index version in `index_dir`."""
    started = time.perf_counter()
    index_dir = Path(index_dir)
    articles, skipped = read_sources([Path(s) for s in sources], progress=progress)
    if not articles:
        reasons = "; ".join(f"{s.path}: {s.reason}" for s in skipped) or "no supported files"
        raise IngestError(f"no article could be read ({reasons})")
    with store.writer_lock(index_dir):
        model = embedding.model_id()
        previous = _previous(index_dir, model)
        old = {a.id: (i, a) for i, a in enumerate(previous.articles)} if previous else {}
        report = IngestReport(index_dir=index_dir, version="", skipped=skipped)
        entries: list[ArticleEntry] = []
        chunks: list[Chunk] = []
        kinds: list[str] = []
        key_chunks: list[int] = []
        reused: list[tuple[int, np.ndarray]] = []  # (first key row, vectors)
        to_embed: list[tuple[int, str]] = []  # (key row, text)
        for article in articles:
            article_chunks = chunk_article(article)
            keys = article_keys(article, article_chunks)
            digest = content_hash(article)
            key_start, chunk_start = len(kinds), len(chunks)
            prior = old.get(article.id)
            if prior and prior[1].content_hash == digest and previous is not None:
                start, end = prior[1].key_range
                reused.append((key_start, previous.vectors[start:end].copy()))
                report.unchanged += 1
            else:
                to_embed.extend((key_start + i, text) for i, (_, _, text) in enumerate(keys))
                if prior:
                    report.updated += 1
                else:
                    report.added += 1
            chunks.extend(article_chunks)
            kinds.extend(kind for kind, _, _ in keys)
            key_chunks.extend(chunk_start + c if c >= 0 else -1 for _, c, _ in keys)
            entries.append(
                ArticleEntry(
                    id=article.id, title=article.title, category=article.category,
                    url=article.url, source=article.source, content_hash=digest,
                    always_human=article.always_human, examples=article.examples,
                    chunk_range=(chunk_start, len(chunks)), key_range=(key_start, len(kinds)),
                )
            )
        vectors = np.zeros((len(kinds), embedding.DIMENSION), dtype=np.float32)
        for row, block in reused:
            vectors[row : row + len(block)] = block
        if to_embed:
            rows = [row for row, _ in to_embed]
            vectors[rows] = _embed([text for _, text in to_embed], progress)
        report.removed = len(set(old) - {a.id for a in articles})
        phrases = human_phrases()
        humans = embedding.encode([text for _, text in phrases])  # a few dozen: always redone
        staging = store.new_staging_dir(index_dir)
        save_snapshot(
            staging,
            model=model,
            articles=entries,
            chunks=chunks,
            key_kinds=kinds,
            key_chunks=key_chunks,
            vectors=vectors,
            settings={"fusion_alpha": DEFAULT_ALPHA, "chunker": CHUNKER_VERSION},
            created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            human_topics=[topic for topic, _ in phrases],
            human_vectors=humans,
        )
        live = store.current_version_dir(index_dir)
        if live is not None and (live / CALIBRATION_FILE).exists():
            store.link_or_copy(live / CALIBRATION_FILE, staging / CALIBRATION_FILE)
        report.version = store.publish(index_dir, staging)
    report.articles = len(entries)
    report.chunks = len(chunks)
    report.keys = len(kinds)
    report.embedded = len(to_embed)
    report.seconds = time.perf_counter() - started
    logger.info("ingested %d articles into %s", report.articles, report.version)
    return report
