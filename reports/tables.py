"""The analysis results as CSV files (UTF-8 with BOM so Excel shows the Chinese) plus a JSON record."""
from __future__ import annotations

import json
from pathlib import Path

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
        table: pd.DataFrame = getattr(results, attribute)
        path = directory / name
        table.to_csv(path, index=False, encoding="utf-8-sig", float_format="%.10g")
        written.append(path)
    record = {**results.record, **(record_extra or {})}
    path = directory / "settings.json"
    path.write_text(json.dumps(record, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    written.append(path)
    return written
