"""Signed links to a ticket's public status page, so only the customer who got the link sees it."""

import hashlib
import hmac

from handoff.settings import get_settings


def sign(number: int) -> str:
    """The signature for ticket `number` (HMAC-SHA256 with the configured secret, shortened)."""
    secret = get_settings().secret_key.encode()
    return hmac.new(secret, f"ticket:{number}".encode(), hashlib.sha256).hexdigest()[:32]


def verify(number: int, signature: str) -> bool:
    """Whether `signature` is the right one for ticket `number` (constant-time comparison)."""
    return hmac.compare_digest(sign(number), signature or "")


def status_url(number: int) -> str:
    """The customer's status page URL (absolute when a public URL is configured)."""
    base = get_settings().public_url.rstrip("/")
    return f"{base}/status/{number}?sig={sign(number)}"
