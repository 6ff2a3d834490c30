"""Answer codes -> 0..100 item scores -> each respondent's weighted index."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

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
        """Float scores, NaN where the code has no score (不了解, missing)."""
        lookup = np.full(max(max(self.scores), 0) + 2, np.nan)
        for code, score in self.scores.items():
            lookup[code] = score
        safe = np.where(np.isnan(codes) | (codes < 0) | (codes >= len(lookup) - 1), -1, codes)
        return lookup[safe.astype(np.int64)]


def item_codes(frame: pd.DataFrame, item_ids: list[str]) -> np.ndarray:
    return frame[item_ids].astype("float64").to_numpy()


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
