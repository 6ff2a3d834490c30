"""The error every layer of the app raises for a user's mistake."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    text: str          # Chinese, naming its line where it has one
    field: str = ""    # the form field it belongs to; "" for the form or file as a whole


class UserError(ValueError):
    """A user error with a Chinese message; nothing was changed. `problems` lists every problem
    found (one, unless the input was checked as a whole); str() lists them, one per line."""

    def __init__(self, message: str = "", problems: Sequence[Problem] = ()):
        self.problems = list(problems) or [Problem(message)]
        super().__init__(message or "\n".join(p.text for p in self.problems))

    @property
    def texts(self) -> list[str]:
        return [p.text for p in self.problems]
