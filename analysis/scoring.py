"""Answer codes -> 0..100 item scores -> each respondent's weighted index."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from questionnaires import Questionnaire


@dataclass(frozen=True)
class ScoreMapping:
    """Score of each answer code; codes absent from the mapping count as not answered."""

    scores: dict[int, float]

    @classmethod
    def from_questionnaire(cls, questionnaire: Questionnaire) -> "ScoreMapping":
        return cls({p.code: p.score for p in questionnaire.scale.points if p.score is not None})

    @classmethod
    def linear(cls, questionnaire: Questionnaire) -> "ScoreMapping":
        """(rank - 1) / (k - 1) * 100, ranking the scored codes from least to most satisfied."""
        scored = sorted(p for p in questionnaire.scale.points if p.score is not None)
        ordered = sorted(scored, key=lambda p: p.score)
        k = len(ordered)
        return cls({p.code: i / (k - 1) * 100 for i, p in enumerate(ordered)})

    def apply(self, codes: np.ndarray) -> np.ndarray:
        """Float scores, NaN where the code has no score (不了解, empty)."""
        return recode(codes, self.scores)


def recode(codes: np.ndarray, values: dict[int, float], dtype=np.float64) -> np.ndarray:
    """Each answer code (int, -1 = empty) replaced by its value; NaN for empty codes and codes
    without a value."""
    size = max(values, default=0) + 2
    table = np.full(size, np.nan, dtype=dtype)
    for code, value in values.items():
        table[code] = value
    index = np.where((codes < 0) | (codes >= size - 1), size - 1, codes)
    return table[index]


def respondent_index(scores: np.ndarray, item_weights: np.ndarray, min_answered: int = 1) -> np.ndarray:
    """Item-weighted mean of the answered item scores; NaN below min_answered answered items.

    index_i = sum_j w_j s_ij 1[answered] / sum_j w_j 1[answered]
    """
    answered = ~np.isnan(scores)
    weighted = np.where(answered, scores, 0.0) @ item_weights
    total = answered @ item_weights
    with np.errstate(invalid="ignore", divide="ignore"):
        index = weighted / total
    index[answered.sum(axis=1) < min_answered] = np.nan
    return index
