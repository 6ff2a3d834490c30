"""The Content-Disposition of a download: the Chinese name for browsers that read RFC 6266's
filename*, and a readable ASCII name (not a string of underscores) for those that do not."""
from __future__ import annotations

from urllib.parse import quote


def attachment(name: str, ascii_name: str) -> str:
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
