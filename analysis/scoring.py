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
        ordered = sorted((p for p in questionnaire.scale.points if p.score is not None), key=lambda p: p.score)
        k = len(ordered)
        return cls({p.code: i / (k - 1) * 100 for i, p in enumerate(ordered)})

    def table(self, n_codes: int) -> np.ndarray:
        return lookup_table(self.scores, n_codes)


def lookup_table(values: dict[int, float], n_codes: int) -> np.ndarray:
    """Value of each code 0..n_codes-1 (NaN: no value), plus a last NaN that the empty
    code -1 picks: ``table[codes]`` scores a whole int code matrix."""
    table = np.full(max(n_codes, max(values, default=-1) + 1) + 1, np.nan)
    for code, value in values.items():
        table[code] = value
    return table


def respondent_index(codes: np.ndarray, table: np.ndarray, item_weights: np.ndarray,
                     min_answered: int = 1) -> np.ndarray:
    """Item-weighted mean of the answered item scores; NaN below min_answered answered items.

    index_i = sum_j w_j s_ij 1[answered] / sum_j w_j 1[answered], with s = table[code].
    """
    weighted = np.zeros(len(codes))
    total = np.zeros(len(codes))
    answered = np.zeros(len(codes), dtype=np.int64)
    for j, weight in enumerate(item_weights):
        score = table[codes[:, j]]
        has = ~np.isnan(score)
        weighted += np.where(has, score, 0.0) * weight
        total += has * weight
        answered += has
    with np.errstate(invalid="ignore", divide="ignore"):
        index = weighted / total
    index[answered < min_answered] = np.nan
    return index
