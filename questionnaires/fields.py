"""Field paths of a definition (e.g. ``items[2].weight``): their Chinese names, and their lines in a YAML file."""
from __future__ import annotations

import re

import yaml

# The fields of each level of a definition, by the key that leads to the level ("" is the file itself).
_NAMES = {
    "": {"id": "问卷编号", "version": "版本号", "title": "标题", "introduction": "开头说明",
         "estimated_minutes": "预计用时", "scale": "量表", "attributes": "答题人信息", "items": "题目",
         "comment": "意见建议题", "quality": "质量设置"},
    "scale": {"points": "选项", "not_applicable": "“不了解/不适用”的代码", "satisfied": "计为“满意”的代码",
              "dissatisfied": "计为“不满意”的代码"},
    "points": {"code": "代码", "label": "文字", "score": "分值"},
    "attributes": {"id": "编号", "question": "问题", "options": "选项", "applies_if": "“仅当”条件"},
    "options": {"id": "编号", "label": "文字"},
    "items": {"id": "编号", "text": "题目文字", "topic": "主题", "weight": "权重"},
    "comment": {"question": "问题", "max_length": "最多字数"},
    "quality": {"min_seconds": "最短合理作答时间", "min_items_answered": "计算个人指数至少需答题数"},
}
# One element of a list, named in place of the list.
_ELEMENTS = {"points": "第 {n} 个选项", "attributes": "答题人信息第 {n} 项", "options": "第 {n} 个选项",
             "items": "题目第 {n} 题"}
_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def describe(path: str, definition=None) -> str | None:
    """The Chinese name of a field path, e.g. items[2].weight -> 题目第 3 题（q03）的权重 (the element's id
    from `definition`, when it has one). None when the path does not start at a field of a definition."""
    words: list[str] = []
    level, node = "", definition
    for key, index in _STEP.findall(path):
        if index:
            if not words:
                return None
            n = int(index)
            node = node[n] if isinstance(node, list) and n < len(node) else None
            ident = node.get("id") if isinstance(node, dict) else None
            words[-1] = _ELEMENTS.get(level, "第 {n} 项").format(n=n + 1)
            if isinstance(ident, str):
                words[-1] += f"（{ident}）"
            continue
        known = _NAMES.get(level, {})
        if not words and key not in known:
            return None
        words.append(known.get(key, f"中的“{key}”"))
        level, node = key, node.get(key) if isinstance(node, dict) else None
    name = words[0] if words else ""
    for word in words[1:]:
        name += word if word.startswith(("第", "中的")) else f"的{word}"
    return name or None


def message(field: str, problem: str, line: int | None, definition=None) -> str:
    """One problem as an evaluator reads it: 第 12 行，题目第 3 题（q03）的权重（items[2].weight）：必须为正数."""
    name = describe(field, definition)
    where = f"{name}（{field}）" if name else field
    return f"第 {line} 行，{where}：{problem}" if line else f"{where}：{problem}"


def lines(text: str, loader) -> dict[str, int]:
    """The line (1-based, as an editor shows it) where each field path of YAML text starts: a mapping
    entry at its key, a list element at its first character."""
    found: dict[str, int] = {}
    stack = [("", yaml.compose(text, Loader=loader))]
    while stack:
        path, node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = f"{path}.{key.value}" if path else str(key.value)
                found[child] = key.start_mark.line + 1
                stack.append((child, value))
        elif isinstance(node, yaml.SequenceNode):
            for i, value in enumerate(node.value):
                found[f"{path}[{i}]"] = value.start_mark.line + 1
                stack.append((f"{path}[{i}]", value))
    return found


def line_of(path: str, found: dict[str, int]) -> int | None:
    """The line of a field, or of the nearest element or mapping that holds it (a missing field has no line
    of its own); None for a field of the file itself that is missing."""
    while path:
        if path in found:
            return found[path]
        shorter = re.sub(r"(?:\.[^.\[\]]+|\[\d+\]|^[^.\[\]]+)$", "", path)
        if shorter == path:
            return None
        path = shorter
    return None
