"""Weighted means by county and overall, with linearized standard errors."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.variance import Design, residualize, stratum_covariances

BLOCK = 8  # columns of influence values held in memory at once


@dataclass(frozen=True)
class Means:
    """Estimates for k variables: per county (S x k) and over all counties (k)."""

    n: np.ndarray
    mean: np.ndarray
    se: np.ndarray
    deff: np.ndarray
    n_all: np.ndarray
    mean_all: np.ndarray
    se_all: np.ndarray
    deff_all: np.ndarray
    cov_with_all: np.ndarray  # covariance of each county's mean with the overall mean (S x k)

    def with_all(self, name: str) -> np.ndarray:
        """A per-county field with the overall value appended as a last row ((S + 1) x k)."""
        return np.vstack([getattr(self, name), getattr(self, name + "_all")[None, :]])


def means(design: Design, y: np.ndarray) -> Means:
    """Domain means of each column of y (n x k; NaN = not answered, outside the domain).

    For domain d with weights w: mean = sum(w d y) / sum(w d), influence
    x_i = w_i d_i (y_i - mean) / sum(w d); Var = kernel(residualized x), as
    R's ``svyby(~y, ~county, design, svymean, na.rm=TRUE)`` and ``svymean``.
    Counties are strata and raking cells lie within counties, so one column of
    influence values serves all county domains at once.
    """
    y = np.atleast_2d(y.T).T
    blocks = [_block(design, y[:, j:j + BLOCK]) for j in range(0, y.shape[1], BLOCK)]
    return Means(*(np.concatenate(parts, axis=-1) for parts in zip(*blocks)))


def _block(design: Design, y: np.ndarray):
    strata, n_strata = design.strata, design.n_strata
    answered = ~np.isnan(y)
    y0 = np.where(answered, y, 0.0)
    w = design.weights[:, None] * answered
    total = _sums(strata, w, n_strata)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = _sums(strata, w * y0, n_strata) / total
        x_county = np.where(answered, w * (y0 - mean[strata]) / total[strata], 0.0)
    total_all = w.sum(axis=0)
    mean_all = (w * y0).sum(axis=0) / total_all
    x_all = w * (y0 - mean_all) / total_all
    r_county, r_all = residualize(design, x_county), residualize(design, x_all)
    var = stratum_covariances(design, r_county, r_county)
    var_all = stratum_covariances(design, r_all, r_all).sum(axis=0)
    cov = stratum_covariances(design, r_county, r_all)
    n = _sums(strata, answered.astype(float), n_strata)
    n_all = n.sum(axis=0)
    # Design effect against simple random sampling with replacement (R: deff="replace").
    with np.errstate(invalid="ignore", divide="ignore"):
        s2 = _sums(strata, w * (y0 - mean[strata]) ** 2, n_strata) / total * n / (n - 1)
        s2_all = (w * (y0 - mean_all) ** 2).sum(axis=0) / total_all * n_all / (n_all - 1)
        deff, deff_all = var / (s2 / n), var_all / (s2_all / n_all)
    return (n, mean, np.sqrt(var), deff, n_all, mean_all, np.sqrt(var_all), deff_all, cov)


def _sums(cells: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    return np.stack([np.bincount(cells, weights=values[:, j], minlength=size)
                     for j in range(values.shape[1])], axis=1)


def kish_effective_n(weights: np.ndarray, strata: np.ndarray, n_strata: int) -> np.ndarray:
    """(sum w)^2 / sum w^2 per stratum."""
    return np.bincount(strata, weights=weights, minlength=n_strata) ** 2 / np.bincount(
        strata, weights=weights ** 2, minlength=n_strata)
