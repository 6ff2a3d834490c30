"""Weights for a county whose sample cannot meet all its margins at once.

A small county is normal in fieldwork: with a few dozen responses a category may be met
only in one combination with another variable (all the county's "public" respondents
are rural, say), and raking to both margins then has no solution. Such a county is
weighted by the first of these that works, in this order:

1. collapse sparse categories: the category with the fewest respondents (fewer than
   ``SPARSE_CELL``) is merged into its neighbour in the targets' order, one at a time,
   raking after each merge;
2. fewer margins: rake (or, with one left, post-stratify) to the largest set of the
   original margins that works, keeping earlier variables of the targets first;

and the analysis stops, naming the county and the cells that could not be met, only
when even a single margin fails. Every other county keeps full raking. (Kalton and
Flores-Cervantes 2003, "Weighting methods", J. Official Statistics 19(2), sections 3-4.)
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import combinations

import numpy as np

from analysis.weighting import CountyNote, Margin, RakeResult, WeightingError, rake
from analysis.wording import Wording

SPARSE_CELL = 10     # a category with fewer respondents than this in a county may be merged


@dataclass
class _CountyMargin:
    """One margin within one county: a category per respondent and each category's target."""

    variable: str
    category: np.ndarray        # position in `names` per respondent of the county
    names: list[str]
    targets: np.ndarray

    def as_margin(self) -> Margin:
        return Margin(self.variable, self.category, self.targets, [("", n) for n in self.names])

    def live(self) -> tuple[np.ndarray, list[int]]:
        """Respondents per category, and the categories not merged away (with a target or respondents)."""
        counts = np.bincount(self.category, minlength=len(self.names))
        return counts, [j for j in range(len(self.names)) if self.targets[j] > 0 or counts[j] > 0]

    def merge(self, source: int) -> str:
        """Merge category `source` into its neighbour (the next, or the previous for the last)."""
        _, live = self.live()
        position = live.index(source)
        into = live[position + 1] if position + 1 < len(live) else live[position - 1]
        self.category = np.where(self.category == source, into, self.category)
        self.targets = self.targets.copy()
        self.targets[into] += self.targets[source]
        self.targets[source] = 0.0
        return self.names[into]


def rake_with_fallbacks(weights: np.ndarray, margins: list[Margin], wording: Wording = Wording()
                        ) -> tuple[RakeResult, list[Margin], list[CountyNote]]:
    """Raking within county, with the fallbacks above for counties whose margins cannot all be met.

    Parameters
    ----------
    weights : (n,) array of float
        Base weights.
    margins : list of Margin
        Cells county x category, labels (county, category).
    wording : Wording
        How the notes name attributes and categories.

    Returns
    -------
    result : RakeResult
    margins : list of Margin
        The margins the weights meet (the same as given when no county fell back); a county
        that dropped a margin has one cell, its total, in it.
    notes : list of CountyNote
        One Chinese line per county that fell back, saying what it got.

    Raises
    ------
    WeightingError
        Naming the county and the cells it misses, when no fallback works.
    """
    try:
        return rake(weights, margins), margins, []
    except WeightingError:
        pass
    cell_county = [np.array([c for c, _ in m.labels], dtype=object) for m in margins]
    county_of = cell_county[0][margins[0].cells]
    final, notes = [m.cells.copy() for m in margins], []
    targets = [m.targets.copy() for m in margins]
    for county in dict.fromkeys(county_of):
        rows = np.flatnonzero(county_of == county)
        own = [_county_margin(m, rows, cell_county[i] == county) for i, m in enumerate(margins)]
        if _converges(weights[rows], own):
            continue
        used, note = _fallback(county, weights[rows], own, wording)
        notes.append(CountyNote(county, note))
        for i, (m, mine) in enumerate(zip(margins, used)):
            cells = np.flatnonzero(cell_county[i] == county)
            targets[i][cells] = 0.0
            if mine is None:    # margin dropped: the county's total in its first cell
                final[i][rows] = cells[0]
                targets[i][cells[0]] = own[0].targets.sum()
            else:
                final[i][rows] = cells[mine.category]
                targets[i][cells] = mine.targets
    adjusted = [_renumbered(m, cells, t) for m, cells, t in zip(margins, final, targets)]
    return rake(weights, adjusted), adjusted, notes


def _county_margin(margin: Margin, rows: np.ndarray, in_county: np.ndarray) -> _CountyMargin:
    cells = np.flatnonzero(in_county)
    position = np.full(len(margin.targets), -1)
    position[cells] = np.arange(len(cells))
    return _CountyMargin(margin.variable, position[margin.cells[rows]], [margin.labels[c][1] for c in cells],
                         margin.targets[cells].astype(float))


def _converges(weights: np.ndarray, margins: list[_CountyMargin]) -> bool:
    try:
        rake(weights, [m.as_margin() for m in margins])
    except WeightingError:
        return False
    return True


def _fallback(county: str, weights: np.ndarray, own: list[_CountyMargin], wording: Wording) -> tuple[list, str]:
    """The margins a county is weighted to (None: dropped) and the note saying so."""
    intro = f"区县 {county} 的 {len(weights)} 份答卷无法同时满足{wording.attributes(m.variable for m in own)}的人口目标"
    collapsed = [replace(m) for m in own]
    merges = []
    while (sparse := _sparsest(collapsed)) is not None:
        margin, category = sparse
        count = int((margin.category == category).sum())
        into = margin.merge(category)
        merges.append(f"{wording.cell(margin.variable, margin.names[category])}的 {count} 份并入"
                      f"{wording.category(margin.variable, into)}")
        if _converges(weights, collapsed):
            return collapsed, f"{intro}：加权时将 {'，'.join(merges)}"
    for size in range(len(own) - 1, 0, -1):
        for kept in combinations(range(len(own)), size):
            subset = [own[i] for i in kept]
            if _converges(weights, subset):
                how = "加权" if size > 1 else "事后分层"
                dropped = wording.attributes(own[i].variable for i in range(len(own)) if i not in kept)
                return ([own[i] if i in kept else None for i in range(len(own))],
                        f"{intro}：改为只按{wording.attributes(m.variable for m in subset)}{how}（不再按{dropped}加权）")
    missed = _missed_cells(weights, own, wording)
    raise WeightingError(f"{intro}，合并稀疏类别、减少加权变量后仍无法加权；无法满足的单元：{missed}")


def _sparsest(margins: list[_CountyMargin]):
    """(margin, category) with the fewest respondents below SPARSE_CELL, in a margin with two
    or more live categories; None when there is none."""
    best = None
    for margin in margins:
        counts, live = margin.live()
        if len(live) < 2:
            continue
        for j in live:
            if counts[j] < SPARSE_CELL and (best is None or counts[j] < best[0]):
                best = (counts[j], margin, j)
    return None if best is None else best[1:]


def _missed_cells(weights: np.ndarray, own: list[_CountyMargin], wording: Wording) -> str:
    lines = []
    for margin in own:
        totals = np.bincount(margin.category, weights=weights, minlength=len(margin.names))
        lines += [f"{wording.cell(margin.variable, name)}（{int((margin.category == j).sum())} 份，人口 {target:,.0f}）"
                  for j, (name, target) in enumerate(zip(margin.names, margin.targets))
                  if target > 0 and totals[j] == 0]
    return "、".join(lines) or "各单元"


def _renumbered(margin: Margin, cells: np.ndarray, targets: np.ndarray) -> Margin:
    """The margin with only the cells that hold respondents, numbered 0.. in order."""
    present, cell = np.unique(cells, return_inverse=True)
    return Margin(margin.variable, cell, targets[present], [margin.labels[c] for c in present])
