"""Population targets: validation and the raking margins built from them."""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.weighting import Margin, WeightingError

COLUMNS = ["county", "variable", "category", "population"]


def validate(targets: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in COLUMNS if c not in targets]
    if missing:
        raise WeightingError(f"人口目标缺少列：{'、'.join(missing)}（应为 {','.join(COLUMNS)}）")
    targets = targets[COLUMNS].copy()
    targets["county"] = targets["county"].astype(str)
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


def collapse_empty_cells(targets: pd.DataFrame, county: np.ndarray, data: pd.DataFrame) -> tuple[
        pd.DataFrame, dict[str, str], list[str]]:
    """Merge each population cell with no respondents into its neighbour (the next category
    of that variable in the targets' order, or the previous one for the last).

    Returns the collapsed targets, a mapping old -> new category per (county, variable)
    as 'county/variable/category', and a report line per collapse.
    """
    targets = targets.copy()
    recode: dict[str, str] = {}
    notes = []
    for (c, variable), rows in targets.groupby(["county", "variable"], sort=False):
        present = set(data.loc[county == c, variable].dropna().astype(str))
        categories = list(rows["category"])
        for category in list(categories):
            if category in present or len(categories) < 2:
                continue
            position = categories.index(category)
            neighbour = categories[position + 1] if position + 1 < len(categories) else categories[position - 1]
            mask = (targets["county"] == c) & (targets["variable"] == variable)
            population = targets.loc[mask & (targets["category"] == category), "population"].sum()
            targets.loc[mask & (targets["category"] == neighbour), "population"] += population
            targets = targets[~(mask & (targets["category"] == category))]
            categories.remove(category)
            recode[f"{c}/{variable}/{category}"] = neighbour
            notes.append(f"区县 {c} 的 {variable}=“{category}”没有样本，已并入“{neighbour}”"
                         f"（人口 {population:,.0f}）")
    return targets, recode, notes


def margins(targets: pd.DataFrame, county: np.ndarray, data: pd.DataFrame) -> list[Margin]:
    """One margin per variable: cells county x category, every respondent in a known cell."""
    result = []
    for variable, rows in targets.groupby("variable", sort=False):
        labels = list(zip(rows["county"], rows["category"]))
        index = {label: i for i, label in enumerate(labels)}
        values = data[variable].astype(object).where(data[variable].notna(), None).to_numpy()
        cells = np.fromiter((index.get((c, v), -1) for c, v in zip(county, values)),
                            dtype=np.int64, count=len(county))
        if (cells < 0).any():
            row = int(np.flatnonzero(cells < 0)[0])
            raise WeightingError(f"答卷 {data.index[row]}：区县 {county[row]} 的 {variable}="
                                 f"“{values[row]}”不在人口目标中")
        population = rows["population"].to_numpy(dtype=float)
        empty = np.flatnonzero((np.bincount(cells, minlength=len(labels)) == 0) & (population > 0))
        if len(empty):
            raise WeightingError(f"变量 {variable}：这些人口单元没有任何样本：" +
                                 "、".join(f"{labels[i][0]}/{labels[i][1]}" for i in empty))
        result.append(Margin(variable, cells, population, labels))
    return result
