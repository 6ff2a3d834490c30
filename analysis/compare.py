"""Comparisons: each county against the whole, rank intervals, grades, the problem list."""
from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

Z95 = 1.959963984540054


def normal_p(z: np.ndarray) -> np.ndarray:
    """Two-sided p-value of a standard normal statistic."""
    return np.vectorize(lambda v: math.erfc(abs(v) / math.sqrt(2)) if np.isfinite(v) else np.nan,
                        otypes=[float])(z)


def difference_from_all(mean, se, mean_all, se_all, cov_with_all):
    """County minus overall, its SE (Var = v_c + v_all - 2 cov), and a two-sided p-value."""
    diff = mean - mean_all
    se_diff = np.sqrt(np.maximum(se ** 2 + se_all ** 2 - 2 * cov_with_all, 0))
    with np.errstate(invalid="ignore", divide="ignore"):
        return diff, se_diff, normal_p(diff / se_diff)


def ranks(mean: np.ndarray) -> np.ndarray:
    """1 = highest; ties share the better rank."""
    return np.array([1 + int(np.sum(mean > m)) for m in mean])


def rank_intervals(mean: np.ndarray, se: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """For each county, the ranks it could hold: its rank lies in [low, high] with
    probability at least `level` (Klein, Wright and Wieczorek 2020, individual intervals).

    A county cannot rank above a county significantly better than it, nor below one
    significantly worse: low = 1 + #significantly better, high = K - #significantly worse.
    Each county's K - 1 comparisons are tested two-sided at (1 - level) / (K - 1)
    (Bonferroni). Counties are independent strata, so Var(m_a - m_b) = se_a^2 + se_b^2.
    """
    k = len(mean)
    z = NormalDist().inv_cdf(1 - (1 - level) / (2 * max(k - 1, 1)))
    diff = mean[None, :] - mean[:, None]            # [c, j] = m_j - m_c
    spread = np.sqrt(se[None, :] ** 2 + se[:, None] ** 2)
    better = (diff > z * spread).sum(axis=1)
    worse = (-diff > z * spread).sum(axis=1)
    return 1 + better, k - worse


@dataclass(frozen=True)
class Grades:
    """Grade = the first label whose lower bound the index reaches (bounds descending)."""

    bounds: tuple[tuple[float, str], ...] = ((90.0, "优秀"), (80.0, "良好"), (70.0, "中等"), (float("-inf"), "较差"))

    def of(self, index: float) -> str:
        if not np.isfinite(index):
            return ""
        return next(label for bound, label in self.bounds if index >= bound)


def holm(p: np.ndarray) -> np.ndarray:
    """Holm step-down adjusted p-values."""
    p = np.asarray(p, dtype=float)
    order = np.argsort(p)
    m = len(p)
    adjusted = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1)
    return out


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (false discovery rate)."""
    p = np.asarray(p, dtype=float)
    m = len(p)
    order = np.argsort(p)[::-1]
    adjusted = np.minimum.accumulate(p[order] * m / (m - np.arange(m)))
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1)
    return out


ADJUSTMENTS = {"holm": holm, "bh": benjamini_hochberg}
