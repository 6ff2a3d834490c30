"""Base weights and raking (iterative proportional fitting) within each county."""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from analysis import cells


class WeightingError(ValueError):
    """A problem with the targets or the data that would make the weights wrong."""


class CountyNote(NamedTuple):
    """A line a reader must know about how one county was weighted, in Chinese."""

    county: str
    text: str


@dataclass(frozen=True)
class Margin:
    """One raking margin: a cell id per respondent (county x category) and each cell's target."""

    variable: str
    cells: np.ndarray    # int cell id per respondent
    targets: np.ndarray  # population per cell id
    labels: list[tuple[str, str]]  # (county, category) per cell id


@dataclass(frozen=True)
class RakeResult:
    weights: np.ndarray
    iterations: int
    max_margin_error: float  # largest |weighted total - target| / target over all cells


def base_weights(strata: np.ndarray, population: np.ndarray) -> np.ndarray:
    """Base (design) weights: each respondent stands for its county's population share.

    Parameters
    ----------
    strata : (n,) int array
        County 0..S-1 of each respondent.
    population : (S,) array of float

    Returns
    -------
    (n,) array of float
        w_i = N_h / n_h for respondent i of county h.
    """
    return (population / np.bincount(strata, minlength=len(population)))[strata]


TOLERANCE = 1e-10    # the largest relative miss of a margin cell that raking accepts


def rake(weights: np.ndarray, margins: list[Margin], tolerance: float = TOLERANCE,
         max_iterations: int = 1000) -> RakeResult:
    """Raking: adjust weights until every margin's weighted totals meet their targets.

    Parameters
    ----------
    weights : (n,) array of float
        Starting (base) weights.
    margins : list of Margin
        Cells county x category of each variable, with population targets.
    tolerance : float
        Largest allowed miss of a cell total: relative to its target, absolute for a zero target.
    max_iterations : int

    Returns
    -------
    RakeResult
        The weights, the iterations used and the largest margin miss.

    Raises
    ------
    WeightingError
        When the margins are not met within `max_iterations` (inconsistent targets, or
        margins the sample cannot meet).

    Notes
    -----
    Iterative proportional fitting (Deming and Stephan 1940): each sweep multiplies the
    weights of each cell of a margin by target / current total, margin after margin.
    Every respondent of a joint cell (one cell of each margin) gets the same factor, so
    the fitting runs on joint-cell totals, all counties at once. With one margin it is
    post-stratification. R: ``survey::rake(design, sample.margins, population.margins)``.
    """
    weights = weights.astype(float)
    if not margins:
        return RakeResult(weights, 0, 0.0)
    joint, per_joint = cells.cross([m.cells for m in margins], [len(m.targets) for m in margins])
    base = np.bincount(joint, weights=weights)
    factor = np.ones(len(base))
    with np.errstate(invalid="ignore", divide="ignore"):   # a cell without weight: NaN, then not met
        for iteration in range(1, max_iterations + 1):
            for m, cell in zip(margins, per_joint):
                totals = np.bincount(cell, weights=base * factor, minlength=len(m.targets))
                factor *= (m.targets / totals)[cell]
            error = max(_margin_error(base * factor, cell, m) for m, cell in zip(margins, per_joint))
            if error < tolerance:
                return RakeResult(weights * factor[joint], iteration, error)
    raise WeightingError(f"加权迭代 {max_iterations} 次仍未收敛（最大边际误差 {error:.2e}），"
                         "请检查人口目标是否一致")


def _margin_error(weights: np.ndarray, cell: np.ndarray, m: Margin) -> float:
    """Largest miss of a margin: relative to the target, absolute where the target is 0."""
    totals = np.bincount(cell, weights=weights, minlength=len(m.targets))
    miss = np.abs(totals - m.targets) / np.where(m.targets > 0, m.targets, 1.0)
    return float(np.max(miss)) if np.isfinite(miss).all() else float("inf")


def trim(base: np.ndarray, weights: np.ndarray, margins: list[Margin], bounds: tuple[float, float],
         rounds: int = 50) -> RakeResult:
    """Trimming: keep each weight within bounds of its base weight, re-raking after each trim.

    Parameters
    ----------
    base : (n,) array of float
        Base weights.
    weights : (n,) array of float
        Raked weights.
    margins : list of Margin
    bounds : (lower, upper)
        Bounds on weight / base weight, with 0 < lower <= 1 <= upper.
    rounds : int
        Trim-and-rake rounds at most.

    Returns
    -------
    RakeResult
        Weights that respect the bounds; `max_margin_error` reports how far the margins then
        miss (trimming trades margin fit for variance).

    Notes
    -----
    Clip to [lower b_i, upper b_i], rake again, and repeat until the raked weights stay
    within the bounds or `rounds` is reached; the result is clipped once more.
    """
    lower, upper = bounds
    if not 0 < lower <= 1 <= upper:
        raise WeightingError(f"截尾范围 {lower}–{upper} 无效：应满足 0 < 下限 ≤ 1 ≤ 上限")
    w = weights
    for round_ in range(1, rounds + 1):
        w = np.clip(w, lower * base, upper * base)
        try:
            raked = rake(w, margins, max_iterations=200)
            w_next = raked.weights
        except WeightingError:
            w_next = w
        if np.all((w_next >= lower * base * (1 - 1e-9)) & (w_next <= upper * base * (1 + 1e-9))):
            w = w_next
            break
        w = w_next
    w = np.clip(w, lower * base, upper * base)
    return RakeResult(w, round_, max(_margin_error(w, m.cells, m) for m in margins))
