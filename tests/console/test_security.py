"""CSRF tokens, safe redirects and safe links."""

from bot.console.routes.login import safe_next
from bot.console.security import csrf_token_for, tokens_match
from bot.console.templating import safe_url


def test_csrf_token_is_bound_to_the_session() -> None:
    assert csrf_token_for("session-a") == csrf_token_for("session-a")
    assert csrf_token_for("session-a") != csrf_token_for("session-b")
    assert "session-a" not in csrf_token_for("session-a")


def test_tokens_match_refuses_missing_and_wrong_tokens() -> None:
    expected = csrf_token_for("session-a")
    assert tokens_match(expected, expected)
    assert not tokens_match(expected, None)
    assert not tokens_match(expected, "")
    assert not tokens_match("", "")
    assert not tokens_match(expected, csrf_token_for("session-b"))


def test_after_sign_in_only_console_paths_are_followed() -> None:
    assert safe_next("/console/tickets/1001") == "/console/tickets/1001"
    for hostile in (
        "https://evil.example/",
        "//evil.example/console",
        "/console\\@evil",
        "/docs",
        "",
        None,
        "/console/login?next=/console",
    ):
        assert safe_next(hostile) == "/console/tickets"


def test_only_http_links_reach_an_href() -> None:
    assert safe_url("https://help.example/a") == "https://help.example/a"
    assert safe_url("/console/tickets") == "/console/tickets"
    for hostile in (
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "data:text/html,x",
        "//evil.example",
        "http:/x",
        None,
    ):
        assert safe_url(hostile) == ""
