"""Responses in the flat export layout -> checked, integer-coded arrays for the analysis.

The input is any mapping of column name -> values: a pandas DataFrame, a dict of numpy
arrays, or columns already coded as `Factor`s (what `survey analyze` reads).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from questionnaires import Questionnaire

FIRST_ROW = 2  # file line of the first response (line 1 is the header)


class AnalysisError(ValueError):
    """Bad input; the message (Chinese) names the row or column at fault."""


@dataclass(frozen=True)
class Factor:
    """A categorical column: a code per response (-1 = empty) and the label of each code."""

    codes: np.ndarray
    labels: np.ndarray

    @classmethod
    def of(cls, column, sort: bool = True) -> Factor:
        """Code a column of labels (sorted unless `sort` is off; empty, None and NaN are -1)."""
        if isinstance(column, Factor):
            return column
        if type(column).__module__.startswith("pandas"):
            import pandas as pd  # the caller works with pandas already
            codes, labels = pd.factorize(column, sort=sort)
            return cls(codes.astype(np.int64), np.array([str(v) for v in labels], dtype=object))
        values = np.asarray(column, dtype=object)
        missing = np.array([v is None or v != v or v == "" for v in values], dtype=bool)
        labels, inverse = np.unique(values[~missing].astype(str), return_inverse=True)
        codes = np.full(len(values), -1, dtype=np.int64)
        codes[~missing] = inverse
        return cls(codes, labels.astype(object))

    def take(self, rows: np.ndarray) -> Factor:
        return Factor(self.codes[rows], self.labels)

    def label_of(self, row: int) -> str:
        code = self.codes[row]
        return "（空）" if code < 0 else str(self.labels[code])


@dataclass(frozen=True)
class Responses:
    """What the analysis reads of each response, in file order."""

    line: np.ndarray                   # line number in the file, for messages
    response_id: Factor
    county: Factor
    codes: np.ndarray                  # int8 answer codes, responses x items, -1 = empty
    duration: np.ndarray
    honeypot: np.ndarray
    repeat_device: np.ndarray
    burst: np.ndarray                  # one of many from one address within minutes (address or form burst)
    excluded: np.ndarray               # excluded by an evaluator's review (column `excluded`)
    attributes: dict[str, Factor]      # attribute columns present in the file
    cluster: Factor | None
    channel: Factor | None             # the link it came by, when the file has a channel column

    def __len__(self) -> int:
        return len(self.line)

    def take(self, rows: np.ndarray) -> Responses:
        return Responses(self.line[rows], self.response_id.take(rows), self.county.take(rows), self.codes[rows],
                         self.duration[rows], self.honeypot[rows], self.repeat_device[rows], self.burst[rows],
                         self.excluded[rows], {k: f.take(rows) for k, f in self.attributes.items()},
                         self.cluster.take(rows) if self.cluster else None,
                         self.channel.take(rows) if self.channel else None)


def encode(frame: Mapping, questionnaire: Questionnaire, needed: list[str],
           cluster: str | None) -> Responses:
    """Check the columns and answer codes; code every categorical column as integers.

    Parameters
    ----------
    frame : mapping of column -> values
        The flat export layout; "_line", when present, holds each response's line in the file.
    questionnaire : Questionnaire
    needed : list of str
        Further columns the analysis reads (the targets' variables).
    cluster : str or None
        The cluster column.

    Returns
    -------
    Responses

    Raises
    ------
    AnalysisError
        A missing column, an empty county or cluster, or an answer code outside the scale,
        naming the file row (the header is row 1).
    """
    items = list(questionnaire.item_ids)
    required = ["response_id", "county", "duration_s", *items, *needed, *([cluster] if cluster else [])]
    missing = [c for c in dict.fromkeys(required) if c not in frame]
    if missing:
        raise AnalysisError(f"答卷数据缺少列：{'、'.join(missing)}")
    attributes = {a: Factor.of(frame[a]) for a in dict.fromkeys([*questionnaire.attribute_ids, *needed])
                  if a in frame}
    duration, _ = _numbers(frame["duration_s"])
    county = Factor.of(frame["county"])
    lines = np.asarray(frame["_line"]) if "_line" in frame else np.arange(FIRST_ROW, FIRST_ROW + len(county.codes))
    if (county.codes < 0).any():
        raise AnalysisError(f"第 {lines[np.flatnonzero(county.codes < 0)[0]]} 行：区县为空")
    groups = Factor.of(frame[cluster]) if cluster else None
    if groups is not None and (groups.codes < 0).any():
        raise AnalysisError(f"第 {lines[np.flatnonzero(groups.codes < 0)[0]]} 行：整群列 {cluster} 为空")
    response_id = Factor.of(frame["response_id"], sort=False)
    _refuse_damaged_ids(response_id, lines)
    return Responses(
        line=lines,
        response_id=response_id,
        county=county,
        codes=_answer_codes(frame, items, set(questionnaire.scale.codes), lines),
        duration=duration,
        honeypot=_flag(frame, "flag_honeypot", len(county.codes)),
        repeat_device=_flag(frame, "flag_repeat_device", len(county.codes)),
        burst=_flag(frame, "flag_address_burst", len(county.codes)) | _flag(frame, "flag_form_burst", len(county.codes)),
        excluded=_flag(frame, "excluded", len(county.codes)),
        attributes=attributes,
        cluster=groups,
        channel=Factor.of(frame["channel"]) if "channel" in frame else None,
    )


# What a spreadsheet writes into a cell it could not compute: a file saved so has lost those ids.
SPREADSHEET_ERRORS = {"#NAME?", "#VALUE!", "#REF!", "#N/A", "#DIV/0!", "#NUM!", "#NULL!", "#ERROR!"}


def _refuse_damaged_ids(ids: Factor, lines: np.ndarray) -> None:
    """An empty id or a spreadsheet's error value is refused, not dropped later as a duplicate."""
    bad = ids.codes < 0
    if "\n#" in "\n" + "\n".join(map(str, ids.labels)):          # one scan; error values start with #
        damaged = np.array([str(label).strip().upper() in SPREADSHEET_ERRORS for label in ids.labels], dtype=bool)
        bad |= np.append(damaged, False)[ids.codes]
    if bad.any():
        rows = np.flatnonzero(bad)
        raise AnalysisError(
            f"第 {lines[rows[0]]} 行等 {len(rows)} 行的回执编号（response_id）为空或是电子表格的错误值"
            f"“{ids.label_of(int(rows[0]))}”：文件经电子表格软件保存时损坏了编号。请改用系统导出的原始 CSV 文件"
            "（或在电子表格中把该列设为文本后重新导入）")


def _answer_codes(frame: Mapping, items: list[str], allowed: set[int], lines: np.ndarray) -> np.ndarray:
    """Responses x items as int8 codes, -1 where empty."""
    valid = np.zeros(max(allowed) + 1, dtype=bool)
    valid[sorted(allowed)] = True
    codes = None
    for j, item in enumerate(items):
        values, text = _numbers(frame[item])
        if codes is None:
            codes = np.empty((len(values), len(items)), dtype=np.int8)
        given = ~np.isnan(values)
        whole = np.where(given, values, -1)
        known = (whole >= 0) & (whole < len(valid)) & (whole == np.round(whole))
        bad = given & ~(known & valid[np.where(known, whole, 0).astype(np.intp)])
        if text is not None:
            bad |= text
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            shown = np.asarray(frame[item], dtype=object)[row]
            raise AnalysisError(f"第 {lines[row]} 行 {item} 列：答案代码“{_plain(shown)}”不在量表中"
                                f"（可用：{'、'.join(map(str, sorted(allowed)))}）")
        codes[:, j] = whole
    return codes


def _numbers(column) -> tuple[np.ndarray, np.ndarray | None]:
    """Floats (NaN = empty) and, where some values are text that is not a number, a mask of them."""
    try:
        return np.asarray(column, dtype=float), None
    except (TypeError, ValueError):
        pass
    values = np.asarray(column, dtype=object)
    numbers = np.full(len(values), np.nan)
    text = np.zeros(len(values), dtype=bool)
    for i, v in enumerate(values):
        if v is None or v != v or (isinstance(v, str) and not v.strip()):
            continue
        try:
            numbers[i] = float(v)
        except (TypeError, ValueError):
            text[i] = True
    return numbers, text


def _plain(value) -> str:
    return str(int(value)) if isinstance(value, (float, np.floating)) and float(value).is_integer() else str(value)


def _flag(frame: Mapping, column: str, n: int) -> np.ndarray:
    if column not in frame:
        return np.zeros(n, dtype=bool)
    return np.nan_to_num(_numbers(frame[column])[0]) > 0
