"""Attributes and their categories named as the questionnaire words them, for notes a reader gets
(the codes, where there is no questionnaire to name them)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from questionnaires import Questionnaire


@dataclass(frozen=True)
class Wording:
    questions: dict[str, str] = field(default_factory=dict)            # attribute -> its question
    options: dict[str, dict[str, str]] = field(default_factory=dict)   # attribute -> option id -> label

    @classmethod
    def of(cls, questionnaire: Questionnaire | None) -> Wording:
        if questionnaire is None:
            return cls()
        return cls({a.id: a.question for a in questionnaire.attributes},
                   {a.id: {o.id: o.label for o in a.options} for a in questionnaire.attributes})

    def attribute(self, variable: str) -> str:
        return f"“{self.questions[variable]}”" if variable in self.questions else variable

    def attributes(self, variables: Iterable[str]) -> str:
        return "、".join(self.attribute(v) for v in variables)

    def category(self, variable: str, category: str) -> str:
        return f"“{self.options.get(variable, {}).get(str(category), category)}”"

    def cell(self, variable: str, category: str) -> str:
        """e.g. “您居住在”为“农村”"""
        return f"{self.attribute(variable)}为{self.category(variable, category)}"
