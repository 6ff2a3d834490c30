"""Frozen definitions of a questionnaire: what is asked and how answers score."""
from __future__ import annotations

from dataclasses import dataclass, field

# Answers are stored one character per question (survey_app.models.packing): scale codes
# and attribute option positions must fit its alphabet of MAX_CODE + 1 characters.
MAX_CODE = 35


@dataclass(frozen=True)
class ScalePoint:
    code: int
    label: str
    score: float | None  # None: the code counts as not answered (不了解/不适用)


@dataclass(frozen=True)
class Scale:
    points: tuple[ScalePoint, ...]
    not_applicable: int | None
    satisfied: frozenset[int]
    dissatisfied: frozenset[int]

    @property
    def codes(self) -> tuple[int, ...]:
        return tuple(p.code for p in self.points)

    @property
    def scored_codes(self) -> tuple[int, ...]:
        """Codes that carry a score (not 不了解/不适用)."""
        return tuple(p.code for p in self.points if p.score is not None)

    def score_of(self, code: int) -> float | None:
        for point in self.points:
            if point.code == code:
                return point.score
        raise KeyError(code)


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    topic: str
    weight: float


@dataclass(frozen=True)
class Option:
    id: str
    label: str


@dataclass(frozen=True)
class Attribute:
    id: str
    question: str
    options: tuple[Option, ...]
    # Asked only when another attribute has one of these option ids.
    applies_if: tuple[tuple[str, frozenset[str]], ...] = ()

    @property
    def option_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.options)

    def applies(self, answers: dict[str, str | None]) -> bool:
        return all(answers.get(attr) in allowed for attr, allowed in self.applies_if)


# Bounds of an open question's answer (characters): a resident's few sentences, never an essay.
MAX_COMMENT_LENGTH = 1000
COMMENT_FIELD = "comment"        # its form field and export column; no attribute or item may take the id


@dataclass(frozen=True)
class Comment:
    """An optional open question at the end ("您对本地教育还有什么意见和建议？"): never required,
    its answer at most `max_length` characters."""

    question: str
    max_length: int


@dataclass(frozen=True)
class QualityRules:
    min_seconds: int
    min_items_answered: int


@dataclass(frozen=True)
class Questionnaire:
    id: str
    version: str
    title: str
    introduction: str
    estimated_minutes: int
    scale: Scale
    attributes: tuple[Attribute, ...]
    items: tuple[Item, ...]
    quality: QualityRules
    comment: Comment | None = None      # the open question, if the questionnaire asks one
    source: dict = field(compare=False, repr=False, hash=False, default_factory=dict)

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.items)

    @property
    def attribute_ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.attributes)

    def attribute(self, attribute_id: str) -> Attribute:
        return next(a for a in self.attributes if a.id == attribute_id)
