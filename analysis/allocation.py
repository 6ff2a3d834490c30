"""Sample allocation: integer counts from shares, and county quotas with a floor."""
from __future__ import annotations

import numpy as np


def allocate(total: int, shares: np.ndarray) -> np.ndarray:
    """Integer counts summing to `total`, proportional to `shares`.

    Parameters
    ----------
    total : int
    shares : 1-D array of float (not all zero)

    Returns
    -------
    1-D int array

    Notes
    -----
    Largest remainders (Hamilton's method): floor(total x share), then one more to each of
    the largest fractional parts until the counts add up.
    """
    exact = total * shares / shares.sum()
    counts = np.floor(exact).astype(int)
    counts[np.argsort(exact - counts)[::-1][: total - counts.sum()]] += 1
    return counts


def proportional_with_floor(population: np.ndarray, total: int, floor: int) -> np.ndarray:
    """County quotas: proportional to population, but at least `floor` each.

    Parameters
    ----------
    population : 1-D array of float
    total : int
        The sample for all counties; at least floor x counties.
    floor : int

    Returns
    -------
    1-D int array adding up to `total`

    Notes
    -----
    Counties whose proportional share falls below the floor get the floor; the rest of the
    total is shared proportionally among the others, repeated until no share falls below
    (the usual compromise between equal precision per county and proportionality).
    """
    if floor * len(population) > total:
        raise ValueError("the total does not cover the floor of every county")
    fixed = np.zeros(len(population), dtype=bool)
    while True:
        free = total - floor * fixed.sum()
        share = np.where(fixed, 0.0, population)
        below = ~fixed & (free * share / share.sum() < floor)
        if not below.any():
            break
        fixed |= below
    quotas = np.where(fixed, floor, 0)
    quotas[~fixed] = allocate(int(total - quotas.sum()), population[~fixed])
    return quotas
