"""The command line: exact commands and JSON fields other tools script against."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kb_index import IngestReport
from kb_index.cli import main

from .conftest import FIXTURES


def test_ask_json_output_fields(
    built: tuple[Path, IngestReport], capsys: pytest.CaptureFixture[str]
) -> None:
    index_dir, _ = built
    code = main(["ask", "how do I get a refund for my annual plan", "--index", str(index_dir),
                 "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert {"decision", "article_id", "title", "url", "passage", "confidence", "candidates"} <= set(data)
    assert data["decision"] in {"answer", "clarify", "handoff"}
    assert data["candidates"][0]["id"] == "refund-policy"
    assert {"id", "title", "score"} <= set(data["candidates"][0])


def test_ingest_prints_summary_with_skipped_files(
    tmp_path: Path, fixture_kb: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["ingest", str(fixture_kb), str(FIXTURES / "broken"), "--index", str(tmp_path)])
    assert code == 0
    out = capsys.readouterr().out
    assert "6 articles" in out
    assert "empty.md: empty file" in out


def test_ask_without_index_fails_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", "hello", "--index", str(tmp_path / "none")]) == 1
    assert "ingest" in capsys.readouterr().err


def test_index_defaults_to_environment(
    built: tuple[Path, IngestReport], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DESKMATE_KB_INDEX_DIR", str(built[0]))
    assert main(["ask", "connect my bank", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["candidates"][0]["id"] == "bank-feed"


def test_eval_json_reports_system_and_baselines(
    built: tuple[Path, IngestReport], capsys: pytest.CaptureFixture[str]
) -> None:
    index_dir, _ = built
    code = main(["eval", "--index", str(index_dir), "--labelled",
                 str(FIXTURES / "questions.csv"), "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data["systems"]) == {"fused", "dense", "bm25"}
    fused = data["systems"]["fused"]
    assert {"top1", "top3", "mrr", "latency_ms", "shipped", "cross_validated"} <= set(fused)
    assert {"precision", "coverage", "oos_human_recall"} <= set(fused["shipped"])
    assert fused["top1"] >= 0.8
    assert fused["shipped"]["oos_human_recall"] >= 0.8
    assert {"p50", "p95"} == set(fused["latency_ms"])
