"""Shared fixtures: a small knowledge base ingested once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kb_index import IngestReport, KnowledgeBase, ingest, load_knowledge_base

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def fixture_kb() -> Path:
    """The six well-formed fixture articles."""
    return FIXTURES / "kb"


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, fixture_kb: Path) -> tuple[Path, IngestReport]:
    """Fixture articles plus the broken files, ingested into a fresh index folder."""
    index_dir = tmp_path_factory.mktemp("index")
    report = ingest([fixture_kb, FIXTURES / "broken"], index_dir)
    return index_dir, report


@pytest.fixture(scope="session")
def kb(built: tuple[Path, IngestReport]) -> KnowledgeBase:
    """The query-side knowledge base over `built`."""
    return load_knowledge_base(built[0])


@pytest.fixture()
def kb_copy(tmp_path: Path, fixture_kb: Path) -> Path:
    """A writable copy of the fixture articles, for tests that edit them."""
    target = tmp_path / "kb"
    shutil.copytree(fixture_kb, target)
    return target
