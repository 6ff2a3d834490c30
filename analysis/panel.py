"""Expert panels: every expert of a first-level indicator's panel scores each of its points for each
county. Per county and point: the panel's score and spread, the scores far from the panel's median
(settled in a consensus step), and per first-level indicator the panel's agreement (ICC).

Scores come in long form, one row per (county, point, expert); a county an expert declared a conflict
with has no row. Points are on their own scales (0..max): spreads and distances are compared as
shares of the point's maximum.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.rater_agreement import Icc, agreement_icc

OUTLIER_SHARE = 0.2      # a score this share of the point's maximum from the panel's median is an outlier


@dataclass(frozen=True)
class Scores:
    """Experts' scores in long form (arrays of one length) and the points' maxima."""

    county: np.ndarray       # county index 0..C-1
    point: np.ndarray        # point index 0..P-1
    expert: np.ndarray       # expert index 0..E-1
    score: np.ndarray        # float, 0..max of its point
    max_score: np.ndarray    # (P,) each point's maximum
    n_counties: int


@dataclass(frozen=True)
class Panel:
    """Per county and point (C x P arrays); NaN where no expert scored."""

    n: np.ndarray            # experts who scored
    mean: np.ndarray
    median: np.ndarray
    sd: np.ndarray           # between experts (ddof 1; NaN for one expert)
    se: np.ndarray           # of the mean, experts seen as drawn from all who could have scored: sd / sqrt(n)
    outlier: np.ndarray      # bool, one per score row: far from its panel's median


def summarise(scores: Scores, outlier_share: float = OUTLIER_SHARE) -> Panel:
    """The panel's mean, median, spread and outliers of each county and point."""
    shape = (scores.n_counties, len(scores.max_score))
    cell = scores.county * shape[1] + scores.point
    size = shape[0] * shape[1]
    n = np.bincount(cell, minlength=size).astype(float)
    total = np.bincount(cell, scores.score, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / n
        squares = np.bincount(cell, (scores.score - mean[cell]) ** 2, minlength=size)
        sd = np.where(n > 1, np.sqrt(squares / (n - 1)), np.nan)
        se = sd / np.sqrt(n)
    median = _medians(cell, scores.score, size)
    outlier = np.abs(scores.score - median[cell]) > outlier_share * scores.max_score[scores.point] + 1e-9
    return Panel(n.reshape(shape), mean.reshape(shape), median.reshape(shape), sd.reshape(shape),
                 se.reshape(shape), outlier)


def _medians(cell: np.ndarray, score: np.ndarray, size: int) -> np.ndarray:
    median = np.full(size, np.nan)
    order = np.lexsort((score, cell))
    cells, starts, counts = np.unique(cell[order], return_index=True, return_counts=True)
    for c, start, count in zip(cells, starts, counts):
        median[c] = np.median(score[order][start:start + count])
    return median


def agreement(scores: Scores, points: np.ndarray) -> Icc:
    """The ICC of one panel over the given points (a first-level indicator's): targets are county x point,
    raters the experts; scores as shares of their point's maximum. A declared conflict leaves a cell
    empty, and the REML estimate then uses every other score (analysis.rater_agreement)."""
    chosen = np.isin(scores.point, points)
    county, point, expert = scores.county[chosen], scores.point[chosen], scores.expert[chosen]
    share = scores.score[chosen] / scores.max_score[point]
    experts, column = np.unique(expert, return_inverse=True)
    targets, row = np.unique(county * len(scores.max_score) + point, return_inverse=True)
    matrix = np.full((len(targets), len(experts)), np.nan)
    matrix[row, column] = share
    complete = not np.isnan(matrix).any()
    return agreement_icc(matrix, method="anova" if complete else "reml")
