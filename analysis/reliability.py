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
           n_strata: int) -> Moments:
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
    """Weighted Cronbach's alpha per county and overall.

    Parameters
    ----------
    moments : Moments
        Weighted moments of the respondents who answered every item.
    counties : array of str

    Returns
    -------
    Table
        county (last row ALL), alpha (NaN without complete responses or without spread),
        n_complete.

    Notes
    -----
    alpha = k / (k - 1) (1 - sum_j var_j / var(sum_j x_j)) with weighted variances (their
    scale cancels); with integer weights it equals the classic alpha of repeated rows
    (Cronbach 1951, Psychometrika 16(3)).
    """
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
    """Importance of each item: its weighted correlation with the index of the other items.

    Parameters
    ----------
    codes : (n, k) int array
    table : 1-D array of float
        Score of each code; NaN = not answered.
    weights : (n,) array of float
    item_weights : (k,) array of float

    Returns
    -------
    (k,) array of float

    Notes
    -----
    The "rest" index leaves the item out, so no item is correlated with itself
    (corrected item-total correlation); each correlation is over the respondents who
    answered the item and at least one other.
    """
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
    """Key drivers of an overall-satisfaction item: Johnson's relative weights.

    Parameters
    ----------
    moments : Moments
        Weighted moments of the respondents who answered every item (all counties are pooled).
    outcome : int
        Column of the outcome item.

    Returns
    -------
    shares : (k,) array of float
        Each other item's share of the R^2 (NaN at `outcome`; all NaN when undefined).
    r_squared : float
        R^2 of the weighted linear regression of the outcome on the other items.

    Notes
    -----
    With R the predictors' correlation matrix, Lambda = R^(1/2) and b = Lambda^(-1) r_xy
    (the regression on the orthogonal counterparts), item j's weight is
    sum_k Lambda_jk^2 b_k^2; the weights add up to the R^2 and share it fairly among
    correlated items (Johnson 2000, "A heuristic method for estimating the relative weight
    of predictor variables in multiple regression", Multivariate Behavioral Research 35(1)).
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


# The importance-performance quadrants by (important, performing), each split at the median.
QUADRANTS = {(True, False): "优先改进", (True, True): "继续保持", (False, False): "次要改进", (False, True): "维持现状"}


def importance_performance(item_ids, importance: np.ndarray, performance: np.ndarray) -> Table:
    """The importance-performance table, most important item first.

    Parameters
    ----------
    item_ids : sequence of str
    importance, performance : (k,) arrays of float
        Items without an importance (an outcome item) are left out.

    Returns
    -------
    Table
        item, importance, performance, quadrant: split at the medians, 优先改进 = important
        and below the median performance, 继续保持 = important and above, 次要改进 = neither
        important nor performing, 维持现状 = performing but less important.
    """
    rated = np.flatnonzero(np.isfinite(importance))
    importance, performance = importance[rated], performance[rated]
    high_importance = importance >= (np.median(importance) if len(rated) else 0)
    high_performance = performance >= (np.nanmedian(performance) if len(rated) else 0)
    quadrant = np.array([QUADRANTS[bool(i), bool(p)] for i, p in zip(high_importance, high_performance)], dtype=object)
    table = Table({"item": np.asarray(item_ids, dtype=object)[rated], "importance": importance,
                   "performance": performance, "quadrant": quadrant})
    return table.take(np.argsort(-importance, kind="stable"))
