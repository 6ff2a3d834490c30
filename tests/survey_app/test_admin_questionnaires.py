"""The questionnaire library: import with the loader's errors, edit without YAML, preview, export, freeze."""
import copy
import io
import re

import pytest
import yaml
from sqlalchemy import func, select

import questionnaires
from survey_app import db
from survey_app.models import QuestionnaireVersion
from survey_app.services import library
from tests.helpers import (
    gen_campaign,
    gen_user,
    login,
    post,
    questionnaire_with_five_mistakes,
    submit,
    valid_answers,
)

BUILTIN = questionnaires.resolve(questionnaires.DEFAULT).read_text(encoding="utf-8")


@pytest.fixture
def evaluator(app, client):
    gen_user(app)
    login(client)
    return client


def version_id(app, key="county_education_satisfaction", version="2026.2") -> int:
    with app.app_context(), db.session() as s:
        library.ensure_builtins(s)
        return s.scalar(select(QuestionnaireVersion.id).where(QuestionnaireVersion.key == key,
                                                              QuestionnaireVersion.version == version))


def upload(client, text, name="new.yaml"):
    return post(client, "/admin/questionnaires", {"file": (io.BytesIO(text.encode()), name)},
                page="/admin/questionnaires", content_type="multipart/form-data", follow_redirects=True)


def test_the_library_lists_the_builtin_questionnaire(app, evaluator):
    page = evaluator.get("/admin/questionnaires").get_data(as_text=True)
    assert "county_education_satisfaction" in page and "内置" in page and "可修改" in page


def test_an_imported_file_with_mistakes_is_refused_listing_each_at_its_line(app, evaluator):
    text, expected = questionnaire_with_five_mistakes()
    r = upload(evaluator, text.replace("version: \"2026.2\"", "version: \"2027.1\""))
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "文件有 5 处问题，未做任何修改" in page
    listed = re.findall(r"<li>第 (\d+) 行，[^<]*（([^（）]+)）：", page)
    assert [(field, int(line)) for line, field in listed] == expected
    assert "<li>第 45 行，题目第 3 题（q03）的权重（items[2].weight）：必须为正数，实际为 0</li>" in page
    assert version_id(app, version="2027.1") is None                        # nothing imported
    page = upload(evaluator, text).get_data(as_text=True)                   # and its number is taken
    assert "文件有 6 处问题" in page
    assert "<li>版本号（version）：问卷 county_education_satisfaction 已有版本 2026.2，请填写新的版本号</li>" in page


def test_a_hostile_yaml_file_is_refused_in_chinese_and_nothing_imported(app, evaluator):
    before = version_id(app)                                                 # the built-ins, listed
    with app.app_context(), db.session() as s:
        count = s.scalar(select(func.count()).select_from(QuestionnaireVersion))
    for text, words in [(BUILTIN.replace("version: \"2026.2\"", "version: \"2027.1\"") + "#" * 300_000 + "\n",
                         "文件太大（296 KB），问卷定义不能超过 256 KB"),
                        ("id: x\nitems: " + "[" * 100_000 + "]" * 100_000 + "\n", "第 2 行，YAML：嵌套超过 16 层")]:
        r = upload(evaluator, text)
        assert r.status_code == 422 and words in r.get_data(as_text=True)
    with app.app_context(), db.session() as s:
        assert s.scalar(select(func.count()).select_from(QuestionnaireVersion)) == count and version_id(app) == before


def test_an_imported_version_number_already_taken_is_named_in_chinese(app, evaluator):
    new = BUILTIN.replace("version: \"2026.2\"", "version: \"2027.1\"")
    page = upload(evaluator, new).get_data(as_text=True)
    assert "已导入问卷" in page and "2027.1" in page
    page = upload(evaluator, new).get_data(as_text=True)
    assert "<li>版本号（version）：问卷 county_education_satisfaction 已有版本 2027.1，请填写新的版本号</li>" in page
    assert " 的 version" not in page


def test_exported_yaml_loads_back_identically(app, evaluator):
    original = questionnaires.load(questionnaires.DEFAULT)
    r = evaluator.get(f"/admin/questionnaires/{version_id(app)}.yaml")
    assert r.mimetype == "application/x-yaml"
    assert questionnaires.load_dict(yaml.safe_load(r.data.decode()), source="exported") == original


def editor_fields(client, vid):
    """The editor's fields as a browser would post them back."""
    html = client.get(f"/admin/questionnaires/{vid}/edit").get_data(as_text=True)
    fields = {name: value for name, value in re.findall(r'<input type="[a-z]+" id="[^"]+" name="([^"]+)" value="([^"]*)"', html)}
    fields |= {name: value for name, value in re.findall(r'<textarea id="[^"]+" name="([^"]+)"[^>]*>([^<]*)</textarea>', html)}
    return {k: v.replace("&#34;", '"').replace("&amp;", "&") for k, v in fields.items()}


def test_editing_in_the_browser_round_trips_without_yaml(app, evaluator):
    vid = version_id(app)
    fields = editor_fields(evaluator, vid)
    r = post(evaluator, f"/admin/questionnaires/{vid}/edit", fields, page=f"/admin/questionnaires/{vid}/edit")
    assert r.status_code == 302
    with app.app_context(), db.session() as s:
        saved = questionnaires.load_dict(s.get(QuestionnaireVersion, vid).definition)
    assert saved == questionnaires.load(questionnaires.DEFAULT)


def test_every_edit_error_is_shown_at_its_field_and_nothing_is_saved(app, evaluator):
    vid = version_id(app)
    fields = editor_fields(evaluator, vid) | {"item-4-weight": "-2", "version": "", "scale-0-code": "40",
                                             "item-16-id": "q17", "item-16-topic": "新增", "item-16-text": "新增题"}
    r = post(evaluator, f"/admin/questionnaires/{vid}/edit", fields, page=f"/admin/questionnaires/{vid}/edit")
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert re.findall(r'<p class="field-error" id="e-([\w-]+)">', html) == ["version", "scale-0-code", "item-4-weight"]
    assert re.search(r'name="item-4-weight" value="-2"[^>]*aria-invalid="true"', html)
    assert re.search(r'name="scale-0-code" value="40"[^>]*aria-invalid="true"', html)
    assert '<p class="field-error" id="e-item-4-weight">必须为正数，实际为 -2</p>' in html
    assert '<p class="field-error" id="e-version">缺少版本号</p>' in html
    assert "未保存，请修改以下 3 处" in html
    assert '<a href="#item-4-weight">题目第 5 行的权重</a>：必须为正数' in html
    assert '<a href="#scale-0-code">量表第 1 行的代码</a>：代码须在 0 到 35 之间，实际为 40' in html
    assert 'name="item-16-text" value="新增题"' in html                        # what was typed is kept
    with app.app_context(), db.session() as s:
        assert len(questionnaires.load_dict(s.get(QuestionnaireVersion, vid).definition).items) == 16


def test_a_version_in_use_with_responses_is_frozen_and_edits_make_a_new_version(app, evaluator, questionnaire):
    token = gen_campaign(app, questionnaire)[0]
    submit(app.test_client(), token, valid_answers(questionnaire))
    vid = version_id(app)
    page = evaluator.get("/admin/questionnaires").get_data(as_text=True)
    assert "已冻结" in page and "test-2026" in page
    fields = editor_fields(evaluator, vid) | {"item-0-text": "孩子能就近上幼儿园吗"}
    r = post(evaluator, f"/admin/questionnaires/{vid}/edit", fields | {"item-2-weight": "0"},
             page=f"/admin/questionnaires/{vid}/edit")
    html = r.get_data(as_text=True)                          # the number and the weight, in one answer
    assert r.status_code == 422 and re.findall(r'id="e-([\w-]+)"', html) == ["version", "item-2-weight"]
    assert '<p class="field-error" id="e-version">此版本已有调查收到答卷，已冻结' in html
    r = post(evaluator, f"/admin/questionnaires/{vid}/edit", fields | {"version": "2026.3"},
             page=f"/admin/questionnaires/{vid}/edit")
    assert r.status_code == 302
    new_id = version_id(app, version="2026.3")
    assert new_id != vid
    with app.app_context(), db.session() as s:
        assert s.get(QuestionnaireVersion, vid).definition == questionnaires.load(questionnaires.DEFAULT).source
    page = evaluator.get(f"/admin/questionnaires/compare?old={vid}&new={new_id}").get_data(as_text=True)
    assert "题目 q01" in page and "孩子能就近上幼儿园吗" in page and "题目 q02" not in page


def test_an_unfrozen_version_is_edited_in_place_with_its_campaigns(app, evaluator, questionnaire):
    gen_campaign(app, questionnaire)
    vid = version_id(app)
    fields = editor_fields(evaluator, vid) | {"title": "新的标题"}
    post(evaluator, f"/admin/questionnaires/{vid}/edit", fields, page=f"/admin/questionnaires/{vid}/edit")
    from survey_app.services import campaigns
    with app.app_context(), db.session() as s:
        assert campaigns.find_campaign(s, "test-2026").questionnaire.title == "新的标题"


def test_the_preview_is_the_residents_page_with_submitting_switched_off(app, evaluator):
    html = evaluator.get(f"/admin/questionnaires/{version_id(app)}/preview").get_data(as_text=True)
    assert "预览" in html and "孩子能就近上幼儿园" in html and "非常满意" in html
    assert '<button type="submit" disabled>' in html and "localStorage" not in html


def test_a_new_questionnaire_is_written_in_the_browser_from_a_copy(app, evaluator):
    vid = version_id(app)
    page = evaluator.get(f"/admin/questionnaires/new?from={vid}").get_data(as_text=True)
    assert "新建问卷" in page and 'value="county_education_satisfaction_copy"' in page
    fields = editor_fields(evaluator, vid) | {"id": "parents_2027", "version": "1", "title": "家长满意度调查",
                                             "item-15-id": "", "item-15-topic": "", "item-15-text": "", "item-15-weight": ""}
    r = post(evaluator, f"/admin/questionnaires/new?from={vid}", fields, page=f"/admin/questionnaires/new?from={vid}")
    assert r.status_code == 302
    q = questionnaires.load_dict(yaml.safe_load(evaluator.get(f"/admin/questionnaires/{version_id(app, 'parents_2027', '1')}.yaml").data))
    assert q.title == "家长满意度调查" and len(q.items) == 15
    r = post(evaluator, f"/admin/questionnaires/new?from={vid}", fields, page=f"/admin/questionnaires/new?from={vid}")
    assert r.status_code == 422 and "已有版本 1" in r.get_data(as_text=True)


def test_differences_name_answers_and_conditions_by_their_labels():
    old = questionnaires.load(questionnaires.DEFAULT)
    definition = copy.deepcopy(old.source)
    definition["attributes"][2]["applies_if"] = {"respondent_type": ["parent"]}
    definition["scale"]["satisfied"] = [5]
    changes = {where: (before, after) for where, before, after in
               library.differences(old, questionnaires.load_dict(definition))}
    assert changes["答题人信息 stage"][1] == ("您的孩子（或您所在的学校）处于哪个学段：幼儿园（kindergarten）、小学（primary）、"
                                             "初中（junior）、高中或中职（senior）（仅当“您的身份是”为 家长）")
    assert changes["量表"][1].endswith("；满意：5；不满意：1、2")


def test_the_phone_preview_frames_the_residents_page_at_phone_width(app, evaluator):
    vid = version_id(app)
    page = evaluator.get(f"/admin/questionnaires/{vid}/phone").get_data(as_text=True)
    assert f'src="/admin/questionnaires/{vid}/preview"' in page and "width:375px" in page


def test_the_open_question_is_edited_in_the_browser_and_compared(app, evaluator):
    vid = version_id(app)
    fields = editor_fields(evaluator, vid)
    assert fields["comment-question"] == "您对本地教育还有什么意见和建议？" and fields["comment-max_length"] == "300"
    page = f"/admin/questionnaires/{vid}/edit"
    r = post(evaluator, page, fields | {"comment-max_length": "5000"}, page=page)
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert '<li><a href="#comment-max_length">意见建议的最多字数</a>：须在 1 到 1000 之间（字），实际为 5000</li>' in html
    assert re.search(r'name="comment-max_length" value="5000"[^>]*aria-invalid="true"', html)
    new = f"/admin/questionnaires/new?from={vid}"
    r = post(evaluator, new, fields | {"comment-question": "", "comment-max_length": "", "id": "plain", "version": "1"},
             page=new)
    assert r.status_code == 302
    without = version_id(app, "plain", "1")
    with app.app_context(), db.session() as s:
        assert questionnaires.load_dict(s.get(QuestionnaireVersion, without).definition).comment is None
    compared = evaluator.get(f"/admin/questionnaires/compare?old={vid}&new={without}").get_data(as_text=True)
    assert "意见建议题" in compared and "您对本地教育还有什么意见和建议？（选答，最多 300 字）" in compared
