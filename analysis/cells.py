"""Grouping helpers shared by weighting and variance: cross-classification and sums by group."""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def cross(classifications: Sequence[np.ndarray], sizes: Sequence[int]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Cross-classify respondents by several integer classifications (cell ids 0..size-1).

    Returns the joint cell of each respondent (0..J-1, ordered lexicographically by the
    classifications) and, for each classification, its cell id for every joint cell.
    """
    n = len(classifications[0])
    space = math.prod(sizes)
    if space >= 2 ** 62:        # the combined key would overflow
        rows, joint = np.unique(np.column_stack(classifications), axis=0, return_inverse=True)
        return joint.ravel(), [rows[:, i] for i in range(rows.shape[1])]
    key = np.zeros(n, dtype=np.int64)
    for cells, size in zip(classifications, sizes):
        key = key * size + cells
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


def sum_by(ids: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Sums of the rows of values (n x k) by a group id per row (size x k)."""
    out = np.empty((size, values.shape[1]))
    for j in range(values.shape[1]):
        out[:, j] = np.bincount(ids, weights=values[:, j], minlength=size)
    return out
