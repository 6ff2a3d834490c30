"""Correcting a prepared campaign: targets and quotas replaced (all or nothing, audited with what
changed), counties renamed, and removed while they have no responses."""
import pytest
from sqlalchemy import select

from survey_app import db
from survey_app.models import AuditEvent
from tests.helpers import COUNTIES, gen_campaign, post, submit, valid_answers
from tests.survey_app.test_admin_campaigns import SLUG, evaluator, good_targets, stored_campaign, upload_targets

__all__ = ["evaluator"]     # the fixture, shared with the campaign tests

QUOTAS = f"/admin/c/{SLUG}/quotas"


def summaries(app, action):
    with app.app_context(), db.session() as s:
        return [e.detail.get("summary") for e in s.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                                           .order_by(AuditEvent.id))]


def populations(app):
    return {(t.county_code, t.variable, t.category): t.population for t in stored_campaign(app).targets}


def test_targets_uploaded_again_replace_the_old_ones(app, evaluator, questionnaire):
    gen_campaign(app, questionnaire)
    assert upload_targets(evaluator, good_targets()).status_code == 302
    changed = [(c, v, k, p * 2 if c == "511502" else p) for c, v, k, p in good_targets()]
    assert upload_targets(evaluator, changed).status_code == 302
    assert populations(app)[("511502", "area", "urban")] == 1200
    assert populations(app)[("511503", "area", "urban")] == 600
    assert summaries(app, "targets_upload") == ["人口目标：0 → 18 个单元（新增 18，删除 0，改变 0）",
                                                "人口目标：18 → 18 个单元（新增 0，删除 0，改变 6）"]


def test_a_bad_second_target_file_keeps_the_first(app, evaluator, questionnaire):
    gen_campaign(app, questionnaire)
    upload_targets(evaluator, good_targets())
    bad = good_targets()[:-1] + [("511523", "area", "suburb", 5)]
    assert upload_targets(evaluator, bad).status_code == 422
    assert len(populations(app)) == 18


def save_quotas(client, fields):
    return post(client, QUOTAS, fields, page=QUOTAS)


def test_quotas_can_be_saved_again_and_are_shown_for_editing(app, evaluator, questionnaire):
    gen_campaign(app, questionnaire)
    upload_targets(evaluator, good_targets())
    assert save_quotas(evaluator, {"quota|511502||": "450", "quota|511502|area|urban": "275",
                                   "quota|511502|area|rural": "175"}).status_code == 302
    assert save_quotas(evaluator, {"quota|511502||": "500", "quota|511503||": "1,200"}).status_code == 302
    assert sorted((q.attribute, q.target) for q in stored_campaign(app).quotas) == [("", 500), ("", 1200)]
    page = evaluator.get(QUOTAS).get_data(as_text=True)
    assert 'name="quota|511503||" value="1200"' in page and 'name="quota|511523||" value=""' in page
    assert summaries(app, "quotas_update")[-1] == "配额：3 → 2 项（新增 1，删除 2，改变 1）"


@pytest.mark.parametrize("fields, words", [
    ({"quota|511502||": "450", "quota|511502|area|urban": "275", "quota|511502|area|rural": "169"},
     "区县 511502（翠屏区）按“您居住在”各类别的配额 城镇 275 + 农村 169 = 444，不等于区县配额 450"),
    ({"quota|511502||": "450", "quota|511502|area|urban": "500"}, "城镇 500 已超过区县配额 450"),
    ({"quota|511502||": "-3"}, "配额不能为负数"),
    ({"quota|511502||": "很多"}, "配额“很多”不是整数"),
    ({"quota|511502|stage|primary": "3"}, "不是对所有人询问的答题人属性"),
    ({"quota|511502|area|suburb": "3"}, "没有类别“suburb”"),
])
def test_quotas_that_do_not_add_up_are_refused_and_nothing_changes(app, evaluator, questionnaire, fields, words):
    gen_campaign(app, questionnaire)
    save_quotas(evaluator, {"quota|511503||": "800"})
    r = save_quotas(evaluator, fields)
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and words in page, page
    assert [(q.target) for q in stored_campaign(app).quotas] == [800]
    name, typed = next(iter(fields.items()))
    if "area|suburb" not in name and "stage" not in name:       # (fields the page never offers)
        assert f'name="{name}" value="{typed}"' in page           # kept as typed beside the problem


def test_counties_are_renamed_and_removed_until_they_have_responses(app, evaluator, client, questionnaire):
    tokens = gen_campaign(app, questionnaire)
    upload_targets(evaluator, good_targets())
    save_quotas(evaluator, {"quota|511523||": "300", "quota|511502||": "500"})
    counties = f"/admin/c/{SLUG}/counties"
    assert post(evaluator, f"{counties}/511502/rename", {"name": "翠屏新区"}, page=counties).status_code == 302
    assert post(evaluator, f"{counties}/511502/rename", {"name": ""}, page=counties).status_code == 302
    assert submit(client, tokens[1], valid_answers(questionnaire)).status_code == 200      # 511503 answered
    refused = post(evaluator, f"{counties}/511503/remove", page=counties)
    assert "已收到 1 份答卷，不能删除，只能改名" in evaluator.get(refused.headers["Location"]).get_data(as_text=True)
    post(evaluator, f"{counties}/511523/remove", page=counties)
    campaign = stored_campaign(app)
    assert [(c.code, c.name) for c in campaign.counties] == [("511502", "翠屏新区"), ("511503", "南溪区")]
    assert {t.county_code for t in campaign.targets} == {"511502", "511503"}
    assert len(campaign.quotas) == 1 and len(campaign.channels) == 2
    assert client.get(f"/s/{tokens[2]}").status_code == 404
    assert summaries(app, "counties_update") == [
        "区县 511502 改名：翠屏区 → 翠屏新区", "删除区县 511523（江安县）及其 1 个渠道、人口目标和配额"]


def test_a_county_added_after_the_targets_is_named_on_the_checklist(app, evaluator, questionnaire):
    gen_campaign(app, questionnaire)
    upload_targets(evaluator, good_targets())
    post(evaluator, f"/admin/c/{SLUG}/counties", {"code": "511524", "name": "长宁县"}, page=f"/admin/c/{SLUG}/counties")
    page = evaluator.get(f"/admin/c/{SLUG}/").get_data(as_text=True)
    assert "缺少区县 511524 长宁县 的人口目标" in page
    assert len(COUNTIES) == 3
