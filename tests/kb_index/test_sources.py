"""Reading Markdown sources and reporting the ones that cannot be read."""

from __future__ import annotations

from pathlib import Path

from kb_index.sources import read_sources

from .conftest import FIXTURES


def test_markdown_front_matter_is_read(fixture_kb: Path) -> None:
    articles, skipped = read_sources([fixture_kb])
    assert skipped == []
    by_id = {a.id: a for a in articles}
    assert set(by_id) == {
        "reset-password", "refund-policy", "export-data", "invite-team", "bank-feed", "mobile-app"
    }
    reset = by_id["reset-password"]
    assert reset.title == "Reset a forgotten password"
    assert reset.category == "account"
    assert reset.url == "https://help.example.test/reset-password"
    assert reset.examples == ("I forgot my password", "the reset email never arrived")
    assert by_id["export-data"].examples == ()


def test_unreadable_files_are_skipped_by_name_with_reason() -> None:
    articles, skipped = read_sources([FIXTURES / "broken"])
    assert articles == []
    reasons = {Path(s.path).name: s.reason for s in skipped}
    assert set(reasons) == {"bad-encoding.md", "broken-front-matter.md", "empty.md"}
    assert "encoding" in reasons["bad-encoding.md"]
    assert "front matter" in reasons["broken-front-matter.md"]
    assert "empty" in reasons["empty.md"]


def test_duplicate_ids_and_missing_paths_are_reported(tmp_path: Path, fixture_kb: Path) -> None:
    copy = tmp_path / "again.md"
    copy.write_text((fixture_kb / "mobile-app.md").read_text(encoding="utf-8"), encoding="utf-8")
    articles, skipped = read_sources([fixture_kb, copy, tmp_path / "missing"])
    assert len(articles) == 6
    reasons = {Path(s.path).name: s.reason for s in skipped}
    assert "duplicate article id 'mobile-app'" in reasons["again.md"]
    assert reasons["missing"] == "no such file or folder"


def test_html_page_keeps_text_and_drops_navigation_and_scripts() -> None:
    articles, skipped = read_sources([FIXTURES / "html"])
    assert [Path(s.path).name for s in skipped] == ["navigation-only.html"]
    (page,) = articles
    assert page.title == "Charge a late fee on overdue invoices"
    assert page.url == "https://help.example.test/late-fees"
    assert page.category == "invoicing"
    assert "## Turn on late fees" in page.body
    assert "- Choose a fixed amount or a percentage." in page.body
    for noise in ("analytics", "Sign in", "Related articles", "Copyright", "color: red"):
        assert noise not in page.body


def test_faq_rows_become_articles_with_their_questions_as_examples() -> None:
    articles, skipped = read_sources([FIXTURES / "faq"])
    assert [(Path(s.path).name, s.reason) for s in skipped] == [
        ("broken.jsonl", "line 1: invalid JSON (Expecting value)")
    ]
    by_id = {a.id: a for a in articles}
    hours = by_id["opening-hours"]
    assert hours.title == "Support opening hours"
    assert hours.examples == ("When is support open?", "what time do you open",
                              "are you open on weekends", "Can I call you on Saturday?")
    assert by_id["api-keys"].examples == ("generate an api token", "developer key")
    student = by_id["do-you-have-a-student-discount"]
    assert student.title == "Do you have a student discount?"
    assert student.body.startswith("Students get 50% off")
    assert "is-there-a-sandbox-for-testing-the-api" in by_id
