"""Comparisons: each county against the whole, rank intervals, grades, the problem list."""
from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

Z95 = 1.959963984540054


def normal_p(z: np.ndarray) -> np.ndarray:
    """Two-sided p-values of standard normal statistics.

    Parameters
    ----------
    z : array of float
        Test statistics; NaN or infinite values give NaN.

    Returns
    -------
    array of float
        p = erfc(|z| / sqrt(2)) = 2 (1 - Phi(|z|)), as ``scipy.stats.norm.sf(|z|) * 2``.
    """
    return np.vectorize(lambda v: math.erfc(abs(v) / math.sqrt(2)) if np.isfinite(v) else np.nan,
                        otypes=[float])(z)


def difference_from_all(mean, se, mean_all, se_all, cov_with_all):
    """Each county's difference from the overall figure, with its SE and a two-sided p-value.

    Parameters
    ----------
    mean, se : arrays (counties, or counties x k)
        County estimates and their standard errors.
    mean_all, se_all : float or array (k)
        The overall estimate and its standard error.
    cov_with_all : array like `mean`
        Covariance of each county's estimate with the overall one (the county is part of it).

    Returns
    -------
    diff, se_diff, p : arrays like `mean`

    Notes
    -----
    Var(m_c - m) = v_c + v - 2 cov(m_c, m); R: ``svycontrast(svyby(...), ...)`` on the joint
    covariance of ``svyby(..., covmat=TRUE)`` and ``svymean``. The p-value is from the normal
    distribution of diff / se_diff.
    """
    diff = mean - mean_all
    se_diff = np.sqrt(np.maximum(se ** 2 + se_all ** 2 - 2 * cov_with_all, 0))
    with np.errstate(invalid="ignore", divide="ignore"):
        return diff, se_diff, normal_p(diff / se_diff)


def ranks(mean: np.ndarray) -> np.ndarray:
    """Ranks of the counties, 1 = highest; ties share the better rank.

    Parameters
    ----------
    mean : 1-D array of float

    Returns
    -------
    1-D int array
        1 + the number of counties with a strictly higher mean.
    """
    return np.array([1 + int(np.sum(mean > m)) for m in mean])


def rank_intervals(mean: np.ndarray, se: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """For each county, the ranks it could hold.

    Parameters
    ----------
    mean, se : 1-D arrays of float
        County estimates and standard errors (NaN SE: the county is never significantly apart).
    level : float
        Probability that each county's true rank lies in its interval.

    Returns
    -------
    low, high : 1-D int arrays

    Notes
    -----
    A county cannot rank above a county significantly better than it, nor below one
    significantly worse: low = 1 + #significantly better, high = K - #significantly worse.
    Each county's K - 1 comparisons are tested two-sided at (1 - level) / (K - 1)
    (Bonferroni), which gives individual intervals of at least that coverage (Klein,
    Wright and Wieczorek 2020, "A joint confidence region for an overall ranking of
    populations", JRSS C 69(3)). Counties are independent strata, so
    Var(m_a - m_b) = se_a^2 + se_b^2.
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
    """Holm's step-down adjusted p-values (family-wise error rate).

    Parameters
    ----------
    p : 1-D array of float

    Returns
    -------
    1-D array of float
        With p sorted ascending, p_adj(i) = max over j <= i of min(1, (m - j + 1) p(j)).
        Equals ``statsmodels.stats.multitest.multipletests(p, method="holm")``.
    """
    p = np.asarray(p, dtype=float)
    order = np.argsort(p)
    m = len(p)
    adjusted = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1)
    return out


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (false discovery rate).

    Parameters
    ----------
    p : 1-D array of float

    Returns
    -------
    1-D array of float
        With p sorted ascending, p_adj(i) = min over j >= i of min(1, m p(j) / j).
        Equals ``statsmodels.stats.multitest.multipletests(p, method="fdr_bh")``.
    """
    p = np.asarray(p, dtype=float)
    m = len(p)
    order = np.argsort(p)[::-1]
    adjusted = np.minimum.accumulate(p[order] * m / (m - np.arange(m)))
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1)
    return out


ADJUSTMENTS = {"holm": holm, "bh": benjamini_hochberg}
