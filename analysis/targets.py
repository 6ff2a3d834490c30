"""Population targets: validation and the raking margins built from them."""
from __future__ import annotations

import hashlib
from collections.abc import Mapping

import numpy as np

from analysis.inputs import Factor
from analysis.table import Table
from analysis.weighting import TOLERANCE, CountyNote, Margin, WeightingError
from analysis.wording import Wording

COLUMNS = ["county", "variable", "category", "population"]
FIRST_ROW = 2


def validate(targets: Mapping) -> Table:
    """Check a table of population targets.

    Parameters
    ----------
    targets : mapping of column -> values
        county, variable, category (text) and population (a number >= 0), one row per cell.

    Returns
    -------
    Table
        The same columns, text as str and population as float.

    Raises
    ------
    WeightingError
        Naming the file row (a missing column, a bad number, a repeated cell) or the county
        whose variables do not add up to the same total (relative difference above 1e-6).
    """
    missing = [c for c in COLUMNS if c not in targets]
    if missing:
        raise WeightingError(f"人口目标缺少列：{'、'.join(missing)}（应为 {','.join(COLUMNS)}）")
    county, variable, category = ([_text(v) for v in np.asarray(targets[c], dtype=object)] for c in COLUMNS[:3])
    raw = np.asarray(targets["population"], dtype=object)
    population = np.array([_number(v) for v in raw])
    bad = np.isnan(population) | (population < 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise WeightingError(f"人口目标第 {row + FIRST_ROW} 行：人口数“{raw[row]}”无效")
    seen: set[tuple[str, str, str]] = set()
    totals: dict[str, dict[str, float]] = {}
    for row, key in enumerate(zip(county, variable, category)):
        if key in seen:
            raise WeightingError(f"人口目标第 {row + FIRST_ROW} 行：{'/'.join(key)} 重复")
        seen.add(key)
        by_variable = totals.setdefault(key[0], {})
        by_variable[key[1]] = by_variable.get(key[1], 0.0) + population[row]
    for c, by_variable in totals.items():
        high, low = max(by_variable.values()), min(by_variable.values())
        # Raking meets every margin to TOLERANCE: totals further apart could never all be met.
        if high > 0 and (high - low) / high > TOLERANCE:
            detail = "，".join(f"{v} 合计 {_count(t)}" for v, t in by_variable.items())
            raise WeightingError(f"区县 {c} 各变量的人口合计不一致：{detail}")
    return Table({"county": np.array(county, dtype=object), "variable": np.array(variable, dtype=object),
                  "category": np.array(category, dtype=object), "population": population})


def _text(value) -> str:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _number(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def county_populations(targets: Table) -> dict[str, float]:
    """Each county's population: the total of the first variable of the targets.

    Parameters
    ----------
    targets : Table
        Validated targets (every variable of a county has the same total).

    Returns
    -------
    dict of county -> float
    """
    first = targets["variable"][0]
    population: dict[str, float] = {}
    for c, v, p in zip(targets["county"], targets["variable"], targets["population"]):
        if v == first:
            population[c] = population.get(c, 0.0) + p
    return population


def fingerprint(targets: Table) -> str:
    """A fingerprint of the targets that does not depend on the order of the rows.

    Parameters
    ----------
    targets : Table

    Returns
    -------
    str
        SHA-256 (hex) of the rows as "county,variable,category,population" lines, sorted,
        population to 10 significant digits.
    """
    lines = sorted(f"{c},{v},{k},{p:.10g}" for c, v, k, p in zip(*(targets[name] for name in COLUMNS)))
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _grouped(targets: Table, counties: set[str]) -> dict[str, dict[str, dict[str, float]]]:
    """variable -> county -> category -> population, in the order of the file."""
    groups: dict[str, dict[str, dict[str, float]]] = {}
    for c, v, k, p in zip(*(targets[name] for name in COLUMNS)):
        if c in counties:
            groups.setdefault(v, {}).setdefault(c, {})[k] = p
    return groups


def margins(targets: Table, county: Factor, attributes: dict[str, Factor], line: np.ndarray,
            collapse_empty: bool = True, wording: Wording = Wording()) -> tuple[list[Margin], list[str]]:
    """The raking margins: one per target variable, with cells county x category.

    Parameters
    ----------
    targets : Table
        Validated targets.
    county : Factor
        County of each respondent.
    attributes : dict of variable -> Factor
        Each target variable's category per respondent.
    line : (n,) int array
        File line of each respondent, for messages.
    collapse_empty : bool
        Merge a population cell without respondents into its neighbour (True) or refuse it.

    Returns
    -------
    margins : list of Margin
    notes : list of CountyNote
        One Chinese line per merged cell.

    Raises
    ------
    WeightingError
        A respondent in a category the targets lack (naming the line), a respondent in a
        zero-population cell, or empty cells when `collapse_empty` is off.

    Notes
    -----
    A cell is merged into the next category of that variable in the targets' order, or
    the previous one for the last (collapsing strata, Kalton and Flores-Cervantes 2003,
    "Weighting methods", J. Official Statistics 19(2)).
    """
    known = {c: i for i, c in enumerate(county.labels)}
    result, notes, empty = [], [], []
    for variable, by_county in _grouped(targets, set(known)).items():
        factor = attributes[variable]
        width = len(factor.labels) + 1                       # last column: empty answer
        category_code = {c: i for i, c in enumerate(factor.labels)}
        answer = np.where(factor.codes < 0, width - 1, factor.codes)
        counts = np.bincount(county.codes * width + answer, minlength=len(known) * width).reshape(-1, width)
        cell_of = np.full((len(known), width), -1)
        labels, population = [], []
        for c, given in by_county.items():
            present = {cat: cat in category_code and counts[known[c], category_code[cat]] > 0 for cat in given}
            cells = dict(given)
            merged_into = {cat: cat for cat in cells}
            for category in list(cells):
                if present[category] or cells[category] == 0 or len(cells) < 2:
                    continue
                if not collapse_empty:
                    empty.append(f"区县 {c} 的{wording.cell(variable, category)}")
                    continue
                order = list(cells)
                position = order.index(category)
                neighbour = order[position + 1] if position + 1 < len(order) else order[position - 1]
                cells[neighbour] += cells.pop(category)
                merged_into = {k: neighbour if v == category else v for k, v in merged_into.items()}
                notes.append(CountyNote(c, f"区县 {c}：{wording.cell(variable, category)}的没有答卷，加权时并入"
                                              f"{wording.category(variable, neighbour)}（人口 {given[category]:,.0f}）"))
            cell_id = {cat: len(labels) + i for i, cat in enumerate(cells)}
            labels += [(c, cat) for cat in cells]
            population += list(cells.values())
            for category, target in merged_into.items():
                if category in category_code:
                    cell_of[known[c], category_code[category]] = cell_id[target]
        cell = cell_of[county.codes, answer]
        if (cell < 0).any():
            row = int(np.flatnonzero(cell < 0)[0])
            raise WeightingError(f"答卷第 {line[row]} 行：区县 {county.labels[county.codes[row]]} 的"
                                 f"{wording.cell(variable, factor.label_of(row))}，不在人口目标中")
        population = np.asarray(population, dtype=float)
        answered_zero = np.flatnonzero((np.bincount(cell, minlength=len(labels)) > 0) & (population == 0))
        if len(answered_zero):
            c, category = labels[answered_zero[0]]
            raise WeightingError(f"人口目标中区县 {c} 的{wording.cell(variable, category)}人口为 0，但有答卷属于该类别")
        result.append(Margin(variable, cell, population, labels))
    if empty:
        raise WeightingError("这些人口单元没有任何样本：" + "、".join(empty) + "（可改为允许合并相邻类别）")
    return result, notes


def _count(total: float) -> str:
    return f"{total:,.0f}" if float(total).is_integer() else f"{total:,.4f}"
