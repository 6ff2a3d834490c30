import copy

import pytest
import yaml

import questionnaires
from questionnaires import QuestionnaireError, load, load_dict

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
    assert info.value.field == field
    assert words in info.value.problem
    assert str(info.value).startswith(f"bad.yaml: {field}: ")


def test_yaml_syntax_error_names_the_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(QuestionnaireError, match="broken.yaml"):
        load(path)


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
    with pytest.raises(questionnaires.QuestionnaireError, match=r"items\[2\]\.wieght: 未知的字段“wieght”，是否应为“weight”"):
        questionnaires.loads(text, "typo.yaml")


def test_yaml_aliases_are_refused_before_they_expand():
    bomb = "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
        f"{k}: &{k} [{', '.join(['*' + p] * 9)}]\n" for p, k in zip("abcdefgh", "bcdefghi"))
    with pytest.raises(questionnaires.QuestionnaireError, match="不允许使用 YAML 别名"):
        questionnaires.loads(bomb, "bomb.yaml")
