"""What a replace changed, in words for the audit log: "人口目标：18 → 20 个单元（新增 2，删除 0，改变 3）"."""
from __future__ import annotations

from collections.abc import Hashable, Mapping


def summary(noun: str, unit: str, before: Mapping[Hashable, object], after: Mapping[Hashable, object]) -> str:
    added = len(after.keys() - before.keys())
    removed = len(before.keys() - after.keys())
    changed = sum(1 for key in before.keys() & after.keys() if before[key] != after[key])
    if not (added or removed or changed):
        return f"{noun}：{len(after)} {unit}，没有变化"
    return f"{noun}：{len(before)} → {len(after)} {unit}（新增 {added}，删除 {removed}，改变 {changed}）"
