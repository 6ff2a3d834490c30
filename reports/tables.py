"""The analysis results as CSV files (UTF-8 with BOM so Excel shows the Chinese) plus a JSON record."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.job import Results

TABLES = {
    "county_results.csv": "county_results", "item_results.csv": "item_results",
    "quality.csv": "quality", "weights.csv": "weights", "breakdowns.csv": "breakdowns",
    "problems.csv": "problems", "reliability.csv": "reliability", "drivers.csv": "drivers",
}


def write(results: Results, directory: Path, record_extra: dict | None = None) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, attribute in TABLES.items():
        path = directory / name
        write_csv(getattr(results, attribute), path)
        written.append(path)
    record = {**results.record, **(record_extra or {})}
    path = directory / "settings.json"
    path.write_text(json.dumps(record, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    written.append(path)
    return written


def write_csv(table: pd.DataFrame, path: Path) -> None:
    """Numbers to 10 significant digits, missing values empty, text quoted where CSV needs it.

    Each distinct value of a column is formatted once, so a million weights (a few dozen
    distinct values) write in a fraction of a second.
    """
    columns = [_texts(table[name]) for name in table.columns]
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        stream.write(",".join(map(_quoted, map(str, table.columns))) + "\n")
        if len(table):
            stream.write("\n".join(map(",".join, zip(*columns))) + "\n")


def _texts(column: pd.Series) -> np.ndarray:
    if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
        values = column.to_numpy(dtype=object, na_value="")
        if all(isinstance(v, str) for v in values[:100]):
            try:
                joined = "".join(values)
            except TypeError:
                pass
            else:   # ids and codes: usually nothing to quote, so no work per value
                return values if not _needs_quotes(joined) else np.array([_quoted(v) for v in values], dtype=object)
    codes, uniques = pd.factorize(column)
    text = np.array([*map(_format, uniques), ""], dtype=object)   # code -1 (missing) -> ""
    return text[codes]


def _format(value) -> str:
    if isinstance(value, (float, np.floating)):
        return "%.10g" % value
    return _quoted(str(value))


def _needs_quotes(text: str) -> bool:
    return any(ch in text for ch in ',"\n\r')


def _quoted(text: str) -> str:
    if _needs_quotes(text):
        return '"' + text.replace('"', '""') + '"'
    return text
