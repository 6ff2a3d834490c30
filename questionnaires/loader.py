"""Load and validate questionnaire definitions (YAML) into frozen objects.

Every problem is reported as ``QuestionnaireError`` naming the file, the field
path (e.g. ``items[3].weight``) and what is wrong, in Chinese for evaluators.
"""
from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

import yaml

from questionnaires.model import (
    MAX_CODE,
    Attribute,
    Item,
    Option,
    QualityRules,
    Questionnaire,
    Scale,
    ScalePoint,
)

BUILTIN_DIR = Path(__file__).parent
# libyaml's parser where PyYAML was built with it: ten times faster, same result.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
ID_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
VERSION_PATTERN = re.compile(r"[^./\\\x00-\x1f\x7f][^/\\\x00-\x1f\x7f]*")   # a file name part
DEFAULT = "county_education_satisfaction"   # the built-in 16-item questionnaire
# The fields each level may hold.
ROOT_KEYS = ("id", "version", "title", "introduction", "estimated_minutes", "scale", "attributes", "items", "quality")
SCALE_KEYS = ("points", "not_applicable", "satisfied", "dissatisfied")
POINT_KEYS = ("code", "label", "score")
ATTRIBUTE_KEYS = ("id", "question", "options", "applies_if")
OPTION_KEYS = ("id", "label")
ITEM_KEYS = ("id", "text", "topic", "weight")
QUALITY_KEYS = ("min_seconds", "min_items_answered")


class QuestionnaireError(ValueError):
    def __init__(self, source: str, field: str, problem: str):
        self.source, self.field, self.problem = source, field, problem
        super().__init__(f"{source}: {field}: {problem}")


def resolve(name_or_path: str | Path) -> Path:
    """A built-in questionnaire by name (file stem) or a path to a YAML file."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") and path.exists():
        return path
    builtin = BUILTIN_DIR / f"{name_or_path}.yaml"
    if builtin.exists():
        return builtin
    available = "、".join(builtin_names())
    raise QuestionnaireError(str(name_or_path), "文件", f"找不到该问卷文件或内置问卷（内置：{available}）")


def builtin_names() -> list[str]:
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))


def load(name_or_path: str | Path) -> Questionnaire:
    path = resolve(name_or_path)
    return loads(path.read_text(encoding="utf-8"), source=path.name)


def loads(text: str, source: str = "<text>") -> Questionnaire:
    """A questionnaire from YAML text. Aliases (&/*) are refused: a definition never needs them,
    and a few nested ones expand to billions of nodes."""
    try:
        if any(isinstance(event, yaml.AliasEvent) for event in yaml.parse(text, Loader=SAFE_LOADER)):
            raise QuestionnaireError(source, "YAML", "不允许使用 YAML 别名（& 和 *），请直接写出内容")
        data = yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise QuestionnaireError(source, "YAML", f"格式错误：{exc}") from exc
    return load_dict(data, source=source)


def load_dict(data: Any, source: str = "<dict>") -> Questionnaire:
    return _Validator(source).questionnaire(data)


class _Validator:
    def __init__(self, source: str):
        self.source = source

    def fail(self, field: str, problem: str):
        raise QuestionnaireError(self.source, field, problem)

    def mapping(self, value, field: str, allowed: tuple[str, ...]) -> dict:
        """A mapping with no key outside `allowed` (a typo such as wieght is named, not ignored)."""
        if not isinstance(value, dict):
            self.fail(field, "应为键值映射")
        for key in value:
            if key not in allowed:
                guess = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f"，是否应为“{guess[0]}”？" if guess else f"（可用：{'、'.join(allowed)}）"
                self.fail(f"{field}.{key}" if field != "（根）" else str(key), f"未知的字段“{key}”{hint}")
        return value

    def text(self, data: dict, key: str, field: str, required: bool = True) -> str:
        value = data.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{field}.{key}" if field else key, "缺少或为空，应为非空文本")
        return value.strip()

    def identifier(self, data: dict, field: str) -> str:
        value = data.get("id")
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            self.fail(f"{field}.id", f"编号“{value}”无效：须以字母开头，只含字母、数字、下划线")
        return value

    def number(self, data: dict, key: str, field: str, default=None, positive=False, integer=False):
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(f"{field}.{key}" if field else key, f"应为数字，实际为“{value}”")
        if integer and value != int(value):
            self.fail(f"{field}.{key}" if field else key, f"应为整数，实际为 {value}")
        if positive and value <= 0:
            self.fail(f"{field}.{key}" if field else key, f"必须为正数，实际为 {value}")
        return int(value) if integer else float(value)

    def sequence(self, data: dict, key: str, field: str, min_len: int = 1) -> list:
        value = data.get(key)
        if not isinstance(value, list) or len(value) < min_len:
            self.fail(f"{field}.{key}" if field else key, f"应为至少 {min_len} 项的列表")
        return value

    def unique(self, ids: list[str], field: str):
        seen = set()
        for i, value in enumerate(ids):
            if value in seen:
                self.fail(f"{field}[{i}].id", f"编号“{value}”重复")
            seen.add(value)

    def questionnaire(self, data) -> Questionnaire:
        data = self.mapping(data, "（根）", ROOT_KEYS)
        scale = self.scale(self.mapping(data.get("scale"), "scale", SCALE_KEYS))
        attributes = tuple(
            self.attribute(self.mapping(a, f"attributes[{i}]", ATTRIBUTE_KEYS), f"attributes[{i}]")
            for i, a in enumerate(data.get("attributes") or [])
        )
        self.unique([a.id for a in attributes], "attributes")
        self.check_conditions(attributes)
        items = tuple(
            self.item(self.mapping(it, f"items[{i}]", ITEM_KEYS), f"items[{i}]")
            for i, it in enumerate(self.sequence(data, "items", ""))
        )
        self.unique([it.id for it in items], "items")
        clash = {a.id for a in attributes} & {it.id for it in items}
        if clash:
            self.fail("attributes", f"编号与题目编号重复：{'、'.join(sorted(clash))}")
        quality = self.mapping(data.get("quality", {}), "quality", QUALITY_KEYS)
        rules = QualityRules(
            min_seconds=self.number(quality, "min_seconds", "quality", default=60, integer=True),
            min_items_answered=self.number(quality, "min_items_answered", "quality",
                                           default=1, integer=True, positive=True),
        )
        if rules.min_items_answered > len(items):
            self.fail("quality.min_items_answered", f"不能超过题目数 {len(items)}")
        version = data.get("version")
        if not isinstance(version, (str, int, float)) or str(version).strip() == "":
            self.fail("version", "缺少版本号")
        if not VERSION_PATTERN.fullmatch(str(version)):
            self.fail("version", f"版本号“{version}”不能包含 /、\\ 或控制字符，也不能以“.”开头（下载的文件以它命名）")
        return Questionnaire(
            id=self.identifier(data, "（根）"),
            version=str(version),
            title=self.text(data, "title", ""),
            introduction=self.text(data, "introduction", ""),
            estimated_minutes=self.number(data, "estimated_minutes", "", default=3,
                                          integer=True, positive=True),
            scale=scale, attributes=attributes, items=items, quality=rules,
            source=data,
        )

    def scale(self, data: dict) -> Scale:
        points = []
        for i, raw in enumerate(self.sequence(data, "points", "scale", min_len=2)):
            field = f"scale.points[{i}]"
            raw = self.mapping(raw, field, POINT_KEYS)
            code = self.number(raw, "code", field, integer=True)
            if not 0 <= code <= MAX_CODE:
                self.fail(f"{field}.code", f"代码须在 0 到 {MAX_CODE} 之间，实际为 {code}")
            score = raw.get("score")
            if score is not None:
                score = self.number(raw, "score", field)
            points.append(ScalePoint(code, self.text(raw, "label", field), score))
        codes = [p.code for p in points]
        for i, code in enumerate(codes):
            if code in codes[:i]:
                self.fail(f"scale.points[{i}].code", f"代码 {code} 重复")
        na = data.get("not_applicable")
        if na is not None and na not in codes:
            self.fail("scale.not_applicable", f"代码 {na} 不在量表中")
        for point in points:
            if (point.code == na) != (point.score is None):
                field = f"scale.points[{codes.index(point.code)}].score"
                self.fail(field, "“不了解/不适用”不应有分值，其他选项必须有分值")
        if len([p for p in points if p.score is not None]) < 2:
            self.fail("scale.points", "量表至少需要两个计分选项")
        satisfied = self.code_set(data, "satisfied", codes, na)
        dissatisfied = self.code_set(data, "dissatisfied", codes, na)
        if satisfied & dissatisfied:
            self.fail("scale.dissatisfied", "与 satisfied 有重叠的代码")
        return Scale(tuple(points), na, satisfied, dissatisfied)

    def code_set(self, data: dict, key: str, codes: list[int], na) -> frozenset[int]:
        values = self.sequence(data, key, "scale")
        for value in values:
            if value not in codes or value == na:
                self.fail(f"scale.{key}", f"未知或不计分的代码 {value}")
        return frozenset(values)

    def attribute(self, data: dict, field: str) -> Attribute:
        options = []
        for i, raw in enumerate(self.sequence(data, "options", field, min_len=2)):
            raw = self.mapping(raw, f"{field}.options[{i}]", OPTION_KEYS)
            options.append(Option(self.identifier(raw, f"{field}.options[{i}]"),
                                  self.text(raw, "label", f"{field}.options[{i}]")))
        self.unique([o.id for o in options], f"{field}.options")
        if len(options) > MAX_CODE:
            self.fail(f"{field}.options", f"选项不能超过 {MAX_CODE} 个")
        conditions = data.get("applies_if", {})
        if not isinstance(conditions, dict):
            self.fail(f"{field}.applies_if", "应为键值映射")
        applies_if = []
        for attr, allowed in conditions.items():
            if not isinstance(allowed, list) or not allowed:
                self.fail(f"{field}.applies_if.{attr}", "应为非空的选项编号列表")
            applies_if.append((attr, frozenset(allowed)))
        return Attribute(self.identifier(data, field), self.text(data, "question", field),
                         tuple(options), tuple(applies_if))

    def check_conditions(self, attributes: tuple[Attribute, ...]):
        for i, attribute in enumerate(attributes):
            earlier = {a.id: a for a in attributes[:i]}
            for attr, allowed in attribute.applies_if:
                field = f"attributes[{i}].applies_if.{attr}"
                if attr not in earlier:
                    self.fail(field, f"条件引用的属性“{attr}”不存在或不在此题之前")
                unknown = allowed - set(earlier[attr].option_ids)
                if unknown:
                    self.fail(field, f"未知的选项编号：{'、'.join(sorted(unknown))}")

    def item(self, data: dict, field: str) -> Item:
        return Item(self.identifier(data, field), self.text(data, "text", field),
                    self.text(data, "topic", field),
                    self.number(data, "weight", field, default=1, positive=True))
