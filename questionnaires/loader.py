"""Load and validate questionnaire definitions (YAML) into frozen objects.

Every problem of a definition is found in one pass and reported together as one
``QuestionnaireError``: the file, and for each problem the field path (e.g.
``items[3].weight``) with its Chinese name, its line in the YAML file and what is
wrong, in Chinese for evaluators.
"""
from __future__ import annotations

import difflib
import math
import re
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from questionnaires import fields
from questionnaires.model import (
    COMMENT_FIELD,
    MAX_CODE,
    MAX_COMMENT_LENGTH,
    Attribute,
    Comment,
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
ROOT_KEYS = ("id", "version", "title", "introduction", "estimated_minutes", "scale", "attributes", "items", "comment",
             "quality")
SCALE_KEYS = ("points", "not_applicable", "satisfied", "dissatisfied")
POINT_KEYS = ("code", "label", "score")
ATTRIBUTE_KEYS = ("id", "question", "options", "applies_if")
OPTION_KEYS = ("id", "label")
ITEM_KEYS = ("id", "text", "topic", "weight")
COMMENT_KEYS = ("question", "max_length")
QUALITY_KEYS = ("min_seconds", "min_items_answered")
DEFAULT_COMMENT_LENGTH = 300
# Bounds checked before anything is built: the built-in definition is 3 KB, nests 5 deep, holds 250 values.
MAX_BYTES = 256 * 1024
MAX_DEPTH = 16
MAX_VALUES = 20_000


class Problem(NamedTuple):
    field: str                  # where in the definition, e.g. items[2].weight
    problem: str                # what is wrong, in Chinese
    line: int | None = None     # the line of the YAML file (1-based), when loaded from one


class QuestionnaireError(ValueError):
    """Every problem found in a definition (``problems``); str() names the source and lists them all,
    one per line, each with its line, the field's Chinese name and path, and what is wrong."""

    def __init__(self, source: str, field: str, problem: str, line: int | None = None):
        super().__init__(source, field, problem)
        self.source, self.problems, self.definition = source, [Problem(field, problem, line)], None

    @classmethod
    def listing(cls, source: str, problems: list[Problem], definition=None) -> QuestionnaireError:
        """The error for several problems; `definition` (the data checked) lends its ids to the field names."""
        error = cls(source, *problems[0])
        error.problems, error.definition = list(problems), definition
        return error

    def messages(self) -> list[str]:
        return [fields.message(*problem, self.definition) for problem in self.problems]

    def __str__(self) -> str:
        messages = self.messages()
        if len(messages) == 1:
            return f"{self.source}：{messages[0]}"
        return f"{self.source} 有 {len(messages)} 处问题：\n" + "\n".join(f"  {m}" for m in messages)


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
    """A questionnaire from YAML text, bounded before anything is built (see `_check_shape`)."""
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        raise QuestionnaireError(source, "文件", f"文件太大（{size / 1024:,.0f} KB），问卷定义不能超过 {MAX_BYTES // 1024} KB："
                                               "内置问卷只有约 3 KB，请确认选择的是问卷定义文件")
    try:
        _check_shape(text, source)
        data = yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise _syntax_error(source, exc) from exc
    try:
        return load_dict(data, source=source)
    except QuestionnaireError as exc:
        raise _located(exc, text) from None


def _check_shape(text: str, source: str) -> None:
    """Walks the parser's events (no nodes are built) and stops at the first of: an alias or anchor
    (&/*: a definition never needs them, and a few nested ones expand to billions of nodes), nesting
    deeper than MAX_DEPTH (building 100,000 levels crashed the process), more than MAX_VALUES values."""
    depth = values = 0
    for event in yaml.parse(text, Loader=SAFE_LOADER):
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise QuestionnaireError(source, "YAML", "不允许使用 YAML 别名（& 和 *），请直接写出内容", line)
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise QuestionnaireError(source, "YAML", f"嵌套超过 {MAX_DEPTH} 层（问卷定义只需 5 层左右），"
                                                         "请检查缩进和括号", line)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        elif isinstance(event, yaml.ScalarEvent):
            values += 1
            if values > MAX_VALUES:
                raise QuestionnaireError(source, "YAML", f"内容超过 {MAX_VALUES:,} 项（内置问卷约 250 项），"
                                                         "请确认选择的是问卷定义文件", line)


def _located(error: QuestionnaireError, text: str) -> QuestionnaireError:
    """The error with each problem at its line of the YAML text, in the order of the file."""
    found = fields.lines(text, SAFE_LOADER)
    problems = [p._replace(line=fields.line_of(p.field, found)) for p in error.problems]
    return QuestionnaireError.listing(error.source, sorted(problems, key=lambda p: p.line or 0), error.definition)


# PyYAML's words for a syntax error -> what to look at, in Chinese.
_SYNTAX_HINTS = (
    ("expected ',' or ']'", "方括号 [ ] 没有闭合，或列表各项之间缺少逗号"),
    ("expected ',' or '}'", "花括号 { } 没有闭合，或各项之间缺少逗号"),
    ("mapping values are not allowed", "此处不能出现“字段: 值”：缩进不一致，或文字中的冒号需要加引号"),
    ("tab character", "不能用 Tab 键缩进，请改用空格"),
    ("'\\t'", "不能用 Tab 键缩进，请改用空格"),
    ("end of stream", "文件已结束，但引号或括号没有闭合"),
    ("escape character", "双引号内的反斜杠 \\ 无效，可改用单引号"),
    ("expected ':'", "缺少冒号“:”"),
    ("'-' indicator", "列表各项的缩进不一致"),
    ("expected key", "缩进不一致，或缺少“字段:”"),
    ("unhashable key", "字段名不能是列表或映射"),
    ("constructor for the tag", "不支持以 ! 开头的标签"),
)


def _syntax_error(source: str, exc: yaml.YAMLError) -> QuestionnaireError:
    """A YAML syntax error at its line and column, with what to look at (in Chinese, not PyYAML's words)."""
    problem = getattr(exc, "problem", None) or ""
    hint = next((chinese for words, chinese in _SYNTAX_HINTS if words in problem), "请检查缩进、冒号、引号和括号")
    mark, start = getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)
    where = f"第 {mark.column + 1} 列附近" if mark else ""
    if start and mark and start.line != mark.line:
        where += f"（自第 {start.line + 1} 行第 {start.column + 1} 列起）"
    return QuestionnaireError(source, "YAML", f"{where}格式有误：{hint}", mark.line + 1 if mark else None)


def load_dict(data: Any, source: str = "<dict>") -> Questionnaire:
    return _Validator(source).questionnaire(data)


def _at(field: str, key) -> str:
    return f"{field}.{key}" if field else str(key)


class _Validator:
    """Checks a definition and notes every problem. A value with a problem comes back as None, and the
    checks that need it skip it, so each mistake is named once; nothing is built while a problem is noted."""

    def __init__(self, source: str):
        self.source, self.problems = source, []

    def report(self, field: str, problem: str) -> None:
        self.problems.append(Problem(field, problem))

    def error(self, data) -> QuestionnaireError:
        return QuestionnaireError.listing(self.source, self.problems, data)

    def mapping(self, value, field: str, allowed: tuple[str, ...]) -> dict | None:
        """A mapping; each key outside `allowed` is named (a typo such as wieght is not ignored)."""
        if not isinstance(value, dict):
            return self.report(field or "（根）", "应为键值映射")
        for key in value:
            if key not in allowed:
                guess = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f"，是否应为“{guess[0]}”？" if guess else f"（可用：{'、'.join(allowed)}）"
                self.report(_at(field, key), f"未知的字段“{key}”{hint}")
        return value

    def text(self, data: dict, key: str, field: str) -> str | None:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            return self.report(_at(field, key), "缺少或为空，应为非空文本")
        return value.strip()

    def identifier(self, data: dict, field: str) -> str | None:
        value = data.get("id")
        if value is None:
            return self.report(_at(field, "id"), "缺少编号")
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            return self.report(_at(field, "id"), f"编号“{value}”无效：须以字母开头，只含字母、数字、下划线")
        return value

    def number(self, data: dict, key: str, field: str, default=None, positive=False, integer=False):
        value, where = data.get(key, default), _at(field, key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return self.report(where, "缺少，应为数字" if value is None else f"应为数字，实际为“{value}”")
        if not math.isfinite(value):
            return self.report(where, f"应为有限的数字，实际为 {value}")
        if integer and value != int(value):
            return self.report(where, f"应为整数，实际为 {value}")
        if positive and value <= 0:
            return self.report(where, f"必须为正数，实际为 {value}")
        return int(value) if integer else float(value)

    def sequence(self, data: dict, key: str, field: str, min_len: int = 1) -> list | None:
        value = data.get(key)
        if not isinstance(value, list) or len(value) < min_len:
            return self.report(_at(field, key), f"应为至少 {min_len} 项的列表")
        return value

    def unique(self, ids: list[str | None], field: str):
        seen = set()
        for i, value in enumerate(ids):
            if value is not None and value in seen:
                self.report(f"{field}[{i}].id", f"编号“{value}”重复")
            seen.add(value)

    def questionnaire(self, raw) -> Questionnaire:
        data = self.mapping(raw, "", ROOT_KEYS)
        if data is None:
            raise self.error(raw)
        identifier = self.identifier(data, "")
        version = data.get("version")
        if not isinstance(version, (str, int, float)) or str(version).strip() == "":
            self.report("version", "缺少版本号")
        elif not VERSION_PATTERN.fullmatch(str(version)):
            self.report("version", f"版本号“{version}”不能包含 /、\\ 或控制字符，也不能以“.”开头（下载的文件以它命名）")
        title = self.text(data, "title", "")
        introduction = self.text(data, "introduction", "")
        minutes = self.number(data, "estimated_minutes", "", default=3, integer=True, positive=True)
        scale = self.scale(data.get("scale"))
        attributes = self.attributes(data.get("attributes"))
        items = self.items(data)
        clash = {a.id for a in attributes if a and a.id} & {it.id for it in items or () if it and it.id}
        if clash:
            self.report("attributes", f"编号与题目编号重复：{'、'.join(sorted(clash))}")
        comment = self.comment(data.get("comment"), attributes, items)
        quality = self.quality(data.get("quality", {}), items)
        if self.problems:
            raise self.error(data)
        return Questionnaire(id=identifier, version=str(version), title=title, introduction=introduction,
                             estimated_minutes=minutes, scale=scale, attributes=attributes, items=items,
                             quality=quality, comment=comment, source=data)

    def scale(self, raw) -> Scale | None:
        data = self.mapping(raw, "scale", SCALE_KEYS)
        if data is None:
            return None
        listed = self.sequence(data, "points", "scale", min_len=2)
        points = [self.point(p, f"scale.points[{i}]") for i, p in enumerate(listed or [])]
        codes = [p.code if p else None for p in points]
        for i, code in enumerate(codes):
            if code is not None and code in codes[:i]:
                self.report(f"scale.points[{i}].code", f"代码 {code} 重复")
        # The checks below compare with the scale's codes: they need all of them.
        codes_known = listed is not None and None not in codes
        na = data.get("not_applicable")
        if codes_known and na is not None and na not in codes:
            self.report("scale.not_applicable", f"代码 {na} 不在量表中")
        elif codes_known:
            scored = [p.get("score") is not None for p in listed]
            for i, (code, has_score) in enumerate(zip(codes, scored)):
                if (code == na) == has_score:
                    self.report(f"scale.points[{i}].score", "“不了解/不适用”不应有分值，其他选项必须有分值")
            if sum(scored) < 2:
                self.report("scale.points", "量表至少需要两个计分选项")
        satisfied = self.code_set(data, "satisfied", codes if codes_known else None, na)
        dissatisfied = self.code_set(data, "dissatisfied", codes if codes_known else None, na)
        if satisfied and dissatisfied and satisfied & dissatisfied:
            self.report("scale.dissatisfied", "与计为“满意”的代码（satisfied）有重叠")
        return Scale(tuple(points), na, satisfied, dissatisfied)

    def point(self, raw, field: str) -> ScalePoint | None:
        """A point of the scale; None when it is not a mapping or its code has a problem."""
        data = self.mapping(raw, field, POINT_KEYS)
        if data is None:
            return None
        code = self.number(data, "code", field, integer=True)
        if code is not None and not 0 <= code <= MAX_CODE:
            code = self.report(f"{field}.code", f"代码须在 0 到 {MAX_CODE} 之间，实际为 {code}")
        label = self.text(data, "label", field)
        score = self.number(data, "score", field) if data.get("score") is not None else None
        return None if code is None else ScalePoint(code, label, score)

    def code_set(self, data: dict, key: str, codes: list[int] | None, na) -> frozenset[int] | None:
        """The codes listed under `key`; their shape alone is checked while the scale's codes are unknown."""
        values = self.sequence(data, key, "scale")
        if values is None or codes is None:
            return None
        unknown = [value for value in values if value not in codes or value == na]
        if unknown:
            return self.report(f"scale.{key}", f"未知或不计分的代码 {'、'.join(map(str, unknown))}")
        return frozenset(values)

    def attributes(self, listed) -> tuple[Attribute | None, ...]:
        if not listed:
            return ()
        if not isinstance(listed, list):
            self.report("attributes", "应为列表")
            return ()
        attributes = tuple(self.attribute(a, f"attributes[{i}]") for i, a in enumerate(listed))
        self.unique([a.id if a else None for a in attributes], "attributes")
        self.check_conditions(attributes)
        return attributes

    def attribute(self, raw, field: str) -> Attribute | None:
        data = self.mapping(raw, field, ATTRIBUTE_KEYS)
        if data is None:
            return None
        identifier, question = self.identifier(data, field), self.text(data, "question", field)
        listed = self.sequence(data, "options", field, min_len=2)
        options = None if listed is None else tuple(self.option(o, f"{field}.options[{i}]")
                                                    for i, o in enumerate(listed))
        if options is not None:
            self.unique([o.id if o else None for o in options], f"{field}.options")
            if len(options) > MAX_CODE:
                self.report(f"{field}.options", f"选项不能超过 {MAX_CODE} 个")
        return Attribute(identifier, question, options, self.conditions(data.get("applies_if", {}), field))

    def option(self, raw, field: str) -> Option | None:
        data = self.mapping(raw, field, OPTION_KEYS)
        return None if data is None else Option(self.identifier(data, field), self.text(data, "label", field))

    def conditions(self, raw, field: str) -> tuple[tuple[str, frozenset[str]], ...]:
        """The valid conditions of `applies_if`; each other one is reported."""
        if not isinstance(raw, dict):
            self.report(f"{field}.applies_if", "应为键值映射")
            return ()
        conditions = []
        for attr, allowed in raw.items():
            if not isinstance(allowed, list) or not allowed or not all(isinstance(a, str) for a in allowed):
                self.report(f"{field}.applies_if.{attr}", "应为非空的选项编号列表")
            else:
                conditions.append((attr, frozenset(allowed)))
        return tuple(conditions)

    def check_conditions(self, attributes: tuple[Attribute | None, ...]):
        for i, attribute in enumerate(attributes):
            if attribute is None:
                continue
            earlier = {a.id: a for a in attributes[:i] if a and a.id}
            unsure = any(a is None or a.id is None for a in attributes[:i])   # it may be the one meant
            for attr, allowed in attribute.applies_if:
                field = f"attributes[{i}].applies_if.{attr}"
                if attr not in earlier:
                    if not unsure:
                        self.report(field, f"条件引用的属性“{attr}”不存在或不在此题之前")
                    continue
                options = earlier[attr].options
                if options is None or any(o is None or o.id is None for o in options):
                    continue          # its options have a problem: the one meant may be among them
                unknown = allowed - {o.id for o in options}
                if unknown:
                    self.report(field, f"未知的选项编号：{'、'.join(sorted(unknown))}")

    def items(self, data: dict) -> tuple[Item | None, ...] | None:
        listed = self.sequence(data, "items", "")
        if listed is None:
            return None
        items = tuple(self.item(it, f"items[{i}]") for i, it in enumerate(listed))
        self.unique([it.id if it else None for it in items], "items")
        return items

    def item(self, raw, field: str) -> Item | None:
        data = self.mapping(raw, field, ITEM_KEYS)
        if data is None:
            return None
        return Item(self.identifier(data, field), self.text(data, "text", field), self.text(data, "topic", field),
                    self.number(data, "weight", field, default=1, positive=True))

    def comment(self, raw, attributes, items) -> Comment | None:
        """The optional open question: its text and the most characters an answer may have
        (1..MAX_COMMENT_LENGTH, default DEFAULT_COMMENT_LENGTH). It is never required."""
        if raw is None:
            return None
        data = self.mapping(raw, "comment", COMMENT_KEYS)
        if data is None:
            return None
        question = self.text(data, "question", "comment")
        length = self.number(data, "max_length", "comment", default=DEFAULT_COMMENT_LENGTH, integer=True)
        if length is not None and not 1 <= length <= MAX_COMMENT_LENGTH:
            length = self.report("comment.max_length", f"须在 1 到 {MAX_COMMENT_LENGTH} 之间（字），实际为 {length}")
        for kind, listed in (("attributes", attributes), ("items", items or ())):
            for i, element in enumerate(listed):
                if element is not None and element.id == COMMENT_FIELD:
                    self.report(f"{kind}[{i}].id", f"编号“{COMMENT_FIELD}”留给意见建议题（comment），请换一个编号")
        return None if question is None or length is None else Comment(question, length)

    def quality(self, raw, items) -> QualityRules | None:
        data = self.mapping(raw, "quality", QUALITY_KEYS)
        if data is None:
            return None
        rules = QualityRules(
            min_seconds=self.number(data, "min_seconds", "quality", default=60, integer=True),
            min_items_answered=self.number(data, "min_items_answered", "quality", default=1, integer=True,
                                           positive=True),
        )
        if items is not None and rules.min_items_answered is not None and rules.min_items_answered > len(items):
            self.report("quality.min_items_answered", f"不能超过题目数 {len(items)}")
        return rules
