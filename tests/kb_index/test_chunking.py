"""Splitting articles into sections by heading."""

from __future__ import annotations

from kb_index.chunking import chunk_article, clean_markdown
from kb_index.models import Article

BODY = """# Reset a forgotten password

Intro paragraph.

## Send a link

Select **Forgot password** and follow [the link](https://x.test/a).

### On the phone

Tap the button.

```
# not a heading
```

## Empty section

## Last
Done.
"""


def _article(body: str = BODY) -> Article:
    return Article(id="reset", title="Reset a forgotten password", body=body)


def test_chunks_follow_headings_and_drop_the_title_heading() -> None:
    chunks = chunk_article(_article())
    assert [c.heading for c in chunks] == [
        "",
        "Send a link",
        "Send a link > On the phone",
        "Last",
    ]
    assert chunks[0].text == "Intro paragraph."
    assert all(c.article_id == "reset" for c in chunks)


def test_code_fences_are_not_headings() -> None:
    phone = chunk_article(_article())[2]
    assert "# not a heading" in phone.text


def test_markdown_syntax_is_cleaned_for_passages() -> None:
    send = chunk_article(_article())[1]
    assert send.text == "Select Forgot password and follow the link."
    assert clean_markdown("| a | b |\n|---|---|\n| 1 | 2 |") == "a | b\n1 | 2"


def test_embed_text_carries_title_and_heading() -> None:
    send = chunk_article(_article())[1]
    assert send.embed_text("Reset a forgotten password").startswith(
        "Reset a forgotten password. Send a link\n"
    )


def test_long_sections_are_split_on_paragraphs() -> None:
    paragraph = " ".join(["word"] * 70)
    body = "## Long\n\n" + "\n\n".join([paragraph] * 4)
    chunks = chunk_article(_article(body), max_words=150)
    assert len(chunks) == 2
    assert all(len(c.text.split()) <= 150 for c in chunks)
    assert all(c.heading == "Long" for c in chunks)


def test_article_without_sections_gets_one_chunk() -> None:
    chunks = chunk_article(_article("# Only a title"))
    assert len(chunks) == 1
