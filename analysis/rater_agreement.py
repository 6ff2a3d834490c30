"""Inter-rater reliability of an expert panel: the intraclass correlation, absolute agreement.

Targets (county x evaluation point) are scored by the same raters (experts); targets and
raters are random effects (two-way random, Shrout & Fleiss 1979 "ICC(2,1)" and "ICC(2,k)",
McGraw & Wong 1996 "ICC(A,1)" and "ICC(A,k)"; R: ``irr::icc(x, "twoway", "agreement")`` and
the ICC2 / ICC2k rows of ``psych::ICC``).

Missing scores (an expert who declared a conflict of interest with a county) are handled
as irr does: a target without every rater's score is dropped (listwise), and the number
dropped is reported.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Icc:
    """ICC(A,1) and ICC(A,k) with the F test of ICC = 0 and the confidence bounds."""

    single: float           # ICC(A,1): reliability of one rater's score
    average: float          # ICC(A,k): reliability of the mean of the k raters' scores
    f_value: float          # MSR / MSE
    df1: int                # n - 1
    df2: int                # (n - 1)(k - 1)
    p_value: float          # H0: ICC = 0 (the same test for both)
    single_lower: float
    single_upper: float
    average_lower: float
    average_upper: float
    n_targets: int          # targets used (scored by every rater)
    n_raters: int
    n_dropped: int          # targets left out for a missing score


def agreement_icc(ratings, confidence: float = 0.95) -> Icc:
    """ICC(A,1) and ICC(A,k) of a targets x raters matrix of scores (NaN = not scored).

    Raises
    ------
    ValueError
        Fewer than 2 raters, or fewer than 2 targets scored by every rater.

    Notes
    -----
    From the two-way ANOVA mean squares of targets (MSR), raters (MSC) and error (MSE):
    ICC(A,1) = (MSR - MSE) / (MSR + (k - 1) MSE + k (MSC - MSE) / n) and
    ICC(A,k) = (MSR - MSE) / (MSR + (MSC - MSE) / n). The test of ICC = 0 is
    F = MSR / MSE on (n - 1, (n - 1)(k - 1)) df. The bounds of ICC(A,1) are McGraw &
    Wong's (1996, Psychological Methods 1(1), Table 7) with Satterthwaite's df v at the
    ICC(A,1) estimate; those of ICC(A,k) are their Spearman-Brown transform, the same
    formulas with the same v (psych::ICC). irr::icc agrees on the estimates, F and the
    ICC(A,1) bounds, but evaluates v at ICC(A,k) for the ICC(A,k) bounds and takes v as
    the test's df2 (its p-values are larger).
    """
    x, n_dropped = _complete_targets(np.asarray(ratings, dtype=float))
    n, k = x.shape
    msr, msc, mse = _mean_squares(x)
    single = (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n)
    average = (msr - mse) / (msr + (msc - mse) / n)
    df1, df2 = n - 1, (n - 1) * (k - 1)
    f_value = msr / mse
    lower, upper = _single_bounds(msr, msc, mse, n, k, single, 1 - confidence)
    return Icc(single=float(single), average=float(average), f_value=float(f_value), df1=df1, df2=df2,
               p_value=float(stats.f.sf(f_value, df1, df2)), single_lower=lower, single_upper=upper,
               average_lower=_spearman_brown(lower, k), average_upper=_spearman_brown(upper, k),
               n_targets=n, n_raters=k, n_dropped=n_dropped)


def _complete_targets(ratings: np.ndarray) -> tuple[np.ndarray, int]:
    if ratings.ndim != 2:
        raise ValueError(f"ratings must be a targets x raters matrix, got {ratings.ndim} dimension(s)")
    if ratings.shape[1] < 2:
        raise ValueError(f"the ICC needs at least 2 raters, got {ratings.shape[1]}")
    complete = ~np.isnan(ratings).any(axis=1)
    if complete.sum() < 2:
        raise ValueError(f"the ICC needs at least 2 targets scored by every rater, got {complete.sum()} "
                         f"of {len(ratings)}")
    return ratings[complete], int((~complete).sum())


def _mean_squares(x: np.ndarray) -> tuple[float, float, float]:
    """Mean squares of targets (rows), raters (columns) and error of the two-way ANOVA."""
    n, k = x.shape
    grand = x.mean()
    ss_rows = k * ((x.mean(axis=1) - grand) ** 2).sum()
    ss_columns = n * ((x.mean(axis=0) - grand) ** 2).sum()
    ss_error = ((x - grand) ** 2).sum() - ss_rows - ss_columns
    return ss_rows / (n - 1), ss_columns / (k - 1), ss_error / ((n - 1) * (k - 1))


def _single_bounds(msr: float, msc: float, mse: float, n: int, k: int, icc: float,
                   alpha: float) -> tuple[float, float]:
    """McGraw & Wong's bounds of ICC(A,1), Satterthwaite's df at the estimate `icc`."""
    a = k * icc
    b = n * (1 + (k - 1) * icc) - k * icc
    v = (a * msc + b * mse) ** 2 / ((a * msc) ** 2 / (k - 1) + (b * mse) ** 2 / ((n - 1) * (k - 1)))
    f_lower = stats.f.ppf(1 - alpha / 2, n - 1, v)
    f_upper = stats.f.ppf(1 - alpha / 2, v, n - 1)
    c = k * msc + (k * n - k - n) * mse
    lower = n * (msr - f_lower * mse) / (f_lower * c + n * msr)
    upper = n * (f_upper * msr - mse) / (c + n * f_upper * msr)
    return float(lower), float(upper)


def _spearman_brown(icc: float, k: int) -> float:
    """The reliability of the mean of k raters from that of one."""
    return k * icc / (1 + (k - 1) * icc)
