"""Taylor linearization: one variance kernel for every estimate.

Influence values are residualized against the raking margins (as R's survey
package does for a design from ``rake()``: ten sweeps of iterative proportional
fitting on the residuals, ``svyrecvar``), then summed within clusters and
compared within strata (``onestage``, with-replacement).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RAKING_SWEEPS = 10


@dataclass(frozen=True)
class Design:
    weights: np.ndarray
    strata: np.ndarray            # int stratum id per respondent (the county)
    clusters: np.ndarray          # int cluster id per respondent, unique across strata
    calibration: tuple[np.ndarray, ...] = ()  # int cell ids of each raking margin

    @property
    def n_strata(self) -> int:
        return int(self.strata.max()) + 1


def residualize(design: Design, x: np.ndarray) -> np.ndarray:
    """Remove what the raking margins explain from weighted influence values x (n x k)."""
    if not design.calibration:
        return x
    w = design.weights[:, None]
    x = x.copy()
    counts = [np.bincount(cells).astype(float) for cells in design.calibration]
    for _ in range(RAKING_SWEEPS):
        for cells, count in zip(design.calibration, counts):
            means = _cell_sums(cells, x / w, len(count)) / count[:, None]
            x -= w * means[cells]
    return x


def stratum_covariances(design: Design, x: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Each stratum's contribution (n_strata x k) to the covariance of the totals of x and z.

    c_h = n_h / (n_h - 1) * sum_j (t_hj - mean_h t)(u_hj - mean_h u) over the clusters j
    of stratum h, t and u the cluster totals of x and z (with-replacement, as R's onestage).
    """
    n_clusters = int(design.clusters.max()) + 1
    cluster_stratum = np.zeros(n_clusters, dtype=np.int64)
    cluster_stratum[design.clusters] = design.strata
    present = np.bincount(design.clusters, minlength=n_clusters) > 0
    cluster_stratum = cluster_stratum[present]
    n_h = np.bincount(cluster_stratum, minlength=design.n_strata).astype(float)

    def centred(values):
        totals = _cell_sums(design.clusters, values, n_clusters)[present]
        means = _cell_sums(cluster_stratum, totals, design.n_strata) / np.maximum(n_h, 1)[:, None]
        return totals - means[cluster_stratum]

    products = _cell_sums(cluster_stratum, centred(x) * centred(z), design.n_strata)
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = np.where(n_h > 1, n_h / (n_h - 1), np.nan)
    return products * factor[:, None]


def _cell_sums(cells: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Column sums of values (n x k) within each cell id."""
    out = np.empty((size, values.shape[1]))
    for j in range(values.shape[1]):
        out[:, j] = np.bincount(cells, weights=values[:, j], minlength=size)
    return out
