"""The survey's result per county in the typed form another part of an evaluation combines."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

CITY = "ALL"     # the county_results row of the whole city


@dataclass(frozen=True)
class CountyEstimate:
    """One county's weighted satisfaction index (0-100) with the quantities its t interval is made of."""

    county: str           # administrative code
    index: float
    se: float
    df: float             # degrees of freedom of the 95% interval index ± t(df) · se,
    ci_low: float         # which is cut to the scale's 0-100
    ci_high: float
    n: int                # responses used
    n_effective: float    # the simple random sample of the same precision
    imprecise: bool       # too few effective responses or clusters to rely on


def county_estimates(county_results: Mapping[str, object]) -> list[CountyEstimate]:
    """The counties' estimates, in the table's order and without the city row, from `county_results`
    as the analysis returns it (numpy columns) or as the staff figures keep it (lists, None for NaN)."""
    columns = {name: list(county_results[name]) for name in
               ("county", "index", "se", "df", "ci_low", "ci_high", "n", "n_effective", "imprecise")}
    return [CountyEstimate(county=str(row["county"]), index=_float(row["index"]), se=_float(row["se"]),
                           df=_float(row["df"]), ci_low=_float(row["ci_low"]), ci_high=_float(row["ci_high"]),
                           n=int(row["n"]), n_effective=_float(row["n_effective"]), imprecise=bool(row["imprecise"]))
            for row in (dict(zip(columns, values)) for values in zip(*columns.values()))
            if row["county"] != CITY]


def _float(value) -> float:
    return np.nan if value is None else float(value)
