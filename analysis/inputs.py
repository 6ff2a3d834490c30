"""Responses in the flat export layout -> checked, integer-coded arrays for the analysis."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

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
    def of(cls, column: pd.Series | np.ndarray) -> "Factor":
        codes, labels = pd.factorize(pd.Series(column), sort=True)
        return cls(codes.astype(np.int64), np.array([str(v) for v in labels], dtype=object))

    def take(self, rows: np.ndarray) -> "Factor":
        return Factor(self.codes[rows], self.labels)

    def label_of(self, row: int) -> str:
        code = self.codes[row]
        return "（空）" if code < 0 else str(self.labels[code])


@dataclass(frozen=True)
class Responses:
    """What the analysis reads of each response, in file order."""

    line: np.ndarray                   # line number in the file, for messages
    response_id: np.ndarray
    county: Factor
    codes: np.ndarray                  # int8 answer codes, responses x items, -1 = empty
    duration: np.ndarray
    honeypot: np.ndarray
    repeat_device: np.ndarray
    attributes: dict[str, Factor]      # attribute columns present in the file
    cluster: Factor | None

    def __len__(self) -> int:
        return len(self.response_id)

    def take(self, rows: np.ndarray) -> "Responses":
        return Responses(self.line[rows], self.response_id[rows], self.county.take(rows), self.codes[rows],
                         self.duration[rows], self.honeypot[rows], self.repeat_device[rows],
                         {k: f.take(rows) for k, f in self.attributes.items()},
                         self.cluster.take(rows) if self.cluster else None)


def encode(frame: pd.DataFrame, questionnaire: Questionnaire, needed: list[str],
           cluster: str | None) -> Responses:
    """Check the columns and answer codes; code every categorical column as integers."""
    items = list(questionnaire.item_ids)
    required = ["response_id", "county", "duration_s", *items, *needed, *([cluster] if cluster else [])]
    missing = [c for c in dict.fromkeys(required) if c not in frame]
    if missing:
        raise AnalysisError(f"答卷数据缺少列：{'、'.join(missing)}")
    attributes = {a: Factor.of(frame[a]) for a in dict.fromkeys([*questionnaire.attribute_ids, *needed])
                  if a in frame}
    duration = pd.to_numeric(frame["duration_s"], errors="coerce").to_numpy(dtype=float)
    county = Factor.of(frame["county"])
    if (county.codes < 0).any():
        raise AnalysisError(f"第 {int(np.flatnonzero(county.codes < 0)[0]) + FIRST_ROW} 行：区县为空")
    groups = Factor.of(frame[cluster]) if cluster else None
    if groups is not None and (groups.codes < 0).any():
        row = int(np.flatnonzero(groups.codes < 0)[0]) + FIRST_ROW
        raise AnalysisError(f"第 {row} 行：整群列 {cluster} 为空")
    return Responses(
        line=np.arange(FIRST_ROW, FIRST_ROW + len(frame)),
        response_id=frame["response_id"].to_numpy(dtype=object),
        county=county,
        codes=_answer_codes(frame, items, set(questionnaire.scale.codes)),
        duration=duration,
        honeypot=_flag(frame, "flag_honeypot"),
        repeat_device=_flag(frame, "flag_repeat_device"),
        attributes=attributes,
        cluster=groups,
    )


def _answer_codes(frame: pd.DataFrame, items: list[str], allowed: set[int]) -> np.ndarray:
    """Responses x items as int8 codes, -1 where empty."""
    valid = np.zeros(max(allowed) + 1, dtype=bool)
    valid[sorted(allowed)] = True
    codes = np.empty((len(frame), len(items)), dtype=np.int8)
    for j, item in enumerate(items):
        column = frame[item]
        values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        given = ~np.isnan(values)
        whole = np.where(given, values, -1)
        known = (whole >= 0) & (whole < len(valid)) & (whole == np.round(whole))
        bad = given & ~(known & valid[np.where(known, whole, 0).astype(np.intp)])
        bad |= column.notna().to_numpy() & ~given         # text that is not a number
        if bad.any():
            _refuse(frame, bad, item, sorted(allowed))
        codes[:, j] = whole
    return codes


def _refuse(frame: pd.DataFrame, bad: np.ndarray, item: str, allowed: list[int]):
    row = int(np.flatnonzero(bad)[0])
    raise AnalysisError(f"第 {row + FIRST_ROW} 行 {item} 列：答案代码“{frame[item].iloc[row]}”不在量表中"
                        f"（可用：{'、'.join(map(str, allowed))}）")


def _flag(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame:
        return np.zeros(len(frame), dtype=bool)
    return pd.to_numeric(frame[column], errors="coerce").fillna(0).to_numpy(dtype=float) > 0
