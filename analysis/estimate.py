"""Weighted means by county and overall, with linearized standard errors."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.variance import Design, Linear, stratum_covariances

BLOCK_ELEMENTS = 4_000_000  # respondents x columns held in one working array


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


def means(design: Design, y: np.ndarray | list[np.ndarray]) -> Means:
    """Domain means of each column of y (n x k, or a list of such blocks side by side;
    NaN = not answered, outside the domain).

    Notes
    -----
    For the domain d of county h with weights w: mean = sum(w d y) / T_h, T_h = sum(w d),
    and the influence values x_i = w_i d_i (y_i - mean) / T_h; Var = kernel(residualized x),
    as R's ``svyby(~y, ~county, design, svymean, na.rm=TRUE)``; the overall mean likewise
    with ``svymean``. Counties are strata and raking cells lie within counties, so one
    column of influence values serves all county domains at once. The design effect is
    against simple random sampling with replacement (R: ``deff="replace"``).
    """
    columns = y if isinstance(y, list) else [y]
    width = max(1, BLOCK_ELEMENTS // max(len(design.weights), 1))
    blocks = [_block(design, part[:, j:j + width])
              for part in (c.reshape(len(c), -1) for c in columns)
              for j in range(0, part.shape[1], width)]
    return Means(*(np.concatenate(parts, axis=-1) for parts in zip(*blocks)))


def _block(design: Design, y: np.ndarray):
    classes = design.classes
    y = y.astype(float)
    answered = ~np.isnan(y)
    y0 = np.where(answered, y, 0.0)
    sums = d, dy, _ = classes.sums(answered), classes.sums(y0), classes.sums(y0 * y0)
    w = classes.weight[:, None]
    total, weighted = classes.by_stratum(w * d), classes.by_stratum(w * dy)
    n = classes.by_stratum(d)
    total_all, n_all = total.sum(axis=0), n.sum(axis=0)
    stratum = classes.stratum
    with np.errstate(invalid="ignore", divide="ignore"):
        mean, mean_all = weighted / total, weighted.sum(axis=0) / total_all
        # x_i = w d_i (y_i - mean) / total (less the raking shift), as a + b y per class.
        county = _influence(classes, d, dy, -mean[stratum] / total[stratum], 1 / total[stratum],
                            design.calibration)
        overall = _influence(classes, d, dy, np.broadcast_to(-mean_all / total_all, d.shape),
                             np.broadcast_to(1 / total_all, d.shape), design.calibration)
        var = stratum_covariances(classes, sums, county, county)
        var_all = np.nansum(stratum_covariances(classes, sums, overall, overall), axis=0)
        cov = stratum_covariances(classes, sums, county, overall)
        squares = classes.by_stratum(w * sums[2]) - mean * weighted      # sum w d (y - mean)^2
        s2 = squares / total * n / (n - 1)
        s2_all = (np.nansum(squares + mean ** 2 * total, axis=0) - mean_all ** 2 * total_all) \
            / total_all * n_all / (n_all - 1)
        deff, deff_all = var / (s2 / n), var_all / (s2_all / n_all)
    return (n, mean, np.sqrt(var), deff, n_all, mean_all, np.sqrt(var_all), deff_all, cov)


def _influence(classes, d, dy, a, b, calibrated: bool) -> Linear:
    shift = classes.raking_shift(a * d + b * dy) if calibrated else None
    return Linear(a, b, shift)


def kish_effective_n(weights: np.ndarray, strata: np.ndarray, n_strata: int) -> np.ndarray:
    """(sum w)^2 / sum w^2 per stratum."""
    return np.bincount(strata, weights=weights, minlength=n_strata) ** 2 / np.bincount(
        strata, weights=weights ** 2, minlength=n_strata)
