"""Reliability (weighted Cronbach's alpha) and key drivers (importance vs performance).

All read item scores as ``table[codes]`` a block of rows at a time, so no respondents x
items matrix of floats is ever held whole.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.table import Table

ROWS_PER_CHUNK = 100_000


@dataclass(frozen=True)
class Moments:
    """Weighted moments of the item scores of respondents who answered every item, per county."""

    count: np.ndarray     # respondents (S)
    total: np.ndarray     # sum of weights (S)
    first: np.ndarray     # sum w x (S x k)
    second: np.ndarray    # sum w x x' (S x k x k)

    @classmethod
    def of(cls, codes: np.ndarray, table: np.ndarray, weights: np.ndarray, strata: np.ndarray,
           n_strata: int) -> "Moments":
        k = codes.shape[1]
        moments = cls(np.zeros(n_strata), np.zeros(n_strata), np.zeros((n_strata, k)),
                      np.zeros((n_strata, k, k)))
        for start in range(0, len(codes), ROWS_PER_CHUNK):
            x = table[codes[start:start + ROWS_PER_CHUNK]]
            complete = ~np.isnan(x).any(axis=1)
            x, w = x[complete], weights[start:start + ROWS_PER_CHUNK][complete]
            stratum = strata[start:start + ROWS_PER_CHUNK][complete]
            for c in np.unique(stratum):
                rows = stratum == c
                xc, wc = x[rows], w[rows]
                moments.count[c] += len(xc)
                moments.total[c] += wc.sum()
                moments.first[c] += wc @ xc
                moments.second[c] += (xc.T * wc) @ xc
        return moments


def _covariance(total: float, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    mean = first / total
    return second / total - np.outer(mean, mean)


def cronbach_table(moments: Moments, counties: np.ndarray) -> Table:
    """Weighted alpha per county and overall, over respondents who answered every item:
    k/(k-1) (1 - sum_j var_j / var_total), the variances weighted (their scale cancels)."""
    m = moments
    alpha = [_alpha(m.total[c], m.first[c], m.second[c]) for c in range(len(counties))]
    alpha.append(_alpha(m.total.sum(), m.first.sum(axis=0), m.second.sum(axis=0)))
    return Table({"county": np.append(np.asarray(counties, dtype=object), "ALL"), "alpha": np.array(alpha),
                  "n_complete": np.append(m.count, m.count.sum()).astype(np.int64)})


def _alpha(total: float, first: np.ndarray, second: np.ndarray) -> float:
    if total <= 0:
        return float("nan")
    cov = _covariance(total, first, second)
    k = len(first)
    if not cov.sum() > 0:   # no spread in the total score (e.g. everyone answers alike): undefined
        return float("nan")
    return float(k / (k - 1) * (1 - np.trace(cov) / cov.sum()))


def correlation_with_rest(codes: np.ndarray, table: np.ndarray, weights: np.ndarray,
                          item_weights: np.ndarray) -> np.ndarray:
    """Weighted correlation of each item with the index of the *other* items (so an item
    is not correlated with itself), over the respondents who answered both."""
    k = codes.shape[1]
    sums = np.zeros((6, k))    # sum over answering respondents of w, w x, w r, w x r, w x^2, w r^2
    for start in range(0, len(codes), ROWS_PER_CHUNK):
        x = table[codes[start:start + ROWS_PER_CHUNK]]
        answered = ~np.isnan(x)
        x[~answered] = 0.0
        weighted = x * item_weights
        rest_weight = (answered @ item_weights)[:, None] - answered * item_weights
        ok = answered & (rest_weight > 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            rest = np.where(ok, (weighted.sum(axis=1)[:, None] - weighted) / rest_weight, 0.0)
        w = weights[start:start + ROWS_PER_CHUNK][:, None] * ok
        sums += [w.sum(axis=0), (w * x).sum(axis=0), (w * rest).sum(axis=0), (w * x * rest).sum(axis=0),
                 (w * x * x).sum(axis=0), (w * rest * rest).sum(axis=0)]
    with np.errstate(invalid="ignore", divide="ignore"):
        mx, mr, xr, xx, rr = sums[1:] / sums[0]
        return (xr - mx * mr) / np.sqrt((xx - mx ** 2) * (rr - mr ** 2))


def relative_weights(moments: Moments, outcome: int) -> tuple[np.ndarray, float]:
    """Johnson's (2000) relative weights of the other items in the weighted linear regression
    of item `outcome` on them (respondents who answered every item, all counties): each
    item's share of the R^2, fair to correlated items. Returns the shares (NaN at
    `outcome`) and the R^2.

    With R the predictors' correlation matrix, Lambda = R^(1/2) and b = Lambda^(-1) r_xy
    (the regression on the orthogonal counterparts), item j's weight is sum_k Lambda_jk^2 b_k^2;
    the weights add up to the R^2.
    """
    shares = np.full(moments.first.shape[1], np.nan)
    total = moments.total.sum()
    cov = _covariance(total, moments.first.sum(axis=0), moments.second.sum(axis=0)) if total > 0 else None
    if cov is None or (np.diag(cov) <= 0).any():   # no complete responses, or an item nobody varies on
        return shares, float("nan")
    scale = np.sqrt(np.diag(cov))
    corr = cov / np.outer(scale, scale)
    others = np.delete(np.arange(len(corr)), outcome)
    values, vectors = np.linalg.eigh(corr[np.ix_(others, others)])
    root = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T
    b = np.linalg.lstsq(root, corr[others, outcome], rcond=None)[0]
    raw = (root ** 2) @ (b ** 2)
    r_squared = float(raw.sum())
    shares[others] = raw / r_squared
    return shares, r_squared


def importance_performance(item_ids, importance: np.ndarray, performance: np.ndarray) -> Table:
    """Items by importance, with quadrants split at the medians: 优先改进 = important and
    performing below the median. Items without an importance (an outcome item) are left out."""
    rated = np.flatnonzero(np.isfinite(importance))
    importance, performance = importance[rated], performance[rated]
    high_importance = importance >= (np.median(importance) if len(rated) else 0)
    high_performance = performance >= (np.nanmedian(performance) if len(rated) else 0)
    quadrant = np.select([high_importance & ~high_performance, high_importance & high_performance,
                          ~high_importance & ~high_performance], ["优先改进", "继续保持", "次要改进"], "维持现状")
    table = Table({"item": np.asarray(item_ids, dtype=object)[rated], "importance": importance,
                   "performance": performance, "quadrant": quadrant.astype(object)})
    return table.take(np.argsort(-importance, kind="stable"))
