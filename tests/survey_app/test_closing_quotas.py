"""Quotas that close: off by default; when on, a county whose quota is reached thanks its residents
instead of serving the form, a full category is refused at submit to those who opened the form after it
filled, test answers never count, and the monitor marks what is full."""
import time

import pytest
from sqlalchemy import select, update

from survey_app import db
from survey_app.models import AuditEvent, Response
from survey_app.services import campaigns, quotas
from tests.helpers import FormReader, gen_campaign, gen_user, login, post, read_form, stored, submit, valid_answers

SLUG = "test-2026"
FULL = "本区县的答卷已经收集够了，感谢您的参与"


@pytest.fixture
def app_config(app_config):
    return app_config | {"QUOTA_CACHE_SECONDS": 0}        # every request counts afresh


@pytest.fixture
def site(app, questionnaire):
    tokens = gen_campaign(app, questionnaire)
    gen_user(app)
    evaluator = app.test_client()
    login(evaluator)
    return tokens, evaluator


def set_quotas(app, values: dict, close: bool | None = None):
    with app.app_context(), db.session() as s:
        campaign = campaigns.find_campaign(s, SLUG)
        quotas.replace(s, campaign, values, None)
        if close is not None:
            quotas.set_closing(s, campaign, close, None)


def closing_switch(evaluator, close: bool):
    data = {"close": "1"} if close else {}
    return post(evaluator, f"/admin/c/{SLUG}/quotas/closing", data, page=f"/admin/c/{SLUG}/quotas")


def test_a_full_county_gets_the_polite_page_only_when_closing_is_on(app, questionnaire, site):
    tokens, evaluator = site
    set_quotas(app, {("511502", "", ""): 2, ("511503", "", ""): 5})
    resident = app.test_client()
    for _ in range(2):
        assert submit(resident, tokens[0], valid_answers(questionnaire)).status_code == 200
    # Off by default: the form as ever.
    assert resident.get(f"/s/{tokens[0]}").status_code == 200
    assert closing_switch(evaluator, True).status_code == 302
    page = resident.get(f"/s/{tokens[0]}")
    html = page.get_data(as_text=True)
    assert page.status_code == 410 and FULL in html and "<form" not in html
    assert page.headers["Cache-Control"] == "no-store"
    assert resident.get(f"/s/{tokens[1]}").status_code == 200          # another county still collects
    # The evaluator's test ignores fullness, and test answers never fill a county.
    tried = evaluator.get(f"/admin/c/{SLUG}/channels/511503-001/try")
    test_page = evaluator.get(tried.headers["Location"])
    assert test_page.status_code == 200 and "测试模式" in test_page.get_data(as_text=True)
    reader = FormReader()
    reader.feed(test_page.get_data(as_text=True))
    for _ in range(5):
        evaluator.post(tried.headers["Location"], data={"form_token": reader.hidden["form_token"],
                                                        **valid_answers(questionnaire)})
        reader.hidden["form_token"] = read_form(evaluator, tried.headers["Location"].removeprefix("/s/"))[1] \
            .hidden["form_token"]
    assert resident.get(f"/s/{tokens[1]}").status_code == 200
    # Switching off (audited) serves the full county again.
    assert closing_switch(evaluator, False).status_code == 302
    assert resident.get(f"/s/{tokens[0]}").status_code == 200
    with app.app_context(), db.session() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "quotas_closing")
                           .order_by(AuditEvent.id)).all()
        assert [e.detail for e in events] == [{"close": True}, {"close": False}]


def test_excluded_responses_leave_their_place_open(app, questionnaire, site):
    tokens, evaluator = site
    set_quotas(app, {("511502", "", ""): 1}, close=True)
    resident = app.test_client()
    submit(resident, tokens[0], valid_answers(questionnaire))
    assert resident.get(f"/s/{tokens[0]}").status_code == 410
    with app.app_context(), db.session() as s:
        s.execute(update(Response).values(excluded=True, exclusion_reason="集中提交"))
    assert resident.get(f"/s/{tokens[0]}").status_code == 200


def test_a_resident_with_the_form_open_may_still_submit_when_the_county_fills(app, questionnaire, site):
    tokens, _ = site
    set_quotas(app, {("511502", "", ""): 1}, close=True)
    late = app.test_client()
    form_token = read_form(late, tokens[0])[1].hidden["form_token"]
    submit(app.test_client(), tokens[0], valid_answers(questionnaire))
    assert submit(late, tokens[0], valid_answers(questionnaire), form_token=form_token).status_code == 200
    assert len(stored(app)) == 2


def test_a_full_category_is_announced_and_refused_at_submit(app, questionnaire, site):
    tokens, _ = site
    set_quotas(app, {("511502", "", ""): 10, ("511502", "area", "urban"): 1, ("511502", "area", "rural"): 9},
               close=True)
    early = app.test_client()
    early_token = read_form(early, tokens[0])[1].hidden["form_token"]     # opened before the category filled
    assert submit(app.test_client(), tokens[0], valid_answers(questionnaire, area="urban")).status_code == 200
    time.sleep(1.1)          # form tokens carry whole seconds
    resident = app.test_client()
    page, reader = read_form(resident, tokens[0])
    assert page.status_code == 200 and "本区县“城镇”的答卷已经收集够了" in page.get_data(as_text=True)
    refused = submit(resident, tokens[0], valid_answers(questionnaire, area="urban"),
                     form_token=reader.hidden["form_token"])
    assert refused.status_code == 410 and "没有保存" in refused.get_data(as_text=True)
    fetched = submit(resident, tokens[0], valid_answers(questionnaire, area="urban"),
                     form_token=read_form(resident, tokens[0])[1].hidden["form_token"], fetch=True)
    assert fetched.status_code == 410 and fetched.json["drop"]
    assert submit(resident, tokens[0], valid_answers(questionnaire, area="rural"),
                  form_token=reader.hidden["form_token"]).status_code == 200
    # The one who opened the form before the category filled is not turned away.
    assert submit(early, tokens[0], valid_answers(questionnaire, area="urban"), form_token=early_token).status_code == 200
    assert sorted(r.attributes for r in stored(app)) and len(stored(app)) == 3


def test_the_monitor_shows_what_is_full(app, questionnaire, site):
    tokens, evaluator = site
    set_quotas(app, {("511502", "", ""): 1, ("511503", "", ""): 4, ("511503", "area", "urban"): 1,
                     ("511503", "area", "rural"): 3})
    resident = app.test_client()
    submit(resident, tokens[0], valid_answers(questionnaire))
    submit(resident, tokens[1], valid_answers(questionnaire, area="urban"))
    page = evaluator.get(f"/admin/c/{SLUG}/monitor").get_data(as_text=True)
    assert page.count("已满</b>") == 1 and "已满：城镇" in page and "未设置配额满后停止收集" in page
    closing_switch(evaluator, True)
    assert "已设置配额满后停止收集" in evaluator.get(f"/admin/c/{SLUG}/monitor").get_data(as_text=True)
    quota_page = evaluator.get(f"/admin/c/{SLUG}/quotas").get_data(as_text=True)
    assert 'name="close" value="1" checked' in quota_page


def test_fullness_counts_a_county_whose_every_category_is_full(app, questionnaire, site):
    tokens, _ = site
    set_quotas(app, {("511502", "area", "urban"): 1, ("511502", "area", "rural"): 1}, close=True)
    resident = app.test_client()
    submit(resident, tokens[0], valid_answers(questionnaire, area="urban"))
    assert resident.get(f"/s/{tokens[0]}").status_code == 200
    submit(resident, tokens[0], valid_answers(questionnaire, area="rural"))
    assert resident.get(f"/s/{tokens[0]}").status_code == 410


def test_the_count_is_held_a_few_seconds(app, questionnaire):
    tokens = gen_campaign(app, questionnaire)
    app.extensions["quota_closing"].seconds = 60
    set_quotas(app, {("511502", "", ""): 1}, close=True)
    resident = app.test_client()
    assert resident.get(f"/s/{tokens[0]}").status_code == 200     # counted now: not full, held for a minute
    submit(resident, tokens[0], valid_answers(questionnaire))
    assert resident.get(f"/s/{tokens[0]}").status_code == 200
    app.extensions["quota_closing"].seconds = 0
    app.extensions["quota_closing"]._held.clear()
    assert resident.get(f"/s/{tokens[0]}").status_code == 410
