"""Inter-rater reliability of an expert panel: the intraclass correlation, absolute agreement.

Targets (county x evaluation point) are scored by the same raters (experts); targets and
raters are random effects (two-way random, Shrout & Fleiss 1979 "ICC(2,1)" and "ICC(2,k)",
McGraw & Wong 1996 "ICC(A,1)" and "ICC(A,k)"; R: ``irr::icc(x, "twoway", "agreement")`` and
the ICC2 / ICC2k rows of ``psych::ICC``).

Missing scores (an expert who declared a conflict of interest with a county):

- ``method="anova"`` (the default) does as irr::icc: a target without every rater's score
  is dropped (listwise) and counted; the result is the classic ANOVA one, exactly as R's.
- ``method="reml"`` does as ``psych::ICC(x, lmer=TRUE)``: the variance components of
  targets, raters and error are estimated by REML (the crossed random-effects model of
  lme4's ``lmer(score ~ 1 + (1 | target) + (1 | rater))``) from every score given. A
  conflict drops no other expert's scores of that county, and the missingness is by
  design (declared before scoring), so the estimates stay unbiased. On complete data it
  equals the ANOVA estimates unless one of those is negative (REML stops at 0). The F
  test and bounds then use the mean squares the components imply for the n x k design
  (MSR = k s2_target + s2_error, MSC = n s2_rater + s2_error, MSE = s2_error), as psych
  does: approximate when scores are missing.

Use "reml" when "anova" drops targets (``n_dropped > 0``), "anova" otherwise.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import linalg, optimize, stats


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
    n_targets: int          # targets used: scored by every rater ("anova"), by any ("reml")
    n_raters: int
    n_dropped: int          # targets left out for a missing score


def agreement_icc(ratings, confidence: float = 0.95, method: str = "anova") -> Icc:
    """ICC(A,1) and ICC(A,k) of a targets x raters matrix of scores (NaN = not scored).

    Parameters
    ----------
    ratings : (targets, raters) array of float
    confidence : float
    method : {"anova", "reml"}
        Mean squares of the targets scored by every rater, or implied by the REML
        variance components of every score (see the module's docstring).

    Raises
    ------
    ValueError
        Fewer than 2 raters, a rater who scored no target, fewer than 2 targets scored by
        every rater ("anova") or by any ("reml"), or an unknown method.

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
    if method not in ("anova", "reml"):
        raise ValueError(f"method must be 'anova' or 'reml', got {method!r}")
    x, n_dropped = _scored_targets(_check(np.asarray(ratings, dtype=float)), every_rater=method == "anova")
    n, k = x.shape
    msr, msc, mse = _mean_squares(x) if method == "anova" else _reml_mean_squares(x)
    single = (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n)
    average = (msr - mse) / (msr + (msc - mse) / n)
    df1, df2 = n - 1, (n - 1) * (k - 1)
    f_value = msr / mse
    lower, upper = _single_bounds(msr, msc, mse, n, k, single, 1 - confidence)
    return Icc(single=float(single), average=float(average), f_value=float(f_value), df1=df1, df2=df2,
               p_value=float(stats.f.sf(f_value, df1, df2)), single_lower=lower, single_upper=upper,
               average_lower=_spearman_brown(lower, k), average_upper=_spearman_brown(upper, k),
               n_targets=n, n_raters=k, n_dropped=n_dropped)


def _check(ratings: np.ndarray) -> np.ndarray:
    if ratings.ndim != 2:
        raise ValueError(f"ratings must be a targets x raters matrix, got {ratings.ndim} dimension(s)")
    if ratings.shape[1] < 2:
        raise ValueError(f"the ICC needs at least 2 raters, got {ratings.shape[1]}")
    silent = np.flatnonzero(np.isnan(ratings).all(axis=0))
    if len(silent):
        raise ValueError(f"rater(s) {', '.join(map(str, silent))} (0-based columns) scored no target")
    return ratings


def _scored_targets(ratings: np.ndarray, every_rater: bool) -> tuple[np.ndarray, int]:
    """The targets scored by every rater (or by any), and how many others there are."""
    scored = ~np.isnan(ratings)
    keep = scored.all(axis=1) if every_rater else scored.any(axis=1)
    if keep.sum() < 2:
        raise ValueError(f"the ICC needs at least 2 targets scored by {'every' if every_rater else 'any'} rater, "
                         f"got {keep.sum()} of {len(ratings)}")
    return ratings[keep], int((~keep).sum())


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


def _reml_mean_squares(x: np.ndarray) -> tuple[float, float, float]:
    """The mean squares of an n x k design implied by the REML variance components."""
    n, k = x.shape
    target, rater = np.nonzero(~np.isnan(x))
    z = np.hstack([np.eye(n)[target], np.eye(k)[rater]])
    y = x[target, rater]
    ztz, zty = z.T @ z, z.T @ y
    fit = optimize.minimize(lambda theta: _reml_fit(theta, ztz, zty, y, n)[0], np.ones(2), method="Nelder-Mead",
                            bounds=[(0, None)] * 2, options=dict(xatol=1e-10, fatol=1e-12))
    s2_error = _reml_fit(fit.x, ztz, zty, y, n)[1]
    s2_target, s2_rater = fit.x ** 2 * s2_error
    return k * s2_target + s2_error, n * s2_rater + s2_error, s2_error


def _reml_fit(theta: np.ndarray, ztz: np.ndarray, zty: np.ndarray, y: np.ndarray,
              n_targets: int) -> tuple[float, float]:
    """lme4's profiled REML deviance of y = mu + target + rater + error, and the error variance.

    Notes
    -----
    z holds a 0/1 column per target and per rater; theta the target's and the rater's SD
    relative to the error's. With Lambda = diag(theta) over z's columns, mu and the
    spherical random effects u solve the penalized least squares of y - mu - z Lambda u
    and u, whose residual r2 gives the error variance r2 / (N - 1) (Bates et al. 2015,
    "Fitting linear mixed-effects models using lme4", J. Stat. Softw. 67(1), sections
    3.4-3.6 with one fixed effect).
    """
    scale = np.repeat(theta, [n_targets, len(zty) - n_targets])
    factor = linalg.cho_factor(ztz * np.outer(scale, scale) + np.eye(len(scale)), lower=True)
    zl_one, zl_y = scale * np.diag(ztz), scale * zty      # Lambda z'1 (0/1 columns), Lambda z'y
    rx2 = len(y) - zl_one @ linalg.cho_solve(factor, zl_one)
    mu = (y.sum() - zl_one @ linalg.cho_solve(factor, zl_y)) / rx2
    b = zl_y - mu * zl_one
    r2 = ((y - mu) ** 2).sum() - b @ linalg.cho_solve(factor, b)
    dof = len(y) - 1
    log_det = 2 * np.log(np.diag(factor[0])).sum()
    return log_det + np.log(rx2) + dof * (1 + np.log(2 * np.pi * r2 / dof)), r2 / dof
