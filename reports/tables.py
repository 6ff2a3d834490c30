"""The analysis results as CSV files (UTF-8 with BOM so Excel shows the Chinese) plus a JSON record."""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence

import numpy as np

from analysis.job import Results
from analysis.table import Table

TABLES = {
    "county_results.csv": "county_results", "item_results.csv": "item_results",
    "quality.csv": "quality", "bursts.csv": "bursts", "weights.csv": "weights", "breakdowns.csv": "breakdowns",
    "problems.csv": "problems", "reliability.csv": "reliability", "drivers.csv": "drivers",
    "composition.csv": "composition", "item_distribution.csv": "distribution",
}
# What each table is called where people pick it (the workbook's sheets carry the same names).
TITLES = {
    "county_results.csv": "区县结果", "item_results.csv": "题目明细", "quality.csv": "质量",
    "bursts.csv": "集中提交的渠道", "weights.csv": "权重", "breakdowns.csv": "分组结果", "problems.csv": "问题清单",
    "reliability.csv": "信度", "drivers.csv": "重要性—表现", "composition.csv": "样本构成", "item_distribution.csv": "答案分布",
    "settings.json": "设置记录",
}
# Columns a county fills in by hand (整改措施, 责任科室), empty, after the named column of the table.
FILL_IN = {"problems": ("reason", ("measures", "department"))}


def table_of(results: Results, attribute: str) -> Table:
    """A result table as files carry it: with its empty fill-in columns (FILL_IN)."""
    table = getattr(results, attribute)
    if attribute not in FILL_IN:
        return table
    after, blank = FILL_IN[attribute]
    columns = {}
    for name in table:
        columns[name] = table[name]
        if name == after:
            columns |= {column: np.full(table.n_rows, "", dtype=object) for column in blank}
    return Table(columns)


def neutralised(text: str) -> str:
    """Text that a spreadsheet would take for a formula (= + - @ first) gets a leading apostrophe."""
    return "'" + text if text[:1] in FORMULA_STARTS else text


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def xlsx_text(text: str) -> str:
    """Text as XlsxWriter must be given it: a string that starts with <r> and ends with </r> is written
    as raw XML (a rich string), which a typed name could use to break the workbook; such text gets a
    leading apostrophe, as a formula does."""
    return "'" + text if text.startswith("<r>") and text.endswith("</r>") else text
FORMULA_AT_START = re.compile("\n[=+\\-@\t\r]")


def rows_csv(header: Sequence[str], rows: Iterable[Sequence], bom: bool = True) -> str:
    """Rows under a header as CSV text (a BOM first unless told), every text cell neutralised: the
    one writer of the lists the workspace and the command line hand out (progress, links, targets)."""
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow([neutralised(str(h)) for h in header])
    writer.writerows([neutralised(v) if isinstance(v, str) else "" if v is None else v for v in row] for row in rows)
    return ("\ufeff" if bom else "") + stream.getvalue()


def csv_bytes(table: Table, names: dict[str, str]) -> bytes:
    """The table with county names beside the codes, as CSV bytes (UTF-8 with BOM)."""
    if "county" in table:
        columns = {}
        for name in table:
            columns[name] = table[name]
            if name == "county":
                columns["county_name"] = [("全市" if c == "ALL" else names.get(str(c), "")) for c in table[name]]
        table = Table(columns)
    return csv_text(table).encode("utf-8")


PER_RESPONSE = {"weights"}   # a row per response (a million rows): county codes only, written fast


def files(results: Results, names: dict[str, str]) -> dict[str, bytes]:
    """Every table as CSV (county names beside the codes in the result tables) and the record as
    settings.json: the output of `survey analyze`."""
    out = {name: csv_text(getattr(results, attribute)).encode("utf-8") if attribute in PER_RESPONSE
           else csv_bytes(table_of(results, attribute), names) for name, attribute in TABLES.items()}
    out["settings.json"] = record_json(results.record).encode("utf-8")
    return out


def record_json(record: dict) -> str:
    """Strict JSON (no NaN or Infinity, which strict readers refuse): a bound of minus infinity is null."""
    return json.dumps(_finite(record), ensure_ascii=False, indent=2, default=str, allow_nan=False)


def _finite(value):
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    if isinstance(value, (float, np.floating)) and not np.isfinite(value):
        return None
    return value.item() if isinstance(value, np.generic) else value


def csv_text(table: Table) -> str:
    """Numbers to 10 significant digits, missing values empty, text quoted where CSV needs it, a BOM first.

    Each distinct number of a column is formatted once, so a million weights (a few dozen
    distinct values) write in a fraction of a second.
    """
    stream = io.StringIO()
    _write(table, stream)
    return stream.getvalue()


def _write(table: Table, stream) -> None:
    columns = [_texts(table[name]) for name in table]
    stream.write("\ufeff" + ",".join(map(_quoted, table)) + "\n")
    if table.n_rows:
        stream.write("\n".join(map(",".join, zip(*columns))) + "\n")


def _texts(values: np.ndarray) -> np.ndarray:
    if values.dtype.kind in "fiub":
        distinct, inverse = np.unique(values, return_inverse=True)
        return np.array([_number(v) for v in distinct], dtype=object)[inverse.ravel()]
    text = ["" if v is None or v != v else str(v) for v in values]
    # Ids and codes: usually nothing to neutralise or quote, found by scanning them joined once.
    if FORMULA_AT_START.search("\n" + "\n".join(text)):
        text = [neutralised(v) for v in text]
    joined = "".join(text)
    return np.array(text if not _needs_quotes(joined) else [_quoted(v) for v in text], dtype=object)


def _number(value) -> str:
    if value.dtype.kind == "b":
        return "1" if value else "0"
    return "" if value != value else "%.10g" % value


def _needs_quotes(text: str) -> bool:
    return any(ch in text for ch in ',"\n\r')


def _quoted(text: str) -> str:
    if _needs_quotes(text):
        return '"' + text.replace('"', '""') + '"'
    return text
