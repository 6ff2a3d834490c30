"""File names made from what people typed (a county, a channel, a campaign): one name inside its folder.

`safe_file_name` is the one way such text becomes a file name (documents, ZIP entries, QR codes,
download names); `refusal` is the rule by which forms and files refuse such text when it is typed.
"""
from __future__ import annotations

import re

# Separators, characters Windows refuses in a name, and control characters.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_REFUSED = re.compile(r"[\\/\x00-\x1f\x7f]")
MAX_CHARACTERS = 80           # a Chinese character takes 3 of the 255 bytes a name may have


def safe_file_name(text: str) -> str:
    """`text` as a single file name on Linux and Windows: separators and other characters a system
    refuses become "_", leading and trailing dots and spaces go ("..", hidden files, what Windows
    drops), at most MAX_CHARACTERS long, never empty."""
    name = _UNSAFE.sub("_", str(text)).strip(" .")
    return name[:MAX_CHARACTERS].rstrip(" .") or "_"


def refusal(text: str) -> str | None:
    """Why `text` may not be typed as a name that files are named after (Chinese), or None."""
    if _REFUSED.search(text):
        return "不能包含 /、\\ 或控制字符"
    if text.startswith("."):
        return "不能以“.”开头"
    return None
