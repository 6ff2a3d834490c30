"""Population targets: validation and the raking margins built from them."""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.inputs import Factor
from analysis.weighting import Margin, WeightingError

COLUMNS = ["county", "variable", "category", "population"]


def validate(targets: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in COLUMNS if c not in targets]
    if missing:
        raise WeightingError(f"人口目标缺少列：{'、'.join(missing)}（应为 {','.join(COLUMNS)}）")
    targets = targets[COLUMNS].copy()
    for column in ("county", "variable", "category"):
        targets[column] = targets[column].astype(str)
    population = pd.to_numeric(targets["population"], errors="coerce")
    bad = population.isna() | (population < 0)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise WeightingError(f"人口目标第 {row + 2} 行：人口数“{targets['population'].iloc[row]}”无效")
    targets["population"] = population.astype(float)
    duplicated = targets.duplicated(["county", "variable", "category"])
    if duplicated.any():
        row = int(np.flatnonzero(duplicated.to_numpy())[0])
        raise WeightingError(f"人口目标第 {row + 2} 行：{targets.iloc[row, 0]}/{targets.iloc[row, 1]}/"
                             f"{targets.iloc[row, 2]} 重复")
    totals = targets.groupby(["county", "variable"])["population"].sum().unstack()
    spread = (totals.max(axis=1) - totals.min(axis=1)) / totals.max(axis=1)
    if (spread > 1e-6).any():
        county = spread[spread > 1e-6].index[0]
        detail = "，".join(f"{v} 合计 {t:,.0f}" for v, t in totals.loc[county].items())
        raise WeightingError(f"区县 {county} 各变量的人口合计不一致：{detail}")
    return targets


def county_populations(targets: pd.DataFrame) -> dict[str, float]:
    first = targets["variable"].iloc[0]
    return targets[targets["variable"] == first].groupby("county")["population"].sum().to_dict()


def margins(targets: pd.DataFrame, county: Factor, attributes: dict[str, Factor], line: np.ndarray,
            collapse_empty: bool = True) -> tuple[list[Margin], list[str]]:
    """One raking margin per target variable: cells county x category.

    A population cell without respondents is merged into its neighbour (the next category
    of that variable in the targets' order, or the previous one for the last), with a
    report line, or refused when `collapse_empty` is off. Every respondent must fall in a
    cell: a category missing from the targets is refused, naming the file line.
    """
    known = {c: i for i, c in enumerate(county.labels)}
    result, notes, empty = [], [], []
    for variable, rows in targets[targets["county"].isin(known)].groupby("variable", sort=False):
        factor = attributes[variable]
        width = len(factor.labels) + 1                       # last column: empty answer
        category_code = {c: i for i, c in enumerate(factor.labels)}
        answer = np.where(factor.codes < 0, width - 1, factor.codes)
        counts = np.bincount(county.codes * width + answer, minlength=len(known) * width).reshape(-1, width)
        cell_of = np.full((len(known), width), -1)
        labels, population = [], []
        for c, group in rows.groupby("county", sort=False):
            present = {cat: cat in category_code and counts[known[c], category_code[cat]] > 0
                       for cat in group["category"]}
            cells = dict(zip(group["category"], group["population"]))
            merged_into = {cat: cat for cat in cells}
            for category in list(cells):
                if present[category] or cells[category] == 0 or len(cells) < 2:
                    continue
                if not collapse_empty:
                    empty.append(f"{c}/{category}")
                    continue
                order = list(cells)
                position = order.index(category)
                neighbour = order[position + 1] if position + 1 < len(order) else order[position - 1]
                cells[neighbour] += cells.pop(category)
                merged_into = {k: neighbour if v == category else v for k, v in merged_into.items()}
                notes.append(f"区县 {c} 的 {variable}=“{category}”没有样本，已并入“{neighbour}”"
                             f"（人口 {group.loc[group['category'] == category, 'population'].iloc[0]:,.0f}）")
            cell_id = {cat: len(labels) + i for i, cat in enumerate(cells)}
            labels += [(c, cat) for cat in cells]
            population += list(cells.values())
            for category, target in merged_into.items():
                if category in category_code:
                    cell_of[known[c], category_code[category]] = cell_id[target]
        cell = cell_of[county.codes, answer]
        if (cell < 0).any():
            row = int(np.flatnonzero(cell < 0)[0])
            raise WeightingError(f"答卷第 {line[row]} 行：区县 {county.labels[county.codes[row]]} 的 {variable}="
                                 f"“{factor.label_of(row)}”不在人口目标中")
        result.append(Margin(variable, cell, np.asarray(population, dtype=float), labels))
    if empty:
        raise WeightingError("这些人口单元没有任何样本：" + "、".join(empty) + "（可改为允许合并相邻类别）")
    return result, notes
