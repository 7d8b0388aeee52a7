"""Ingest: versions on disk, skipped files, incremental re-embedding, live reload."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from kb_index import IngestReport, ingest, load_knowledge_base
from kb_index import knowledge_base as kb_module
from kb_index.ingest import IngestError
from kb_index.store import current_version_dir

from .conftest import FIXTURES


def test_ingest_writes_a_versioned_index(built: tuple[Path, IngestReport]) -> None:
    index_dir, report = built
    assert report.articles == 6
    assert report.added == 6
    live = current_version_dir(index_dir)
    assert live is not None and live.name == report.version
    assert (index_dir / "CURRENT").read_text().strip() == report.version
    meta = json.loads((live / "meta.json").read_text())
    examples = [a["examples"] for a in meta["articles"] if a["id"] == "reset-password"][0]
    assert examples == ["I forgot my password", "the reset email never arrived"]
    kinds = [kind for kind, _ in meta["keys"]]
    assert kinds.count("example") == 4  # example questions are keys of their article
    assert report.keys == len(kinds)


def test_broken_files_are_skipped_and_named(built: tuple[Path, IngestReport]) -> None:
    _, report = built
    assert sorted(Path(s.path).name for s in report.skipped) == [
        "bad-encoding.md", "broken-front-matter.md", "empty.md"
    ]
    assert "bad-encoding.md" in report.summary()


def test_nothing_readable_keeps_the_live_index(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="empty.md"):
        ingest([FIXTURES / "broken"], tmp_path)
    assert current_version_dir(tmp_path) is None


def test_reingest_embeds_only_changed_articles(tmp_path: Path, kb_copy: Path) -> None:
    first = ingest([kb_copy], tmp_path)
    page = kb_copy / "mobile-app.md"
    page.write_text(page.read_text() + "\nThe apps also work offline.\n", encoding="utf-8")
    (kb_copy / "bank-feed.md").unlink()
    second = ingest([kb_copy], tmp_path)
    assert (second.unchanged, second.updated, second.added, second.removed) == (4, 1, 0, 1)
    assert 0 < second.embedded < first.embedded
    assert second.version != first.version


def test_running_process_picks_up_a_new_version(
    tmp_path: Path, kb_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest([kb_copy], tmp_path)
    kb = load_knowledge_base(tmp_path)
    assert kb.article("vat-rates") is None
    (kb_copy / "vat-rates.md").write_text(
        "---\nid: vat-rates\ntitle: VAT rates on invoices\ncategory: billing\n"
        "url: https://help.example.test/vat\n---\n\nSet a VAT rate per invoice line.\n",
        encoding="utf-8",
    )
    ingest([kb_copy], tmp_path)
    kb.wait_for_new_version()
    found = kb.article("vat-rates")
    assert found is not None and found.title == "VAT rates on invoices"
    assert load_knowledge_base(tmp_path) is kb


def test_questions_are_answered_from_the_old_version_while_a_new_one_loads(
    tmp_path: Path, kb_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest([kb_copy], tmp_path)
    kb = load_knowledge_base(tmp_path)
    old_version = kb.version
    (kb_copy / "vat-rates.md").write_text(
        "---\nid: vat-rates\ntitle: VAT rates on invoices\ncategory: billing\n---\n\nSet a VAT rate.\n",
        encoding="utf-8",
    )
    ingest([kb_copy], tmp_path)

    release = threading.Event()
    real_load = kb_module.load_snapshot

    def held_load(folder: Path) -> object:
        release.wait(30)  # a large version takes seconds to load
        return real_load(folder)

    monkeypatch.setattr(kb_module, "load_snapshot", held_load)
    monkeypatch.setattr(kb_module, "RECHECK_SECONDS", 0.0)
    assert kb.answer("how do I connect paypal").candidates  # answered at once, not after the load
    assert kb.version == old_version and kb.article("vat-rates") is None
    release.set()
    kb.wait_for_new_version()
    assert kb.version != old_version and kb.article("vat-rates") is not None


def test_a_version_that_cannot_be_loaded_leaves_the_old_one_answering(
    tmp_path: Path, kb_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest([kb_copy], tmp_path)
    kb = load_knowledge_base(tmp_path)
    old_version = kb.version
    (kb_copy / "late-fees.md").write_text("---\nid: late-fees\ntitle: Late fees\n---\n\nCharge a fee.\n",
                                           encoding="utf-8")
    ingest([kb_copy], tmp_path)
    (current_version_dir(tmp_path) / "meta.json").write_text("{ not json", encoding="utf-8")
    kb.wait_for_new_version()
    assert kb.version == old_version
    assert kb.answer("how do I connect paypal").candidates


def test_html_and_faq_sources_are_searchable(tmp_path: Path) -> None:
    report = ingest([FIXTURES / "html", FIXTURES / "faq" / "faq.csv", FIXTURES / "faq" / "faq.jsonl"],
                    tmp_path)
    assert report.articles == 5
    assert [Path(s.path).name for s in report.skipped] == ["navigation-only.html"]
    kb = load_knowledge_base(tmp_path)
    assert kb.answer("add a penalty fee when a customer pays late").candidates[0].article_id == (
        "late-fees")
    assert kb.answer("are you open on sunday").candidates[0].article_id == "opening-hours"


def test_calibration_is_carried_to_the_next_version(tmp_path: Path, kb_copy: Path) -> None:
    from kb_index.cli import main

    ingest([kb_copy], tmp_path)
    assert main(["calibrate", "--index", str(tmp_path), "--labelled",
                 str(FIXTURES / "questions.csv"), "--folds", "3"]) == 0
    (kb_copy / "export-data.md").write_text(
        (kb_copy / "export-data.md").read_text() + "\nExports include deleted invoices.\n")
    report = ingest([kb_copy], tmp_path)
    assert report.updated == 1
    live = current_version_dir(tmp_path)
    assert live is not None
    assert (live / "calibration.json").exists()
    kb = load_knowledge_base(tmp_path)
    assert not kb.calibration.is_default
    assert kb.calibration.report["questions"] == 35


def test_fast_flag_is_still_accepted_and_builds_the_default_index(
    tmp_path: Path, fixture_kb: Path, built: tuple[Path, IngestReport]
) -> None:
    from kb_index.cli import main

    assert main(["ingest", str(fixture_kb), "--index", str(tmp_path), "--fast", "--json"]) == 0
    default = load_knowledge_base(built[0]).snapshot
    fast = load_knowledge_base(tmp_path).snapshot
    assert fast.key_kinds == default.key_kinds
    assert load_knowledge_base(tmp_path).answer(
        "the password reset email never arrived").candidates[0].article_id == "reset-password"


def test_a_large_index_gets_a_coarse_search_that_calibrate_keeps(
    tmp_path: Path, kb_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kb_index import snapshot
    from kb_index.cli import main

    monkeypatch.setattr(snapshot, "COARSE_MIN_KEYS", 10)  # the fixture KB has 22 keys
    ingest([kb_copy], tmp_path)
    assert main(["calibrate", "--index", str(tmp_path), "--labelled",
                 str(FIXTURES / "questions.csv"), "--folds", "3"]) == 0
    live = current_version_dir(tmp_path)
    assert live is not None and (live / "keys.ivf").exists()
    kb = load_knowledge_base(tmp_path)
    assert kb.snapshot.coarse is not None
    assert kb.answer("the password reset email never arrived").candidates[0].article_id == (
        "reset-password")
