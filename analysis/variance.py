"""Taylor linearization: one variance kernel for every estimate.

Influence values are residualized against the raking margins as R's survey package
does for a design from ``rake()`` (``svyrecvar``: ten sweeps of
``x <- x - w * ave(x / w, margin)``), then summed within clusters and compared within
strata (``onestage``, with replacement).

Respondents who share a stratum, a joint raking cell (one cell of every margin), a
cluster and a weight are interchangeable in all of that: a sweep subtracts a constant
per margin cell, so it acts on joint cells, and an estimator's influence values within
such a *class* depend only on the class sums of d, d y and d y^2 (d: in the domain).
The kernel therefore works on class sums, a few passes over the data per estimate, and
equals R's result to rounding. Without clusters each respondent is its own PSU and the
within-stratum sums of squares come from the same class sums.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from analysis import cells

RAKING_SWEEPS = 10
NEGLIGIBLE = 1e-9   # a spread or difference below this, relative to the values' size, is rounding


@dataclass(frozen=True)
class Design:
    """Stratified (and optionally clustered) design with raking margins.

    Clusters and raking cells must lie within strata (counties): then one column of
    influence values serves every county's estimate at once.
    """

    weights: np.ndarray
    strata: np.ndarray            # int stratum id per respondent (the county), 0..S-1
    clusters: np.ndarray          # int cluster id per respondent, 0..K-1, unique across strata
    calibration: tuple[np.ndarray, ...] = ()  # int cell ids of each raking margin

    @property
    def n_strata(self) -> int:
        return int(self.strata.max()) + 1

    @cached_property
    def classes(self) -> Classes:
        return Classes.of(self)

    def degrees_of_freedom(self) -> tuple[np.ndarray, float]:
        """Each stratum's PSUs minus one, and the design's PSUs minus strata.

        R: ``degf(subset(design, county == c))`` and ``degf(design)``. Every stratum here
        has respondents (counties are numbered over the responses used).
        """
        psu = self.classes.psu_count.astype(float)
        return psu - 1, float(psu.sum() - len(psu))


@dataclass(frozen=True)
class Classes:
    """Respondents grouped by stratum, joint raking cell, cluster (if any) and weight."""

    of_respondent: np.ndarray       # class id per respondent
    size: np.ndarray                # respondents per class
    weight: np.ndarray              # the weight shared by the class
    stratum: np.ndarray
    joint: np.ndarray               # joint raking cell of the class
    joint_count: np.ndarray         # respondents per joint cell
    margins: tuple[tuple[np.ndarray, np.ndarray], ...]  # per margin: cell of each joint cell, cell sizes
    cluster: np.ndarray | None      # cluster of the class (renumbered 0..K-1); None: one PSU per respondent
    psu_stratum: np.ndarray         # stratum of each cluster (or of each class without clusters)
    psu_count: np.ndarray           # PSUs per stratum
    n_strata: int

    @classmethod
    def of(cls, design: Design) -> Classes:
        n, n_strata = len(design.weights), design.n_strata
        strata = design.strata.astype(np.int64)
        if design.calibration:
            joint, joint_margins = cells.cross(design.calibration, [int(c.max()) + 1 for c in design.calibration])
        else:
            joint, joint_margins = np.zeros(n, dtype=np.int64), []
        n_joint = int(joint.max()) + 1
        weight_values, weight_code = np.unique(design.weights, return_inverse=True)
        clusters = design.clusters.astype(np.int64)
        clustered = bool(np.bincount(clusters).max() > 1)
        keys = [strata, joint, weight_code] + ([clusters] if clustered else [])
        sizes = [n_strata, n_joint, len(weight_values)] + ([int(clusters.max()) + 1] if clustered else [])
        of_respondent, per_class = cells.cross(keys, sizes)
        stratum = per_class[0]
        joint_count = np.bincount(joint, minlength=n_joint).astype(float)
        margins = tuple((cell, np.bincount(cell, weights=joint_count)) for cell in joint_margins)
        if clustered:
            cluster = np.unique(per_class[3], return_inverse=True)[1]
            psu_stratum = np.zeros(int(cluster.max()) + 1, dtype=np.int64)
            psu_stratum[cluster] = stratum
            psu_count = np.bincount(psu_stratum, minlength=n_strata)
        else:
            cluster, psu_stratum = None, stratum
            psu_count = np.bincount(strata, minlength=n_strata)
        return cls(of_respondent, np.bincount(of_respondent).astype(float), weight_values[per_class[2]],
                   stratum, per_class[1], joint_count, margins, cluster, psu_stratum, psu_count, n_strata)

    def sums(self, values: np.ndarray) -> np.ndarray:
        """Class sums of each column of values (n x k)."""
        return cells.sum_by(self.of_respondent, values, len(self.size))

    def by_stratum(self, class_values: np.ndarray) -> np.ndarray:
        return cells.sum_by(self.stratum, class_values, self.n_strata)

    def raking_shift(self, class_u: np.ndarray) -> np.ndarray:
        """Per joint cell, what R's ten raking sweeps subtract from u = x / w, given the
        class sums of u (classes x k)."""
        remaining = cells.sum_by(self.joint, class_u, len(self.joint_count))
        shift = np.zeros_like(remaining)
        for _ in range(RAKING_SWEEPS):
            for cell, size in self.margins:
                step = (cells.sum_by(cell, remaining, len(size)) / size[:, None])[cell]
                shift += step
                remaining -= self.joint_count[:, None] * step
        return shift


@dataclass(frozen=True)
class ClassSums:
    """Sums over each class of respondents (see Classes) of d, d y and d y^2,
    d = 1 where y is in the domain (answered), for k variables (classes x k each)."""

    d: np.ndarray
    dy: np.ndarray
    dyy: np.ndarray


@dataclass(frozen=True)
class Linear:
    """Influence values of an estimator, by class: x_i = w (a + b y_i) d_i - w s_J for
    respondent i, with a, b per class and s per joint cell (k columns each)."""

    a: np.ndarray
    b: np.ndarray
    shift: np.ndarray | None


def stratum_covariances(classes: Classes, sums: ClassSums, x: Linear, z: Linear) -> np.ndarray:
    """Each stratum's contribution to the covariance of the totals of two influence variables.

    Parameters
    ----------
    classes : Classes
    sums : ClassSums
        Class sums of d, d y, d y^2.
    x, z : Linear
        Influence values of the two estimators, by class.

    Returns
    -------
    (n_strata, k) array of float
        NaN for a stratum with a single PSU.

    Notes
    -----
    c_h = n_h / (n_h - 1) sum_j (t_hj - mean_h t)(u_hj - mean_h u) over the PSUs j of stratum
    h, t and u the PSU totals of x and z: the with-replacement estimator of R's
    ``survey:::onestage`` (Wolter 2007, Introduction to Variance Estimation, ch. 6).
    """
    d, dy, dyy = sums.d, sums.dy, sums.dyy
    w, size = classes.weight[:, None], classes.size[:, None]

    def totals(e: Linear):
        t = w * (e.a * d + e.b * dy)
        return t if e.shift is None else t - w * size * e.shift[classes.joint]

    tx, tz = totals(x), totals(z)
    if classes.cluster is not None:
        n_psu = len(classes.psu_stratum)
        tx, tz = cells.sum_by(classes.cluster, tx, n_psu), cells.sum_by(classes.cluster, tz, n_psu)
        products = tx * tz
    else:
        # Sum over the respondents of a class of x_i z_i, from the class sums.
        products = w ** 2 * (x.a * z.a * d + (x.a * z.b + x.b * z.a) * dy + x.b * z.b * dyy)
        for e, other in ((x, z), (z, x)):
            if e.shift is not None:
                products -= w * e.shift[classes.joint] * (w * (other.a * d + other.b * dy))
        if x.shift is not None and z.shift is not None:
            products += w ** 2 * size * x.shift[classes.joint] * z.shift[classes.joint]
    n_h = classes.psu_count.astype(float)[:, None]
    sum_x = cells.sum_by(classes.psu_stratum, tx, classes.n_strata)
    sum_z = cells.sum_by(classes.psu_stratum, tz, classes.n_strata)
    centred = cells.sum_by(classes.psu_stratum, products, classes.n_strata) - sum_x * sum_z / n_h
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n_h > 1, n_h / (n_h - 1), np.nan) * centred
