"""Grouping helpers shared by weighting and variance: cross-classification and sums over runs."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def cross(classifications: Sequence[np.ndarray], sizes: Sequence[int]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Cross-classify respondents by several integer classifications (cell ids 0..size-1).

    Returns the joint cell of each respondent (0..J-1, ordered lexicographically by the
    classifications) and, for each classification, its cell id for every joint cell.
    """
    n = len(classifications[0])
    key = np.zeros(n, dtype=np.int64)
    space = 1
    for cells, size in zip(classifications, sizes):
        key = key * size + cells
        space *= size
    if space <= 4 * n + 1024:   # dense: linear time
        present = np.flatnonzero(np.bincount(key, minlength=space))
        rank = np.full(space, -1, dtype=np.int64)
        rank[present] = np.arange(len(present))
        joint = rank[key]
    else:
        present, joint = np.unique(key, return_inverse=True)
    per_joint = []
    rest = present
    for size in reversed(sizes):
        rest, cell = np.divmod(rest, size)
        per_joint.append(cell)
    return joint, per_joint[::-1]


def run_starts(sorted_ids: np.ndarray) -> np.ndarray:
    """Start of each run of equal values in a sorted array."""
    if len(sorted_ids) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, sorted_ids[1:] != sorted_ids[:-1]])


def sum_runs(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Sums of the rows of values (n x k) over the runs beginning at starts (all non-empty)."""
    return np.add.reduceat(values, starts, axis=0)


def sum_by(ids: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Sums of the rows of values (n x k) by an unsorted id (size x k)."""
    out = np.empty((size, values.shape[1]))
    for j in range(values.shape[1]):
        out[:, j] = np.bincount(ids, weights=values[:, j], minlength=size)
    return out
