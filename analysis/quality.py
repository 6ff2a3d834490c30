"""Quality rules: which responses are flagged, which are excluded, and how many per county."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

RULES = ("speeder", "straightline", "duplicate_id", "repeat_device", "honeypot", "incomplete")
RULE_NAMES = {
    "speeder": "作答过快", "straightline": "所有题目答案相同", "duplicate_id": "重复提交编号",
    "repeat_device": "同一设备重复提交", "honeypot": "机器填写（隐藏字段）", "incomplete": "有效作答题数不足",
}


@dataclass(frozen=True)
class QualitySettings:
    """Defaults: straight-lining (often a genuine "非常满意" throughout) and repeat devices
    (a family shares one phone) are flagged but kept; the rest exclude."""

    speeder_floor_s: float = 60.0
    speeder_fraction_of_median: float = 0.3
    min_items_answered: int = 8
    exclude: frozenset[str] = field(default_factory=lambda: frozenset(
        {"speeder", "duplicate_id", "honeypot", "incomplete"}))

    def __post_init__(self):
        unknown = set(self.exclude) - set(RULES)
        if unknown:
            raise ValueError(f"未知的质量规则：{'、'.join(sorted(unknown))}（可用：{'、'.join(RULES)}）")


def flags(frame: pd.DataFrame, codes: np.ndarray, answered: np.ndarray,
          settings: QualitySettings) -> pd.DataFrame:
    """One boolean column per rule. `codes` are the raw item codes (NaN = empty), `answered`
    marks items with a score (不了解 is not answered)."""
    duration = frame["duration_s"].to_numpy(dtype=float)
    threshold = max(settings.speeder_floor_s, settings.speeder_fraction_of_median * np.nanmedian(duration))
    given = ~np.isnan(codes)
    first = np.where(given, codes, np.nan)[np.arange(len(codes)), given.argmax(axis=1)]
    same = (np.where(given, codes, first[:, None]) == first[:, None]).all(axis=1) & (given.sum(axis=1) > 1)
    result = pd.DataFrame({
        "speeder": duration < threshold,
        "straightline": same,
        "duplicate_id": frame["response_id"].duplicated(keep="first").to_numpy(),
        "repeat_device": _flag_column(frame, "flag_repeat_device"),
        "honeypot": _flag_column(frame, "flag_honeypot"),
        "incomplete": answered.sum(axis=1) < settings.min_items_answered,
    }, index=frame.index)
    result.attrs["speeder_threshold_s"] = threshold
    return result


def _flag_column(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame:
        return np.zeros(len(frame), dtype=bool)
    return frame[column].fillna(0).to_numpy(dtype=float) > 0


def excluded(rule_flags: pd.DataFrame, settings: QualitySettings) -> np.ndarray:
    rules = [r for r in RULES if r in settings.exclude]
    return rule_flags[rules].any(axis=1).to_numpy() if rules else np.zeros(len(rule_flags), dtype=bool)


def report(county: pd.Series, rule_flags: pd.DataFrame, dropped: np.ndarray) -> pd.DataFrame:
    """Per county: received, flagged by each rule, excluded, used; a last row ALL."""
    table = rule_flags.groupby(county.to_numpy()).sum()
    table.insert(0, "received", county.groupby(county.to_numpy()).size())
    table["excluded"] = pd.Series(dropped).groupby(county.to_numpy()).sum()
    table["used"] = table["received"] - table["excluded"]
    table.loc["ALL"] = table.sum()
    table.index.name = "county"
    return table.reset_index()
