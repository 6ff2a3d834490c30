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
    def from_questionnaire(cls, questionnaire: Questionnaire) -> ScoreMapping:
        return cls({p.code: p.score for p in questionnaire.scale.points if p.score is not None})

    @classmethod
    def linear(cls, questionnaire: Questionnaire) -> ScoreMapping:
        """Equally spaced scores: (rank - 1) / (k - 1) * 100, ranking the k scored codes from
        least to most satisfied by their questionnaire scores."""
        ordered = sorted((p for p in questionnaire.scale.points if p.score is not None), key=lambda p: p.score)
        k = len(ordered)
        return cls({p.code: i / (k - 1) * 100 for i, p in enumerate(ordered)})

    def table(self, n_codes: int) -> np.ndarray:
        return lookup_table(self.scores, n_codes)


def lookup_table(values: dict[int, float], n_codes: int) -> np.ndarray:
    """A lookup table from answer codes to values.

    Parameters
    ----------
    values : dict of code -> value
    n_codes : int
        At least this many codes (0..n_codes-1) get an entry.

    Returns
    -------
    1-D array of float
        The value of each code (NaN: no value), plus a last NaN that the empty code -1
        picks, so that ``table[codes]`` scores a whole int code matrix.
    """
    table = np.full(max(n_codes, max(values, default=-1) + 1) + 1, np.nan)
    for code, value in values.items():
        table[code] = value
    return table


def respondent_index(codes: np.ndarray, table: np.ndarray, item_weights: np.ndarray,
                     min_answered: int = 1) -> np.ndarray:
    """Each respondent's satisfaction index: the item-weighted mean of the answered items.

    Parameters
    ----------
    codes : (n, k) int array
        Answer codes, -1 = empty.
    table : 1-D array of float
        Score of each code (``lookup_table``); NaN = not answered (不了解).
    item_weights : (k,) array of float
    min_answered : int
        Fewer scored answers than this give NaN (no index).

    Returns
    -------
    (n,) array of float

    Notes
    -----
    index_i = sum_j w_j s_ij a_ij / sum_j w_j a_ij, with s = table[code] and a_ij = 1 where
    item j is answered: a missing item is left out rather than scored, so the index is on
    the same 0-100 scale whatever was answered.
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
