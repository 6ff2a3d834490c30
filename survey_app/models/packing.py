"""The one codec of a stored response: answers as characters, quality flags as bits.

Answers are packed one character per question, in the order of the campaign's
questionnaire snapshot: ``attributes`` holds each attribute's option position,
``answers`` each item's scale code, written with the alphabet ``0-9a-z`` and ``.``
for "not asked / not answered". A million responses then decode in one vectorised
pass. The questionnaire loader keeps codes within the alphabet (``MAX_CODE``).
"""
from __future__ import annotations

import enum
import string
from collections.abc import Callable, Sequence

import numpy as np

from questionnaires.model import MAX_CODE

ALPHABET = (string.digits + string.ascii_lowercase)[:MAX_CODE + 1]
MISSING = "."

# Byte of each code 0..MAX_CODE, then of MISSING (picked by -1); code of each byte (-1: none).
_BYTE_OF_CODE = np.frombuffer((ALPHABET + MISSING).encode("ascii"), dtype=np.uint8)
_CODE_OF_BYTE = np.full(256, -1, dtype=np.int8)
_CODE_OF_BYTE[_BYTE_OF_CODE[:-1]] = np.arange(len(ALPHABET))


def pack(values: Sequence[int | None]) -> str:
    """One response's codes (None: not asked or not answered) as its stored text."""
    return "".join(MISSING if v is None else ALPHABET[v] for v in values)


def unpack(text: str) -> list[int | None]:
    return [None if code < 0 else int(code) for code in unpack_rows([text], len(text))[0]]


def pack_rows(codes: np.ndarray) -> np.ndarray:
    """Vectorised ``pack``: an int matrix (responses x questions, -1 = missing) -> texts."""
    chars = _BYTE_OF_CODE[np.where(codes < 0, -1, codes)]
    return chars.view(f"S{codes.shape[1]}").ravel().astype(str)


def unpack_rows(texts: Sequence[str], width: int) -> np.ndarray:
    """Vectorised ``unpack``: stored texts of one width -> int8 matrix, -1 = missing."""
    raw = np.frombuffer("".join(texts).encode("ascii"), dtype=np.uint8)
    return _CODE_OF_BYTE[raw].reshape(len(texts), width)


def translation(text_of: Callable[[int | None], str]) -> dict[int, str]:
    """A ``str.translate`` table that turns each stored character into ``text_of(code)``."""
    table = {ord(ch): text_of(code) for code, ch in enumerate(ALPHABET)}
    table[ord(MISSING)] = text_of(None)
    return table


class Flag(enum.IntFlag):
    """Quality flags, stored as a bit mask; no response is dropped for a flag.

    Each flag is exported as the column ``flag_<name>``; a new member needs nothing else.
    """

    SPEEDER = 1          # faster than the questionnaire's minimum time
    HONEYPOT = 2         # the hidden field was filled
    STRAIGHTLINE = 4     # every scored answer is the same (analysis.quality.straightlined)
    REPEAT_DEVICE = 8    # an earlier response came from the same device token
    ADDRESS_BURST = 16   # one of many responses from one address within 10 minutes (back-flagged too)
    FORM_BURST = 32      # its form page was one of many fetched from one address within a minute


def flag_columns() -> list[str]:
    return [f"flag_{flag.name.lower()}" for flag in Flag]


def flag_values(bits: np.ndarray) -> dict[str, np.ndarray]:
    """Column name -> 0/1 (int8) for each flag, from stored bit masks."""
    return {column: ((bits & flag.value) != 0).astype(np.int8) for column, flag in zip(flag_columns(), Flag)}


class FlagFields(dict):
    """Stored bit mask -> its CSV fields ("0,1,0,0"); only the masks that occur are built."""

    def __missing__(self, bits: int) -> str:
        text = ",".join("1" if bits & flag.value else "0" for flag in Flag)
        self[bits] = text
        return text
