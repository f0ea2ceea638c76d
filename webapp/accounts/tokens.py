"""The one rule for API token text: how a token is made and how it is hashed for storage."""

import hashlib
import secrets

TOKEN_PREFIX = "tst_"
TOKEN_PREFIX_SHOWN = 8  # characters kept in the clear (the "tst_" mark and four random ones)


def token_generate() -> str:
    """Return a new random token: ``tst_`` and 43 URL-safe characters (256 bits)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(raw: str) -> str:
    """Return the SHA-256 hex digest under which a token is stored and looked up."""
    return hashlib.sha256(raw.encode()).hexdigest()
