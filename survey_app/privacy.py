"""Addresses and device tokens are never stored, only keyed and truncated hashes of them."""
from __future__ import annotations

import hashlib
import hmac


def keyed_hash(secret: str, kind: str, value: str) -> str:
    """A keyed, truncated hash: enough to spot repeats, useless to recover the value."""
    return hmac.new(secret.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:16]


def address_hash(key: str, address: str) -> str:
    """A client address as stored and exported; `key` is kept away from the database."""
    return keyed_hash(key, "ip", address)
