"""Weighted means by county and overall, with linearized standard errors."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.variance import NEGLIGIBLE, ClassSums, Design, Linear, stratum_covariances

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


@dataclass(frozen=True)
class Estimates:
    """The blocks of estimates a campaign's analysis reports, by name."""

    index: Means                  # the satisfaction index (one column)
    items: Means                  # each item's mean score (k columns, questionnaire order)
    satisfied: Means              # share satisfied x 100, per item
    dissatisfied: Means           # share dissatisfied x 100, per item
    domains: dict[str, Means]     # the index within each option of an attribute, by attribute id


def means(design: Design, y: np.ndarray | list[np.ndarray]) -> Means:
    """Weighted means of each column of y per county and overall, with linearized SEs.

    Parameters
    ----------
    design : Design
        Weights, strata (counties), clusters and raking margins.
    y : (n,) or (n, k) array, or a list of such blocks (taken side by side)
        NaN = not answered: the respondent is outside that column's domain.

    Returns
    -------
    Means
        n, mean, se, deff per county (S x k) and overall (k), and each county's covariance
        with the overall mean.

    Notes
    -----
    For the domain d of county h with weights w: mean = sum(w d y) / T_h, T_h = sum(w d),
    and the influence values x_i = w_i d_i (y_i - mean) / T_h; Var = kernel(residualized x),
    as R's ``svyby(~y, ~county, design, svymean, na.rm=TRUE)``; the overall mean likewise
    with ``svymean``. Counties are strata and raking cells lie within counties, so one
    column of influence values serves all county domains at once. The design effect is
    against simple random sampling with replacement (R: ``deff="replace"``).
    """
    classes = design.classes
    columns = y if isinstance(y, list) else [y]
    width = max(1, BLOCK_ELEMENTS // max(len(design.weights), 1))
    parts = []
    for part in (c.reshape(len(c), -1) for c in columns):
        for j in range(0, part.shape[1], width):
            values = part[:, j:j + width].astype(float)
            answered = ~np.isnan(values)
            values[~answered] = 0.0
            sums = ClassSums(classes.sums(answered), classes.sums(values), classes.sums(values * values))
            parts.append(_estimate(design, sums))
    return concat(*parts)


def code_means(design: Design, codes: np.ndarray, tables: list[np.ndarray]) -> list[Means]:
    """Means of table[code] for each column of an int code matrix, one Means per table.

    Parameters
    ----------
    design : Design
    codes : (n, k) int array
        Answer codes, -1 where empty.
    tables : list of 1-D float arrays
        The value of each code (NaN: not in the domain, i.e. not answered), plus a last
        NaN that the empty code -1 picks (``scoring.lookup_table``).

    Returns
    -------
    list of Means
        For each table, the k column means: the same as ``means(design, table[codes])``.

    Notes
    -----
    Counts of each code per class are all the estimator needs, so the work is one
    ``bincount`` per column whatever the number of tables.
    """
    classes = design.classes
    n_codes = len(tables[0]) - 1
    has = [~np.isnan(t[:n_codes]) for t in tables]
    value = [np.nan_to_num(t[:n_codes]) for t in tables]
    sums = [([], [], []) for _ in tables]
    for j in range(codes.shape[1]):
        code = np.where(codes[:, j] < 0, n_codes, codes[:, j])
        counts = np.bincount(classes.of_respondent * (n_codes + 1) + code,
                             minlength=len(classes.size) * (n_codes + 1)).reshape(-1, n_codes + 1)[:, :n_codes]
        for (d, dy, dyy), h, v in zip(sums, has, value):
            d.append(counts @ h)
            dy.append(counts @ v)
            dyy.append(counts @ v ** 2)
    return [_estimate(design, ClassSums(*(np.column_stack(s) for s in part))) for part in sums]


def domain_means(design: Design, y: np.ndarray, domain: np.ndarray, n_domains: int) -> Means:
    """Means of y within each of `n_domains` domains, per county and overall.

    Parameters
    ----------
    design : Design
    y : (n,) array of float
        NaN = missing.
    domain : (n,) int array
        The domain of each respondent, 0..n_domains-1; -1 = in none.
    n_domains : int

    Returns
    -------
    Means
        One column per domain: the same as ``means`` of the columns where(domain == j, y, NaN),
        i.e. R's ``svyby(~y, ~county + domain, design, svymean, na.rm=TRUE)``.
    """
    classes = design.classes
    width = n_domains + 1
    code = np.where((domain < 0) | np.isnan(y), n_domains, domain)
    key = classes.of_respondent * width + code
    y0 = np.nan_to_num(y)

    def table(weights=None):
        sums = np.bincount(key, weights=weights, minlength=len(classes.size) * width)
        return sums.reshape(-1, width)[:, :n_domains].astype(float)

    return _estimate(design, ClassSums(table(), table(y0), table(y0 * y0)))


def concat(*parts: Means) -> Means:
    """Estimates of several groups of variables side by side (columns concatenated)."""
    return Means(*(np.concatenate(fields, axis=-1) for fields in zip(*(
        [getattr(p, f) for f in Means.__dataclass_fields__] for p in parts))))


def _estimate(design: Design, sums: ClassSums) -> Means:
    classes = design.classes
    d, dy = sums.d, sums.dy
    w = classes.weight[:, None]
    total, weighted = classes.by_stratum(w * d), classes.by_stratum(w * dy)
    n = classes.by_stratum(d)
    total_all, n_all = total.sum(axis=0), n.sum(axis=0)
    stratum = classes.stratum
    with np.errstate(invalid="ignore", divide="ignore"):
        mean, mean_all = weighted / total, weighted.sum(axis=0) / total_all
        # x_i = w d_i (y_i - mean) / total (less the raking shift), as a + b y per class.
        county = _influence(classes, d, dy, -mean[stratum] / total[stratum], 1 / total[stratum],
                            bool(design.calibration))
        overall = _influence(classes, d, dy, np.broadcast_to(-mean_all / total_all, d.shape),
                             np.broadcast_to(1 / total_all, d.shape), bool(design.calibration))
        var = stratum_covariances(classes, sums, county, county)
        # Strata of a single PSU add nothing they could estimate; if no stratum can, the
        # overall variance is unknown, not 0.
        by_stratum = stratum_covariances(classes, sums, overall, overall)
        var_all = np.where(np.isnan(by_stratum).all(axis=0), np.nan, np.nansum(by_stratum, axis=0))
        cov = stratum_covariances(classes, sums, county, overall)
        weighted_squares = classes.by_stratum(w * sums.dyy)
        squares = weighted_squares - mean * weighted      # sum w d (y - mean)^2
        s2 = squares / total * n / (n - 1)
        s2_all = (np.nansum(squares + mean ** 2 * total, axis=0) - mean_all ** 2 * total_all) \
            / total_all * n_all / (n_all - 1)
        # Answers that do not vary leave only rounding in these: 0 spread, no design effect.
        # The element variance comes from sums of squares less squared sums, which cancel
        # to about 1e-16 of the mean square; the variance of a mean is far smaller still.
        size2, size2_all = weighted_squares / total, np.nansum(weighted_squares, axis=0) / total_all
        var = _rounding_as_zero(var, NEGLIGIBLE ** 2 * size2)
        var_all = _rounding_as_zero(var_all, NEGLIGIBLE ** 2 * size2_all)
        s2, s2_all = _rounding_as_zero(s2, NEGLIGIBLE * size2), _rounding_as_zero(s2_all, NEGLIGIBLE * size2_all)
        deff = np.where(s2 > 0, var / (s2 / n), np.nan)
        deff_all = np.where(s2_all > 0, var_all / (s2_all / n_all), np.nan)
    return Means(n, mean, np.sqrt(var), deff, n_all, mean_all, np.sqrt(var_all), deff_all, cov)


def _rounding_as_zero(variance: np.ndarray, rounding: np.ndarray) -> np.ndarray:
    """A variance at or below its rounding size (or below zero) is 0."""
    return np.where(variance <= rounding, 0.0, variance)


def _influence(classes, d, dy, a, b, calibrated: bool) -> Linear:
    shift = classes.raking_shift(a * d + b * dy) if calibrated else None
    return Linear(a, b, shift)


def kish_effective_n(weights: np.ndarray, strata: np.ndarray, n_strata: int) -> np.ndarray:
    """Kish's effective sample size of each stratum, from the weights alone.

    Parameters
    ----------
    weights : (n,) array of float
    strata : (n,) int array
        Stratum 0..n_strata-1 of each respondent.
    n_strata : int

    Returns
    -------
    (n_strata,) array of float
        n_eff = (sum w)^2 / sum w^2 (Kish 1965, Survey Sampling, section 11.7). It ignores
        clustering; the design effect of an estimate does not.
    """
    return np.bincount(strata, weights=weights, minlength=n_strata) ** 2 / np.bincount(
        strata, weights=weights ** 2, minlength=n_strata)
