"""The questionnaire editor's form: a definition as named fields and back, and where an error belongs.

Fields: id, version, title, introduction, estimated_minutes; scale-<i>-code|label|score,
not_applicable, satisfied, dissatisfied; attribute-<i>-id|question|options|applies_if (options
one "id 标签" per line, applies_if "attribute=option,option"); item-<i>-id|topic|text|weight;
comment-question, comment-max_length (the open question: none while its question is blank);
quality-min_seconds, quality-min_items_answered. Rows left blank are dropped, so the editor
always offers a few empty rows to add to. A definition with problems is shown again as typed,
each problem beside its field.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

SPARE_ROWS = {"scale": 2, "attribute": 1, "item": 4}


@dataclass
class EditorForm:
    values: dict[str, str]
    rows: dict[str, int]                               # rows shown per kind (filled + spare)
    positions: dict[str, list[int]] = field(default_factory=dict)   # definition index -> form row, per kind

    def get(self, name: str) -> str:
        return self.values.get(name, "")


def _number(text: str):
    text = text.strip()
    try:
        value = float(text)
    except ValueError:
        return text          # the loader names the field: 应为数字
    return int(value) if value.is_integer() else value


def _codes(text: str) -> list:
    return [_number(c) for c in re.split(r"[,，、\s]+", text.strip()) if c]


def from_definition(definition: dict) -> EditorForm:
    values: dict[str, str] = {}
    for key in ("id", "version", "title", "introduction", "estimated_minutes"):
        values[key] = str(definition.get(key, ""))
    scale = definition.get("scale", {})
    points = scale.get("points", [])
    for i, p in enumerate(points):
        values |= {f"scale-{i}-code": str(p.get("code", "")), f"scale-{i}-label": str(p.get("label", "")),
                   f"scale-{i}-score": "" if p.get("score") is None else f"{p['score']:g}"}
    values["not_applicable"] = "" if scale.get("not_applicable") is None else str(scale["not_applicable"])
    values["satisfied"] = ",".join(map(str, scale.get("satisfied", [])))
    values["dissatisfied"] = ",".join(map(str, scale.get("dissatisfied", [])))
    attributes = definition.get("attributes") or []
    for i, a in enumerate(attributes):
        values |= {f"attribute-{i}-id": str(a.get("id", "")), f"attribute-{i}-question": str(a.get("question", "")),
                   f"attribute-{i}-options": "\n".join(f"{o.get('id', '')} {o.get('label', '')}"
                                                       for o in a.get("options", [])),
                   f"attribute-{i}-applies_if": "；".join(f"{k}={','.join(v)}"
                                                         for k, v in (a.get("applies_if") or {}).items())}
    items = definition.get("items", [])
    for i, item in enumerate(items):
        values |= {f"item-{i}-id": str(item.get("id", "")), f"item-{i}-topic": str(item.get("topic", "")),
                   f"item-{i}-text": str(item.get("text", "")), f"item-{i}-weight": f"{item.get('weight', 1):g}"}
    comment = definition.get("comment") or {}
    values["comment-question"] = str(comment.get("question", ""))
    values["comment-max_length"] = str(comment.get("max_length", "")) if comment else ""
    quality = definition.get("quality", {})
    for key in ("min_seconds", "min_items_answered"):
        values[f"quality-{key}"] = str(quality.get(key, ""))
    counts = {"scale": len(points), "attribute": len(attributes), "item": len(items)}
    return EditorForm(values, {k: n + SPARE_ROWS[k] for k, n in counts.items()})


def to_definition(posted) -> tuple[dict, EditorForm]:
    """The definition the posted fields describe (for the loader to check), and the form to show again."""
    values = {k: v for k, v in posted.items() if k != "csrf_token"}
    form = EditorForm(values, {})

    def rows(kind: str, names: tuple[str, ...]) -> list[dict[str, str]]:
        indices = sorted({int(m.group(1)) for k in values if (m := re.match(rf"{kind}-(\d+)-", k))})
        form.rows[kind] = (max(indices) + 1 if indices else 0) + SPARE_ROWS[kind]
        filled = [i for i in indices if any(values.get(f"{kind}-{i}-{n}", "").strip() for n in names)]
        form.positions[kind] = filled
        return [{n: values.get(f"{kind}-{i}-{n}", "").strip() for n in names} for i in filled]

    points = [{"code": _number(p["code"]), "label": p["label"], **({"score": _number(p["score"])} if p["score"] else {})}
              for p in rows("scale", ("code", "label", "score"))]
    attributes = []
    for a in rows("attribute", ("id", "question", "options", "applies_if")):
        options = [dict(zip(("id", "label"), (line.split(None, 1) + [""])[:2]))
                   for line in a["options"].splitlines() if line.strip()]
        attribute = {"id": a["id"], "question": a["question"], "options": options}
        conditions = [c for c in re.split(r"[;；\n]+", a["applies_if"]) if c.strip()]
        if conditions:
            attribute["applies_if"] = {k.strip(): [v for v in re.split(r"[,，、\s]+", rest) if v]
                                       for k, _, rest in (c.partition("=") for c in conditions)}
        attributes.append(attribute)
    items = [{"id": i["id"], "topic": i["topic"], "text": i["text"], "weight": _number(i["weight"] or "1")}
             for i in rows("item", ("id", "topic", "text", "weight"))]
    definition = {
        "id": values.get("id", "").strip(), "version": values.get("version", "").strip(),
        "title": values.get("title", "").strip(), "introduction": values.get("introduction", "").strip(),
        "estimated_minutes": _number(values.get("estimated_minutes", "") or "3"),
        "scale": {"points": points, "satisfied": _codes(values.get("satisfied", "")),
                  "dissatisfied": _codes(values.get("dissatisfied", "")),
                  **({"not_applicable": _number(values["not_applicable"])}
                     if values.get("not_applicable", "").strip() else {})},
        "attributes": attributes, "items": items, **_comment(values),
        "quality": {k: _number(values.get(f"quality-{k}", "")) for k in ("min_seconds", "min_items_answered")
                    if values.get(f"quality-{k}", "").strip()},
    }
    return definition, form


def _comment(values: dict[str, str]) -> dict:
    """The open question, when its question or its length is filled in (the loader names what is missing)."""
    question, length = values.get("comment-question", "").strip(), values.get("comment-max_length", "").strip()
    if not question and not length:
        return {}
    return {"comment": {"question": question, **({"max_length": _number(length)} if length else {})}}


def errors_at_fields(problems, form: EditorForm) -> dict[str, list[str]]:
    """Each loader problem (field path, problem, line) at the form field it belongs to, in the loader's
    order (that of the page)."""
    errors: dict[str, list[str]] = {}
    for path, problem, _ in problems:
        errors.setdefault(error_field(path, form), []).append(problem)
    return errors


def error_field(path: str, form: EditorForm) -> str:
    """The form field a loader error path (e.g. items[2].weight) belongs to."""
    for pattern, kind in ((r"scale\.points\[(\d+)\]\.(\w+)", "scale"), (r"attributes\[(\d+)\]\.(\w+)", "attribute"),
                          (r"items\[(\d+)\]\.(\w+)", "item")):
        if m := re.match(pattern, path):
            index = int(m.group(1))
            positions = form.positions.get(kind, [])
            row = positions[index] if index < len(positions) else index
            return f"{kind}-{row}-{m.group(2)}"
    if path.startswith("scale."):
        return path.split(".", 1)[1].split(".")[0] if not path.startswith("scale.points") else "scale-0-code"
    if path.startswith(("quality.", "comment.")):
        return path.replace(".", "-", 1)
    if path in ("items", "attributes"):
        return f"{path[:-1]}-0-id"
    return path


_KINDS = {"scale": "量表第 {n} 行", "attribute": "答题人信息第 {n} 项", "item": "题目第 {n} 行"}
_PARTS = {"code": "代码", "label": "文字", "score": "分值", "id": "编号", "question": "问题", "options": "选项",
          "applies_if": "条件", "topic": "主题", "text": "题目", "weight": "权重", "version": "版本号",
          "title": "标题", "introduction": "开头说明", "estimated_minutes": "预计用时",
          "not_applicable": "“不了解”的代码", "satisfied": "“满意”的代码", "dissatisfied": "“不满意”的代码",
          "comment-question": "意见建议题的问题", "comment-max_length": "意见建议的最多字数", "comment": "意见建议题",
          "quality-min_seconds": "最短合理作答时间", "quality-min_items_answered": "至少需答题数"}


def describe(name: str) -> str:
    """How a field is called on the page, e.g. item-2-weight -> 题目第 3 行的权重."""
    if m := re.match(r"(scale|attribute|item)-(\d+)-(\w+)", name):
        return f"{_KINDS[m.group(1)].format(n=int(m.group(2)) + 1)}的{_PARTS.get(m.group(3), m.group(3))}"
    return _PARTS.get(name, name)
