"""Base weights and raking (iterative proportional fitting) within each county."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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


def base_weights(county: np.ndarray, population: dict[str, float]) -> np.ndarray:
    """County population / county sample size."""
    codes, inverse, counts = np.unique(county, return_inverse=True, return_counts=True)
    missing = [c for c in codes if c not in population]
    if missing:
        raise WeightingError(f"人口目标中没有这些区县：{'、'.join(map(str, missing))}")
    per_county = np.array([population[c] for c in codes], dtype=float) / counts
    return per_county[inverse]


def rake(weights: np.ndarray, margins: list[Margin], tolerance: float = 1e-10,
         max_iterations: int = 1000) -> RakeResult:
    """Iterative proportional fitting to every margin at once (all counties in one pass).

    Stops when no cell total is off its target by more than `tolerance` (relative);
    raises WeightingError when that does not happen within `max_iterations`.
    """
    w = weights.astype(float).copy()
    for iteration in range(1, max_iterations + 1):
        for m in margins:
            totals = np.bincount(m.cells, weights=w, minlength=len(m.targets))
            w *= (m.targets / totals)[m.cells]
        error = max(_margin_error(w, m) for m in margins)
        if error < tolerance:
            return RakeResult(w, iteration, error)
    raise WeightingError(f"加权迭代 {max_iterations} 次仍未收敛（最大边际误差 {error:.2e}），"
                         "请检查人口目标是否一致")


def _margin_error(w: np.ndarray, m: Margin) -> float:
    totals = np.bincount(m.cells, weights=w, minlength=len(m.targets))
    return float(np.max(np.abs(totals - m.targets) / m.targets))


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
    return RakeResult(w, round_, max(_margin_error(w, m) for m in margins))
