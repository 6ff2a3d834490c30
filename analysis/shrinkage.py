"""Empirical-Bayes (Fay-Herriot) shrinkage of county estimates towards the common mean."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FayHerriot:
    estimate: np.ndarray    # EBLUP per county
    se: np.ndarray          # sqrt of the Prasad-Rao MSE estimate
    shrinkage: np.ndarray   # weight on the common mean: D / (A + D)
    model_variance: float   # A, the between-county variance (REML)
    mean: float             # the common mean


def fay_herriot(direct: np.ndarray, sampling_variance: np.ndarray, tolerance: float = 1e-10,
                max_iterations: int = 100) -> FayHerriot:
    """Fay-Herriot area model with an intercept only, fitted by REML (Fisher scoring).

    Parameters
    ----------
    direct : (S,) array of float
        Direct (design-based) county estimates.
    sampling_variance : (S,) array of float
        Their design variances D_c.
    tolerance, max_iterations
        Convergence of the REML scoring on A.

    Returns
    -------
    FayHerriot
        EBLUP, its root MSE and the shrinkage factor per county; A and the common mean.
        All NaN with fewer than three usable counties.

    Notes
    -----
    y_c = theta_c + e_c, e_c ~ N(0, D_c) with D_c the design variance; theta_c = mu + v_c,
    v_c ~ N(0, A). The EBLUP is gamma_c y_c + (1 - gamma_c) mu_hat with gamma_c = A / (A + D_c);
    the reported shrinkage factor is 1 - gamma_c. The MSE is Prasad and Rao's g1 + g2 + 2 g3
    for REML. Same model as R's ``sae::eblupFH(method="REML")`` and ``metafor::rma(method="REML")``.
    A county without a finite estimate and variance is left out of the fit and gets NaN.
    """
    ok = np.isfinite(direct) & np.isfinite(sampling_variance) & (sampling_variance > 0)
    y, d = direct[ok], sampling_variance[ok]
    if len(y) < 3:
        nan = np.full(len(direct), np.nan)
        return FayHerriot(nan, nan, nan, float("nan"), float("nan"))
    a = float(np.median(d))
    for _ in range(max_iterations):
        v = 1 / (a + d)
        p_y = v * (y - np.sum(v * y) / np.sum(v))               # P y
        trace_p = np.sum(v) - np.sum(v ** 2) / np.sum(v)          # tr(P)
        trace_pp = np.sum(v ** 2) - 2 * np.sum(v ** 3) / np.sum(v) + (np.sum(v ** 2) / np.sum(v)) ** 2
        step = (-0.5 * trace_p + 0.5 * np.sum(p_y ** 2)) / (0.5 * trace_pp)
        a_next = max(a + step, 0.0)
        if abs(a_next - a) < tolerance * max(1.0, a):
            a = a_next
            break
        a = a_next
    v = 1 / (a + d)
    mu = float(np.sum(v * y) / np.sum(v))
    gamma = a * v
    g1 = gamma * d
    g2 = (1 - gamma) ** 2 / np.sum(v)
    g3 = d ** 2 * v ** 3 * 2 / np.sum(v ** 2)
    out = np.full((3, len(direct)), np.nan)
    out[:, ok] = gamma * y + (1 - gamma) * mu, np.sqrt(g1 + g2 + 2 * g3), 1 - gamma
    return FayHerriot(out[0], out[1], out[2], a, mu)
