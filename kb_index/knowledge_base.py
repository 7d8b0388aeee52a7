"""The query side: a knowledge base loaded once per process that follows new index versions.

`load_knowledge_base` returns the same object for the same folder. That object checks the
CURRENT pointer's mtime at most once a second and swaps in a newer version when one is
published, so the gateway and the action server pick up a re-ingest without a restart.
A new version is loaded in a background thread while questions are still answered from the
one in use (loading 100,000 articles takes seconds; no customer should wait for it); only the
very first load, before there is anything to answer from, happens on the caller's thread.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kb_index import store
from kb_index.calibration import Calibration, load_calibration
from kb_index.decision import Verdict, build_answer, judge
from kb_index.embedding import encode, encode_query
from kb_index.lexical import tokenize
from kb_index.models import Answer, Candidate
from kb_index.retrieval import DEFAULT_ALPHA, HybridRetriever, Mode, Retrieval
from kb_index.snapshot import IndexSnapshot, load_snapshot

logger = logging.getLogger(__name__)

RECHECK_SECONDS = 1.0


class KnowledgeBaseNotFound(FileNotFoundError):
    """No index has been ingested into the folder yet."""


@dataclass(frozen=True)
class _State:
    """Snapshot, calibration and retriever swapped as one, so a query never mixes versions."""

    snapshot: IndexSnapshot
    calibration: Calibration
    retriever: HybridRetriever

    @classmethod
    def of(cls, snapshot: IndexSnapshot) -> _State:
        alpha = float(snapshot.settings.get("fusion_alpha", DEFAULT_ALPHA))
        return cls(snapshot, load_calibration(snapshot.calibration),
                   HybridRetriever(snapshot, alpha=alpha))


class KnowledgeBase:
    """Answers questions from the live index version in `index_dir`."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)
        self._lock = threading.Lock()
        self._stamp: int | None = None
        self._checked = 0.0
        self._state: _State | None = None
        self._loading: threading.Thread | None = None
        self._failed: str | None = None  # a version that could not be loaded is not tried again
        self._refresh(force=True)

    # -- keeping up with new versions -------------------------------------------------
    def _refresh(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._checked < RECHECK_SECONDS:
            return
        with self._lock:
            self._checked = now
            stamp = store.pointer_stamp(self.index_dir)
            if stamp is not None and stamp == self._stamp and self._state is not None:
                return
            folder = store.current_version_dir(self.index_dir)
            if folder is None:
                if self._state is None:
                    raise KnowledgeBaseNotFound(
                        f"no knowledge-base index in {self.index_dir}; run "
                        f"`python -m kb_index ingest data/kb --index {self.index_dir}`"
                    )
                return
            if self._state is not None and folder.name == self._state.snapshot.version:
                self._stamp = stamp
            elif self._state is None:
                self._state = self._load(folder)
                self._stamp = stamp
            elif self._loading is None and folder.name != self._failed:
                self._loading = threading.Thread(target=self._load_in_background, args=(folder, stamp),
                                                 name=f"kb-load-{folder.name}", daemon=True)
                self._loading.start()

    @staticmethod
    def _load(folder: Path) -> _State:
        snapshot = load_snapshot(folder)
        logger.info("knowledge base %s: version %s, %d articles", folder.parent, snapshot.version,
                    len(snapshot.articles))
        return _State.of(snapshot)

    def _load_in_background(self, folder: Path, stamp: int | None) -> None:
        """Load a newly published version, then swap it in; the old one answers meanwhile."""
        try:
            state = self._load(folder)
        except Exception:  # a broken version must not stop answering: keep the old, retry later
            logger.exception("knowledge base %s: version %s could not be loaded", self.index_dir, folder.name)
            with self._lock:
                self._loading, self._failed = None, folder.name
            return
        with self._lock:
            self._state, self._stamp, self._loading = state, stamp, None

    def wait_for_new_version(self, timeout: float = 120.0) -> None:
        """Look for a newly published version now and wait until it is in use (tools, tests)."""
        self._refresh(force=True)
        with self._lock:
            loading = self._loading
        if loading is not None:
            loading.join(timeout)

    def _current(self) -> _State:
        self._refresh()
        assert self._state is not None
        return self._state

    @property
    def snapshot(self) -> IndexSnapshot:
        """The loaded version (refreshed if a newer one was published)."""
        return self._current().snapshot

    @property
    def calibration(self) -> Calibration:
        """The calibration in use (the built-in default if none was fitted)."""
        return self._current().calibration

    @property
    def version(self) -> str:
        """Name of the loaded index version."""
        return self.snapshot.version

    # -- queries ----------------------------------------------------------------------
    def retriever(self, mode: Mode = "fused") -> HybridRetriever:
        """The production retriever, or a baseline one for evaluation."""
        state = self._current()
        if mode == state.retriever.mode:
            return state.retriever
        return HybridRetriever(state.snapshot, mode=mode, alpha=state.retriever.alpha)

    def judge(self, question: str, *, vector: np.ndarray | None = None) -> tuple[Retrieval, Verdict]:
        """Retrieval and decision with their numbers, for evaluation and debugging."""
        state = self._current()
        retrieval = state.retriever.retrieve(question, vector=vector)
        return retrieval, judge(retrieval, state.snapshot, state.calibration)

    def answer(self, question: str) -> Answer:
        """answer, clarify or handoff for a customer's question."""
        question = (question or "").strip()
        if not question:
            return Answer("handoff", 0.0, None, None, None, None, None, [], "empty question")
        state = self._current()
        retrieval = state.retriever.retrieve(question)
        verdict = judge(retrieval, state.snapshot, state.calibration)
        passage = None
        if verdict.decision == "answer":
            top = retrieval.ranked[0].index
            passage = self._passage(state.snapshot, top, question, retrieval.vector)
        return build_answer(verdict, retrieval, state.snapshot, passage)

    def article(self, article_id: str) -> Candidate | None:
        """An article by id (a clarify button press names one), or None if unknown."""
        snapshot = self.snapshot
        index = snapshot.by_id.get(article_id)
        return None if index is None else snapshot.articles[index].candidate(1.0)

    def best_passage(self, article_id: str, question: str) -> str:
        """The section of `article_id` that best answers `question` ("" if unknown)."""
        snapshot = self.snapshot
        index = snapshot.by_id.get(article_id)
        if index is None:
            return ""
        return self._passage(snapshot, index, question, encode_query(question or article_id)[0])

    @staticmethod
    def _passage(snapshot: IndexSnapshot, article: int, question: str, vector: np.ndarray) -> str:
        """Best section by cosine, nudged by how many question words it contains."""
        chunks = snapshot.article_chunks(article)
        if not chunks:
            return snapshot.articles[article].title
        tokens = set(tokenize(question))
        scores = snapshot.section_vectors(article, encode) @ vector
        for i, chunk in enumerate(chunks):
            overlap = len(tokens & set(tokenize(chunk.text))) / len(tokens) if tokens else 0.0
            scores[i] += 0.1 * overlap
        return chunks[int(np.argmax(scores))].text


_cache: dict[Path, KnowledgeBase] = {}
_cache_lock = threading.Lock()


def load_knowledge_base(index_dir: Path | None = None) -> KnowledgeBase:
    """The process-wide knowledge base for `index_dir` (default: `default_index_dir()`)."""
    folder = Path(index_dir or store.default_index_dir()).resolve()
    with _cache_lock:
        kb = _cache.get(folder)
        if kb is None:
            kb = KnowledgeBase(folder)
            _cache[folder] = kb
        return kb
