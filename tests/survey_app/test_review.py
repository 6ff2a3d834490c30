"""Review: excluding and restoring responses, one by one or as a burst; the export and the analysis follow."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from sqlalchemy import func, select

from analysis import job
from analysis.quality import QualitySettings
from survey_app import db
from survey_app.models import AuditEvent, Response
from tests.helpers import (
    gen_campaign,
    gen_user,
    login,
    post,
    stored,
    submit,
    valid_answers,
)

SLUG = "test-2026"


@pytest.fixture
def evaluator(app, questionnaire):
    tokens = gen_campaign(app, questionnaire)
    resident = app.test_client()
    for code in "54321":
        submit(resident, tokens[0], valid_answers(questionnaire, code, q01="3"))
    gen_user(app)
    client = app.test_client()
    login(client)
    return client


def ids(app):
    return [r.submission_id for r in sorted(stored(app), key=lambda r: r.id)]


def export(runner, tmp_path):
    out = tmp_path / "responses.csv"
    runner("export", "responses", SLUG, "--out", out)
    return pd.read_csv(out, encoding="utf-8-sig", dtype={"county": str})


def test_flagged_responses_are_listed_with_filters(app, evaluator):
    page = evaluator.get(f"/admin/c/{SLUG}/review").get_data(as_text=True)
    assert "共 5 份" in page and "同一设备重复" in page              # the page opens on flagged responses
    page = evaluator.get(f"/admin/c/{SLUG}/review?flag=&county=511503").get_data(as_text=True)
    assert "共 0 份" in page


def test_an_excluded_response_is_kept_marked_in_the_export_and_left_out_by_the_analysis(
        app, evaluator, runner, tmp_path, questionnaire):
    first, second = ids(app)[:2]
    r = post(evaluator, f"/admin/c/{SLUG}/review", {"response": [first, second], "decision": "exclude",
                                                    "reason": "同一地址集中提交，含逗号,和“引号”"},
             page=f"/admin/c/{SLUG}/review")
    assert r.status_code == 302
    assert "已剔除 2 份答卷" in evaluator.get(r.headers["Location"]).get_data(as_text=True)
    assert len(stored(app)) == 5                                     # nothing deleted
    exported = export(runner, tmp_path)
    assert exported["excluded"].tolist() == [1, 1, 0, 0, 0]
    assert exported["exclusion_reason"].iloc[0] == "同一地址集中提交，含逗号,和“引号”"
    keep_all = job.Settings(quality=QualitySettings(exclude=frozenset(), min_items_answered=1))
    result = job.analyze(exported, questionnaire, None, keep_all)
    assert result.quality["review"][-1] == 2 and result.record["responses"]["used"] == 3
    assert any("评估人员审核剔除" in notice for notice in result.record["notices"])

    post(evaluator, f"/admin/c/{SLUG}/review", {"response": [first], "decision": "restore"},
         page=f"/admin/c/{SLUG}/review")
    assert export(runner, tmp_path)["excluded"].tolist() == [0, 1, 0, 0, 0]
    with app.app_context(), db.session() as s:
        actions = [e.action for e in s.scalars(select(AuditEvent).where(AuditEvent.action.like("response_%")))]
    assert actions == ["response_exclude", "response_restore"]


def test_survey_analyze_reports_review_exclusions_in_quality_csv(app, evaluator, runner, tmp_path):
    post(evaluator, f"/admin/c/{SLUG}/review", {"response": ids(app)[:1], "decision": "exclude", "reason": "测试"},
         page=f"/admin/c/{SLUG}/review")
    export(runner, tmp_path)
    result = runner("analyze", tmp_path / "responses.csv", "--no-quality-exclusions", "--min-items", 1,
                    "--out", tmp_path / "results")
    assert result.exit_code == 0, result.output
    quality = pd.read_csv(tmp_path / "results" / "quality.csv", encoding="utf-8-sig", dtype={"county": str})
    assert quality.set_index("county").loc["ALL", "review"] == 1
    assert quality.set_index("county").loc["ALL", "used"] == 4


def test_excluding_needs_a_reason_and_a_burst_needs_a_channel_and_times(app, evaluator):
    page = f"/admin/c/{SLUG}/review"
    r = post(evaluator, page, {"response": ids(app)[:1], "decision": "exclude", "reason": " "}, page=page)
    assert "须填写原因" in evaluator.get(r.headers["Location"]).get_data(as_text=True)
    r = post(evaluator, page, {"scope": "matching", "flag": "", "decision": "exclude", "reason": "刷票"}, page=page)
    assert "整批剔除须指定渠道和起止时间" in evaluator.get(r.headers["Location"]).get_data(as_text=True)
    with app.app_context(), db.session() as s:
        assert s.scalar(select(func.count()).where(Response.excluded)) == 0


def test_a_burst_from_one_channel_is_excluded_by_its_filters(app, evaluator):
    now = datetime.now(ZoneInfo(app.config["TIMEZONE"]))           # the workspace reads local times
    fields = {"scope": "matching", "channel": "511502-001", "flag": "",
              "since": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
              "until": (now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
              "decision": "exclude", "reason": "同一渠道一小时内集中提交"}
    r = post(evaluator, f"/admin/c/{SLUG}/review", fields, page=f"/admin/c/{SLUG}/review")
    assert "已剔除 5 份答卷" in evaluator.get(r.headers["Location"]).get_data(as_text=True)
