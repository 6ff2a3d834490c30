import copy
import re

import pytest
import yaml

import questionnaires
from questionnaires import QuestionnaireError, load, load_dict
from tests.helpers import questionnaire_with_five_mistakes

DEFAULT = "county_education_satisfaction"


@pytest.fixture
def raw():
    return yaml.safe_load(questionnaires.resolve(DEFAULT).read_text(encoding="utf-8"))


def test_default_questionnaire_has_sixteen_weighted_items():
    q = load(DEFAULT)
    assert q.item_ids == tuple(f"q{i:02d}" for i in range(1, 17))
    assert all(item.weight > 0 and item.text and item.topic for item in q.items)
    assert q.attribute_ids == ("respondent_type", "area", "stage")
    assert [p.label for p in q.scale.points] == ["非常满意", "满意", "一般", "不满意", "非常不满意", "不了解"]
    assert q.scale.score_of(9) is None and q.scale.score_of(5) == 100


def test_stage_applies_only_to_school_people():
    stage = load(DEFAULT).attribute("stage")
    assert stage.applies({"respondent_type": "parent"})
    assert not stage.applies({"respondent_type": "public"})


def test_objects_are_frozen():
    q = load(DEFAULT)
    with pytest.raises(AttributeError):
        q.items[0].weight = 2


def break_(raw, edit):
    data = copy.deepcopy(raw)
    edit(data)
    return data


@pytest.mark.parametrize("edit, field, words", [
    (lambda d: d["items"][3].update(id="q01"), "items[3].id", "重复"),
    (lambda d: d["items"][2].update(weight=0), "items[2].weight", "正数"),
    (lambda d: d["items"][2].update(weight=-1.5), "items[2].weight", "正数"),
    (lambda d: d["scale"].update(not_applicable=7), "scale.not_applicable", "不在量表"),
    (lambda d: d["scale"].update(satisfied=[4, 6]), "scale.satisfied", "未知"),
    (lambda d: d["scale"].update(points=[{"code": 1, "label": "满意", "score": 100}]),
     "scale.points", "至少 2"),
    (lambda d: d["scale"].update(points=[{"code": 1, "label": "满意", "score": 100},
                                         {"code": 9, "label": "不了解"}]),
     "scale.points", "两个计分"),
    (lambda d: d["scale"]["points"][1].update(code=5), "scale.points[1].code", "重复"),
    (lambda d: d["scale"]["points"][0].update(code=40), "scale.points[0].code", "0 到 35"),
    (lambda d: d["items"][0].pop("text"), "items[0].text", "缺少"),
    (lambda d: d["items"][0].update(id="1abc"), "items[0].id", "无效"),
    (lambda d: d.update(version="../../x"), "version", "不能包含 /"),
    (lambda d: d.update(version="2026\\1"), "version", "不能包含 /"),
    (lambda d: d.update(version=".hidden"), "version", "不能以“.”开头"),
    (lambda d: d.update(version="2026.1\n"), "version", "控制字符"),
    (lambda d: d["attributes"][0]["options"][1].update(id="parent"),
     "attributes[0].options[1].id", "重复"),
    (lambda d: d["attributes"][2].update(applies_if={"respondent_type": ["nobody"]}),
     "attributes[2].applies_if.respondent_type", "nobody"),
    (lambda d: d["attributes"][2].update(applies_if={"age": ["x"]}),
     "attributes[2].applies_if.age", "不存在"),
    (lambda d: d["quality"].update(min_items_answered=17), "quality.min_items_answered", "不能超过"),
    (lambda d: d.pop("version"), "version", "版本"),
    (lambda d: d.update(items=[]), "items", "列表"),
])
def test_invalid_definitions_name_file_field_and_problem(raw, edit, field, words):
    with pytest.raises(QuestionnaireError) as info:
        load_dict(break_(raw, edit), source="bad.yaml")
    reported = {found: (problem, line) for found, problem, line in info.value.problems}
    problem, line = reported[field]
    assert words in problem and line is None
    assert str(info.value).startswith("bad.yaml") and f"（{field}）：{problem}" in str(info.value)


def test_yaml_syntax_error_names_the_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(QuestionnaireError, match="broken.yaml"):
        load(path)


@pytest.mark.parametrize("text, line, hint", [
    ("id: a\ntitle: [unclosed\n", 3, "方括号"),
    ("id: a\ntitle: 标题: 副标题\n", 2, "冒号需要加引号"),
    ("id: a\n\ttitle: x\n", 2, "Tab"),
])
def test_a_yaml_syntax_error_is_told_in_chinese_at_its_line(text, line, hint):
    with pytest.raises(QuestionnaireError) as info:
        questionnaires.loads(text, "broken.yaml")
    [(field, problem, found)] = info.value.problems
    assert (field, found) == ("YAML", line) and hint in problem
    assert not re.search(r"[A-Za-z]{2,}", problem.replace("Tab", ""))       # none of PyYAML's English


def test_unknown_name_lists_builtins():
    with pytest.raises(QuestionnaireError, match=DEFAULT):
        load("no_such_questionnaire")


def test_load_from_path_equals_builtin(raw, tmp_path):
    path = tmp_path / "copy.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    assert load(path) == load(DEFAULT)


def test_an_unknown_field_is_named_with_the_likely_one():
    text = questionnaires.resolve(questionnaires.DEFAULT).read_text(encoding="utf-8").replace(
        "{id: q03, topic: 办学条件, weight: 1,", "{id: q03, topic: 办学条件, wieght: 3,")
    with pytest.raises(questionnaires.QuestionnaireError, match=r"第 45 行，.*（items\[2\]\.wieght）：未知的字段“wieght”，是否应为“weight”"):
        questionnaires.loads(text, "typo.yaml")


def test_yaml_aliases_are_refused_before_they_expand():
    bomb = "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
        f"{k}: &{k} [{', '.join(['*' + p] * 9)}]\n" for p, k in zip("abcdefgh", "bcdefghi"))
    with pytest.raises(questionnaires.QuestionnaireError, match="第 1 行，YAML：不允许使用 YAML 别名"):
        questionnaires.loads(bomb, "bomb.yaml")


@pytest.mark.parametrize("text, words", [
    ("id: x\n" + "#" * 300_000 + "\n", "文件：文件太大（293 KB），问卷定义不能超过 256 KB"),
    ("id: x\nitems: " + "[" * 100_000 + "]" * 100_000 + "\n", "第 2 行，YAML：嵌套超过 16 层"),
    ("id: x\nitems: [" + "1, " * 20_000 + "]\n", "第 2 行，YAML：内容超过 20,000 项"),
    ("id: &name x\n", "第 1 行，YAML：不允许使用 YAML 别名"),
], ids=["size", "nesting", "values", "anchor"])
def test_a_hostile_definition_is_refused_before_it_is_built(text, words):
    with pytest.raises(QuestionnaireError) as info:
        questionnaires.loads(text, "hostile.yaml")
    assert str(info.value).startswith(f"hostile.yaml：{words}")


def test_every_problem_of_a_file_is_listed_at_its_line():
    text, expected = questionnaire_with_five_mistakes()
    with pytest.raises(QuestionnaireError) as info:
        questionnaires.loads(text, "five.yaml")
    assert [(field, line) for field, _, line in info.value.problems] == expected
    lines = str(info.value).splitlines()
    assert lines[0] == "five.yaml 有 5 处问题："
    assert lines[4] == "  第 45 行，题目第 3 题（q03）的权重（items[2].weight）：必须为正数，实际为 0"
    assert "第 11 行，量表第 2 个选项的代码（scale.points[1].code）：代码须在 0 到 35 之间，实际为 40" in lines[3]


def test_a_missing_field_is_at_the_line_of_what_holds_it():
    text = questionnaires.resolve(DEFAULT).read_text(encoding="utf-8").replace(
        "{id: q02, topic: 入学公平, weight: 1, text: 中小学招生入学是否公平公正，孩子能否就近入学}", "{id: q02, topic: 入学公平}")
    with pytest.raises(QuestionnaireError) as info:
        questionnaires.loads(text.replace('version: "2026.2"\n', ""), "missing.yaml")
    assert info.value.problems == [("version", "缺少版本号", None), ("items[1].text", "缺少或为空，应为非空文本", 43)]


@pytest.mark.parametrize("value", [".nan", ".inf"])
def test_a_weight_must_be_a_finite_number(raw, value):
    with pytest.raises(QuestionnaireError, match="有限的数字"):
        questionnaires.loads(yaml.safe_dump(raw, allow_unicode=True).replace("weight: 1", f"weight: {value}", 1))


def test_the_default_questionnaire_ends_with_an_optional_open_question():
    comment = load(DEFAULT).comment
    assert comment.question == "您对本地教育还有什么意见和建议？" and comment.max_length == 300


def test_the_open_question_is_optional_and_its_length_has_a_default(raw):
    assert load_dict(break_(raw, lambda d: d.pop("comment"))).comment is None
    assert load_dict(break_(raw, lambda d: d["comment"].pop("max_length"))).comment.max_length == 300


@pytest.mark.parametrize("edit, field, words", [
    (lambda d: d["comment"].update(max_length=0), "comment.max_length", "须在 1 到 1000 之间（字），实际为 0"),
    (lambda d: d["comment"].update(max_length=1001), "comment.max_length", "须在 1 到 1000 之间"),
    (lambda d: d["comment"].update(max_length=2.5), "comment.max_length", "应为整数"),
    (lambda d: d["comment"].update(max_length="很多"), "comment.max_length", "应为数字"),
    (lambda d: d["comment"].update(question=""), "comment.question", "缺少或为空"),
    (lambda d: d["comment"].update(maxlength=5), "comment.maxlength", "是否应为“max_length”"),
    (lambda d: d.update(comment="请写意见"), "comment", "应为键值映射"),
    (lambda d: d["items"][15].update(id="comment"), "items[15].id", "留给意见建议题"),
    (lambda d: d["attributes"][1].update(id="comment"), "attributes[1].id", "留给意见建议题"),
])
def test_a_wrong_open_question_is_named_in_chinese(raw, edit, field, words):
    with pytest.raises(QuestionnaireError) as info:
        load_dict(break_(raw, edit), source="bad.yaml")
    assert any(found == field and words in problem for found, problem, _ in info.value.problems), info.value.problems


def test_a_wrong_open_question_is_told_at_its_line_with_its_chinese_name():
    text = questionnaires.resolve(DEFAULT).read_text(encoding="utf-8")
    line = next(n for n, content in enumerate(text.splitlines(), 1) if content.startswith("comment:"))
    with pytest.raises(QuestionnaireError) as info:
        questionnaires.loads(text.replace("max_length: 300", "max_length: 5000"), "long.yaml")
    assert str(info.value) == (f"long.yaml：第 {line} 行，意见建议题的最多字数（comment.max_length）："
                               "须在 1 到 1000 之间（字），实际为 5000")
