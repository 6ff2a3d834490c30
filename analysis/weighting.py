"""Base weights and raking (iterative proportional fitting) within each county."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis import cells


class WeightingError(ValueError):
    """A problem with the targets or the data that would make the weights wrong."""


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
    """County population / county sample size, for strata numbered 0..S-1."""
    return (population / np.bincount(strata, minlength=len(population)))[strata]


def rake(weights: np.ndarray, margins: list[Margin], tolerance: float = 1e-10,
         max_iterations: int = 1000) -> RakeResult:
    """Iterative proportional fitting to every margin at once (all counties in one pass).

    Every respondent of a joint cell (one cell of each margin) gets the same factor, so
    the fitting runs on joint-cell totals. Stops when no cell total is off its target by
    more than `tolerance` (relative; absolute for a zero target); raises WeightingError
    when that does not happen within `max_iterations`.
    """
    weights = weights.astype(float)
    if not margins:
        return RakeResult(weights, 0, 0.0)
    joint, per_joint = cells.cross([m.cells for m in margins], [len(m.targets) for m in margins])
    base = np.bincount(joint, weights=weights)
    factor = np.ones(len(base))
    for iteration in range(1, max_iterations + 1):
        for m, cell in zip(margins, per_joint):
            totals = np.bincount(cell, weights=base * factor, minlength=len(m.targets))
            with np.errstate(invalid="ignore", divide="ignore"):
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
    """Keep weight / base weight within bounds, re-raking after each trim.

    Returns the last weights, which respect the bounds; `max_margin_error` reports how
    far the margins then miss (trimming trades margin fit for variance).
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
