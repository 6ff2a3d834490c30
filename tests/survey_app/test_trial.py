"""Test mode: an evaluator answers their own campaign (open or not) from the channel list; the answers
are marked as test, shown as 测试 in review, left out of every count, export and result, and cleared."""
import io
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from sqlalchemy import select, update

from survey_app import db
from survey_app.services.report_files import campaign_context
from survey_app.models import AuditEvent, MonitorSnapshot, Response
from survey_app.services import campaigns, exports, monitor, results, submissions
from tests.helpers import FormReader, gen_campaign, gen_user, login, post, stored, submit, valid_answers

SLUG = "test-2026"


def channel_code(app, county="511502") -> str:
    with app.app_context(), db.session() as s:
        return next(ch.code for ch in campaigns.find_campaign(s, SLUG).channels if ch.county.code == county)


def open_test_form(client, app, county="511502"):
    """The evaluator's 试填 link: a redirect to the residents' page with a signed mark; the page and its form."""
    tried = client.get(f"/admin/c/{SLUG}/channels/{channel_code(app, county)}/try")
    assert tried.status_code == 302
    location = tried.headers["Location"]
    assert location.startswith("/s/") and "?test=" in location
    page = client.get(location)
    reader = FormReader()
    reader.feed(page.get_data(as_text=True))
    return location, page, reader


@pytest.fixture
def evaluator(app):
    gen_user(app)
    client = app.test_client()
    login(client)
    return client


def answer_as_test(client, app, questionnaire, county="511502", **overrides):
    location, page, reader = open_test_form(client, app, county)
    return client.post(location, data={"form_token": reader.hidden["form_token"],
                                       **valid_answers(questionnaire, **overrides)})


def test_a_draft_campaign_refuses_residents_but_takes_the_evaluators_test(app, questionnaire, evaluator):
    tokens = gen_campaign(app, questionnaire, opens=3)          # opens in three days
    resident = app.test_client()
    assert resident.get(f"/s/{tokens[0]}").status_code == 403
    location, page, reader = open_test_form(evaluator, app)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "测试模式：本次答卷不计入结果" in html
    assert page.headers["Cache-Control"] == "no-store"
    # The resident who gets hold of the test page's URL without the mark still sees "not open".
    assert "测试模式" not in resident.get(location.split("?")[0]).get_data(as_text=True)
    thanks = resident.post(location, data={"form_token": reader.hidden["form_token"], **valid_answers(questionnaire)})
    assert thanks.status_code == 200 and "测试模式：本次答卷不计入结果" in thanks.get_data(as_text=True)
    [row] = stored(app)
    assert row.test and not row.excluded
    # A resident's own token from a draft campaign cannot exist; a made-up one is refused with the closed page.
    refused = submit(resident, tokens[0], valid_answers(questionnaire), form_token="x.y.z.0.sig")
    assert refused.status_code == 403 and len(stored(app)) == 1


def test_a_forged_or_expired_mark_or_token_is_refused(app, questionnaire, evaluator):
    tokens = gen_campaign(app, questionnaire, opens=3)
    resident = app.test_client()
    location, _, reader = open_test_form(evaluator, app)
    mark = location.split("?test=")[1]
    forged = mark[:-2] + ("AA" if not mark.endswith("AA") else "BB")
    assert resident.get(f"/s/{tokens[0]}?test={forged}").status_code == 403
    # A mark for another channel does not open this one.
    assert resident.get(f"/s/{tokens[1]}?test={mark}").status_code == 403
    # A mark signed with another secret is not ours.
    foreign = submissions.issue_test_mark("another-secret", int(reader.hidden["form_token"].split(".")[1]))
    assert resident.get(f"/s/{tokens[0]}?test={foreign}").status_code == 403
    # An old mark: the signature carries its time.
    channel_id = int(reader.hidden["form_token"].split(".")[1])
    assert submissions.is_test_mark("test-secret", mark, channel_id)
    assert not submissions.is_test_mark("test-secret", mark, channel_id, max_age_s=-1)
    # A resident's form token turned into a test one by editing its mark: the signature no longer matches.
    real = reader.hidden["form_token"].split(".")
    real[3] = "0"
    refused = submit(resident, tokens[0], valid_answers(questionnaire), form_token=".".join(real))
    assert refused.status_code == 403 and stored(app) == []


def test_open_campaign_test_answers_are_marked_and_residents_are_not(app, questionnaire, evaluator):
    tokens = gen_campaign(app, questionnaire)
    resident = app.test_client()
    assert submit(resident, tokens[0], valid_answers(questionnaire)).status_code == 200
    assert answer_as_test(evaluator, app, questionnaire).status_code == 200
    assert sorted(r.test for r in stored(app)) == [False, True]
    # The page script's path: JSON with the same token semantics.
    location, _, reader = open_test_form(evaluator, app)
    reply = evaluator.post(location, data={"form_token": reader.hidden["form_token"], **valid_answers(questionnaire)},
                           headers={"X-Requested-With": "fetch"})
    assert reply.status_code == 200 and reply.json["ok"]
    assert "测试模式" in evaluator.get(reply.json["redirect"]).get_data(as_text=True)
    assert sum(r.test for r in stored(app)) == 2


def test_test_answers_are_left_out_of_counts_exports_and_results(app, questionnaire, evaluator):
    tokens = gen_campaign(app, questionnaire)
    resident = app.test_client()
    for i, token in enumerate(tokens * 4):
        answers = valid_answers(questionnaire, str(1 + i % 5), q01=str(1 + (i + 1) % 5))
        assert submit(resident, token, answers).status_code == 200
    with app.app_context(), db.session() as s:
        s.execute(update(Response).values(duration_s=240))
        campaign = campaigns.find_campaign(s, SLUG)
        fingerprint = results.fingerprint(s, campaign)
    evaluator.get(f"/admin/c/{SLUG}/monitor")                     # a snapshot before the tests
    for county in ("511502", "511503"):
        assert answer_as_test(evaluator, app, questionnaire, county, respondent_type="teacher").status_code == 200
    assert len(stored(app)) == 14
    with app.app_context(), db.session() as s:
        campaign = campaigns.find_campaign(s, SLUG)
        m = monitor.build(s, campaign, ZoneInfo("Asia/Shanghai"), datetime.now(UTC))
        assert m.total.received == 12 and m.total.last_hour == 12
        assert sum(k for *_, k, _ in m.channels) == 12
        snapshot = s.get(MonitorSnapshot, campaign.id)
        assert sum(snapshot.counts["flags"].values()) == 12
        assert results.fingerprint(s, campaign) == fingerprint       # staff results are not recomputed
        assert campaigns.responses_by_county(s, campaign) == {c.id: 4 for c in campaign.counties}
        data, count = exports.responses_file(s, campaign, "csv", "Asia/Shanghai", None)
        assert count == 12
        frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
        assert set(frame["respondent_type"]) == {"parent"}          # the tests answered as teachers
    with app.app_context():
        context, analysed = campaign_context(SLUG, "Asia/Shanghai", None, lambda _: None)
    assert len(analysed) == 12 and set(analysed["respondent_type"]) == {"parent"}
    assert context.results.record["responses"]["used"] == 12
    # The browser download (Excel) and the monitor's own file say the same.
    xlsx = evaluator.get(f"/admin/c/{SLUG}/responses.xlsx")
    assert len(pd.read_excel(io.BytesIO(xlsx.data))) == 12
    monitor_csv = evaluator.get(f"/admin/c/{SLUG}/monitor.csv").get_data(as_text=True)
    assert re.search(r"ALL,全市,12,", monitor_csv)
    overview = evaluator.get(f"/admin/c/{SLUG}/").get_data(as_text=True)
    assert "<span>答卷</span><b>12</b>" in overview


def test_review_shows_test_answers_as_such(app, questionnaire, evaluator):
    gen_campaign(app, questionnaire)
    answer_as_test(evaluator, app, questionnaire)
    [row] = stored(app)
    listing = evaluator.get(f"/admin/c/{SLUG}/review?flag=test").get_data(as_text=True)
    assert row.submission_id in listing and "测试</span>" in listing
    one = evaluator.get(f"/admin/c/{SLUG}/responses/{row.submission_id}").get_data(as_text=True)
    assert "测试答卷" in one and "不计入结果" in one


def test_clearing_deletes_only_test_answers_and_is_audited(app, questionnaire, evaluator):
    tokens = gen_campaign(app, questionnaire)
    resident = app.test_client()
    submit(resident, tokens[0], valid_answers(questionnaire))
    answer_as_test(evaluator, app, questionnaire)
    answer_as_test(evaluator, app, questionnaire, "511503")
    page = evaluator.get(f"/admin/c/{SLUG}/channels").get_data(as_text=True)
    assert "目前有 2 份测试答卷" in page and "清除测试答卷" in page and "试填" in page
    # A GET never deletes; the POST needs the CSRF token.
    assert evaluator.post(f"/admin/c/{SLUG}/tests/clear").status_code == 400
    assert len(stored(app)) == 3
    cleared = post(evaluator, f"/admin/c/{SLUG}/tests/clear", page=f"/admin/c/{SLUG}/channels")
    assert cleared.status_code == 302
    [left] = stored(app)
    assert not left.test
    with app.app_context(), db.session() as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "tests_clear"))
        assert event.detail == {"responses": 2} and event.target == SLUG
    assert "已清除 2 份测试答卷" in evaluator.get(f"/admin/c/{SLUG}/channels").get_data(as_text=True)
    gen_user(app, "root", "admin")
    admin = app.test_client()
    login(admin, "root")
    assert "清除测试答卷" in admin.get("/admin/audit").get_data(as_text=True)


def test_a_county_with_only_test_answers_can_still_be_removed(app, questionnaire, evaluator):
    gen_campaign(app, questionnaire)
    answer_as_test(evaluator, app, questionnaire, "511523")
    removed = post(evaluator, f"/admin/c/{SLUG}/counties/511523/remove", page=f"/admin/c/{SLUG}/counties")
    assert removed.status_code == 302
    with app.app_context(), db.session() as s:
        assert s.scalar(select(Response.id)) is None
        assert "511523" not in {c.code for c in campaigns.find_campaign(s, SLUG).counties}


def test_residents_need_no_login_but_the_try_link_does(app, questionnaire):
    gen_campaign(app, questionnaire)
    anonymous = app.test_client().get(f"/admin/c/{SLUG}/channels/{channel_code(app)}/try")
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login")
