"""The combined evaluation score of each county: the points' panel scores by the scheme's weights, the
satisfaction survey's index by its component weight, less core-data deductions; with its uncertainty,
rank intervals and grade.

    total = points_share / 100 * sum_p w_p * s_p / max_p  +  satisfaction_share / 100 * index  -  deductions

with the points' weights w_p summing to 100 and the two shares to 100, so that total is on 0..100.

Uncertainty: each point's panel score is a mean of experts (se = sd / sqrt(n), n - 1 df); the index has
the survey's se and df; deductions are fixed. The parts are independent, so their variances add, and
the total's degrees of freedom are Welch-Satterthwaite's, sum(v)^2 / sum(v^2 / df). A part without a
spread (one expert, a unanimous panel) adds no variance.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis import compare, student_t


@dataclass(frozen=True)
class Parts:
    """Per county (C) and point (P); NaN where a point has no panel score."""

    point_score: np.ndarray       # (C, P) the panel's score (after consensus)
    point_se: np.ndarray          # (C, P)
    point_df: np.ndarray          # (C, P) experts - 1
    max_score: np.ndarray         # (P,)
    weight: np.ndarray            # (P,) summing to 100
    index: np.ndarray             # (C,) the survey's satisfaction index, 0..100
    index_se: np.ndarray          # (C,)
    index_df: np.ndarray          # (C,)
    deduction: np.ndarray         # (C,) points taken off for core data
    points_share: float           # e.g. 90
    satisfaction_share: float     # e.g. 10


@dataclass(frozen=True)
class Combined:
    """Per county (C arrays)."""

    points_part: np.ndarray
    satisfaction_part: np.ndarray
    deduction: np.ndarray
    total: np.ndarray
    se: np.ndarray
    df: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    rank: np.ndarray
    rank_low: np.ndarray
    rank_high: np.ndarray
    grade: np.ndarray             # object: the grade's label
    grade_span: np.ndarray        # object: the grade and the others the interval reaches


def combine(parts: Parts, grades: compare.Grades, level: float = 0.95) -> Combined:
    """Each county's combined score with its interval, possible ranks and grade."""
    scale = parts.points_share / 100 * parts.weight / parts.max_score            # (P,) points per score unit
    points_part = (parts.point_score * scale).sum(axis=1)
    satisfaction_part = parts.satisfaction_share / 100 * parts.index
    total = points_part + satisfaction_part - parts.deduction
    point_var = np.nan_to_num((parts.point_se * scale) ** 2)
    index_var = np.nan_to_num((parts.satisfaction_share / 100 * parts.index_se) ** 2)
    variance = point_var.sum(axis=1) + index_var
    with np.errstate(invalid="ignore", divide="ignore"):
        spread = (np.where(point_var > 0, point_var ** 2 / parts.point_df, 0).sum(axis=1)
                  + np.where(index_var > 0, index_var ** 2 / parts.index_df, 0))
        df = np.where(spread > 0, variance ** 2 / spread, np.inf)
    se = np.sqrt(variance)
    half = student_t.quantile(1 - (1 - level) / 2, df) * se
    low, high = np.clip(total - half, 0, 100), np.clip(total + half, 0, 100)
    rank_low, rank_high = compare.rank_intervals(total, se, df, level)
    return Combined(points_part, satisfaction_part, parts.deduction, total, se, df, low, high,
                    compare.ranks(total), rank_low, rank_high,
                    np.array([grades.of(t) for t in total], dtype=object),
                    np.array([grades.span(*v) for v in zip(total, low, high)], dtype=object))
