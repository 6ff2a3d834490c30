"""Reliability (weighted Cronbach's alpha) and key drivers (importance vs performance)."""
from __future__ import annotations

import numpy as np
import pandas as pd


def cronbach_alpha(scores: np.ndarray, weights: np.ndarray) -> tuple[float, int]:
    """Weighted alpha over respondents who answered every item: k/(k-1) (1 - sum var_j / var_total).

    The variances are weighted; their common scale factor cancels in the ratio.
    """
    complete = ~np.isnan(scores).any(axis=1)
    x, w = scores[complete], weights[complete]
    k = x.shape[1]
    if len(x) < 2:
        return float("nan"), int(len(x))
    centred = x - (w @ x) / w.sum()
    cov = (centred.T * w) @ centred
    return float(k / (k - 1) * (1 - np.trace(cov) / cov.sum())), int(len(x))


def cronbach_table(scores, weights, strata, county_codes) -> pd.DataFrame:
    rows = [(code, *cronbach_alpha(scores[strata == c], weights[strata == c]))
            for c, code in enumerate(county_codes)]
    rows.append(("ALL", *cronbach_alpha(scores, weights)))
    return pd.DataFrame(rows, columns=["county", "alpha", "n_complete"])


def _weighted_corr(x, y, w) -> float:
    mx, my = np.average(x, weights=w), np.average(y, weights=w)
    cov = np.average((x - mx) * (y - my), weights=w)
    return float(cov / np.sqrt(np.average((x - mx) ** 2, weights=w) * np.average((y - my) ** 2, weights=w)))


def drivers(scores, index, weights, item_ids, item_weights, performance) -> pd.DataFrame:
    """Importance = weighted correlation of each item with the index of the *other* items
    (so an item is not correlated with itself); performance = its overall mean score.
    Quadrants split at the medians: 优先改进 = important and below the median."""
    answered = ~np.isnan(scores)
    filled = np.where(answered, scores, 0.0)
    sum_all, weight_all = filled @ item_weights, answered @ item_weights
    importance = []
    for j in range(scores.shape[1]):
        rest_weight = weight_all - answered[:, j] * item_weights[j]
        ok = answered[:, j] & (rest_weight > 0)
        rest = (sum_all[ok] - filled[ok, j] * item_weights[j]) / rest_weight[ok]
        importance.append(_weighted_corr(filled[ok, j], rest, weights[ok]) if ok.sum() > 1 else np.nan)
    table = pd.DataFrame({"item": item_ids, "importance": importance, "performance": performance})
    high_importance = table["importance"] >= table["importance"].median()
    high_performance = table["performance"] >= table["performance"].median()
    table["quadrant"] = np.select(
        [high_importance & ~high_performance, high_importance & high_performance,
         ~high_importance & ~high_performance], ["优先改进", "继续保持", "次要改进"], "维持现状")
    return table.sort_values("importance", ascending=False).reset_index(drop=True)
