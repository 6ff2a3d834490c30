"""Reliability (weighted Cronbach's alpha) and key drivers (importance vs performance).

Both read item scores as ``table[codes]`` a column or a block of rows at a time, so no
respondents x items matrix of floats is ever held whole.
"""
from __future__ import annotations

import numpy as np

from analysis.table import Table

ROWS_PER_CHUNK = 100_000


def cronbach_table(codes: np.ndarray, table: np.ndarray, weights: np.ndarray, strata: np.ndarray,
                   counties: np.ndarray) -> Table:
    """Weighted alpha per county and overall, over respondents who answered every item:
    k/(k-1) (1 - sum_j var_j / var_total), the variances weighted (their scale cancels)."""
    k, size = codes.shape[1], len(counties)
    count, total = np.zeros(size), np.zeros(size)
    first, second = np.zeros((size, k)), np.zeros((size, k, k))
    for start in range(0, len(codes), ROWS_PER_CHUNK):
        x = table[codes[start:start + ROWS_PER_CHUNK]]
        complete = ~np.isnan(x).any(axis=1)
        x, w = x[complete], weights[start:start + ROWS_PER_CHUNK][complete]
        stratum = strata[start:start + ROWS_PER_CHUNK][complete]
        for c in np.unique(stratum):
            rows = stratum == c
            xc, wc = x[rows], w[rows]
            count[c] += len(xc)
            total[c] += wc.sum()
            first[c] += wc @ xc
            second[c] += (xc.T * wc) @ xc
    alpha = [_alpha(total[c], first[c], second[c]) for c in range(size)]
    alpha.append(_alpha(total.sum(), first.sum(axis=0), second.sum(axis=0)))
    return Table({"county": np.append(np.asarray(counties, dtype=object), "ALL"), "alpha": np.array(alpha),
                  "n_complete": np.append(count, count.sum()).astype(np.int64)})


def _alpha(total: float, first: np.ndarray, second: np.ndarray) -> float:
    if total <= 0:
        return float("nan")
    mean = first / total
    cov = second / total - np.outer(mean, mean)
    k = len(first)
    return float(k / (k - 1) * (1 - np.trace(cov) / cov.sum()))


def drivers(codes: np.ndarray, table: np.ndarray, weights: np.ndarray, item_ids, item_weights: np.ndarray,
            performance: np.ndarray) -> Table:
    """Importance = weighted correlation of each item with the index of the *other* items
    (so an item is not correlated with itself); performance = its overall mean score.
    Quadrants split at the medians: 优先改进 = important and below the median."""
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
        total, mx, mr, xr, xx, rr = sums[0], *(sums[1:] / sums[0])
        importance = (xr - mx * mr) / np.sqrt((xx - mx ** 2) * (rr - mr ** 2))
    high_importance = importance >= np.nanmedian(importance)
    high_performance = performance >= np.nanmedian(performance)
    quadrant = np.select([high_importance & ~high_performance, high_importance & high_performance,
                          ~high_importance & ~high_performance], ["优先改进", "继续保持", "次要改进"], "维持现状")
    table = Table({"item": np.asarray(item_ids, dtype=object), "importance": importance,
                   "performance": performance, "quadrant": quadrant.astype(object)})
    return table.take(np.argsort(-np.nan_to_num(importance, nan=-np.inf), kind="stable"))
