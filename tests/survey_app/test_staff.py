"""Staff results: computed in the background, reused until the data change, limited to a staff member's counties."""
import time

import pytest
from sqlalchemy import select, update

from survey_app import db
from survey_app.models import Response, ResultRun
from tests.helpers import gen_campaign, gen_user, login, submit, valid_answers


def wait_for_results(app, client, path="/staff/c/test-2026/", seconds=60):
    for _ in range(seconds * 4):
        page = client.get(path)
        if "正在" not in page.get_data(as_text=True):
            return page
        time.sleep(0.25)
    raise AssertionError("results not computed in time")


@pytest.fixture
def campaign(app, questionnaire):
    tokens = gen_campaign(app, questionnaire)
    resident = app.test_client()
    for i, token in enumerate(tokens * 4):
        submit(resident, token, valid_answers(questionnaire, str(1 + i % 5), q01=str(1 + (i + 1) % 5)))
    with app.app_context(), db.session() as session:
        session.execute(update(Response).values(duration_s=240))
    gen_user(app, "city", "staff")
    gen_user(app, "nanxi", "staff", counties=["511503"])


def test_results_are_computed_in_the_background_and_shown(app, campaign):
    client = app.test_client()
    login(client, "city")
    first = client.get("/staff/c/test-2026/").get_data(as_text=True)
    assert "正在按最新数据计算" in first or "翠屏区" in first
    page = wait_for_results(app, client).get_data(as_text=True)
    assert "翠屏区" in page and "南溪区" in page and "全市" in page and "使用 12 份有效答卷" in page
    assert client.get("/staff/c/test-2026/files/结果.xlsx").data[:2] == b"PK"
    county = client.get("/staff/c/test-2026/county/511503").get_data(as_text=True)
    assert "各题得分" in county and "您的身份是" in county


def test_results_are_reused_until_the_data_change(app, campaign, questionnaire):
    client = app.test_client()
    login(client, "city")
    wait_for_results(app, client)
    client.get("/staff/c/test-2026/")
    with app.app_context(), db.session() as session:
        assert len(session.scalars(select(ResultRun)).all()) == 1
        session.execute(update(Response).where(Response.id == session.scalar(select(Response.id).limit(1)))
                        .values(excluded=True, exclusion_reason="测试"))
    page = client.get("/staff/c/test-2026/").get_data(as_text=True)
    assert "正在按最新数据计算" in page and "上一次的结果" in page     # the old figures stay on show
    wait_for_results(app, client)
    with app.app_context(), db.session() as session:
        assert len(session.scalars(select(ResultRun)).all()) == 2


def test_staff_of_one_county_see_and_download_only_that_county(app, campaign):
    client = app.test_client()
    login(client, "nanxi")
    page = wait_for_results(app, client).get_data(as_text=True)
    assert "南溪区" in page and "翠屏区" not in page and "结果.xlsx" not in page
    assert client.get("/staff/c/test-2026/county/511502").status_code == 403
    assert client.get("/staff/c/test-2026/county/511503").status_code == 200
    assert client.get("/staff/c/test-2026/files/结果.xlsx").status_code == 403
    assert client.get("/staff/c/test-2026/files/报告/511502_翠屏区_报告.pdf").status_code == 403
    assert client.get("/staff/c/test-2026/files/报告/511503_南溪区_报告.pdf").data.startswith(b"%PDF")
    assert client.get("/staff/c/test-2026/files/图表/511503_南溪区_各题得分.png").data.startswith(b"\x89PNG")
    assert client.get("/staff/c/test-2026/files/图表/511502_翠屏区_各题得分.png").status_code == 403


def test_files_outside_the_results_are_never_served(app, campaign):
    client = app.test_client()
    login(client, "city")
    wait_for_results(app, client)
    for name in ("../../survey.db", "figures.json", "nothing.pdf"):
        assert client.get(f"/staff/c/test-2026/files/{name}").status_code == 404


def test_a_failed_run_is_tried_again_later(app, campaign):
    from datetime import timedelta

    from survey_app.models import utcnow
    client = app.test_client()
    login(client, "city")
    wait_for_results(app, client)
    with app.app_context(), db.session() as session:       # as if the last computation had failed long ago
        session.execute(update(ResultRun).values(status="failed", progress="计算失败：测试",
                                                 finished_at=utcnow() - timedelta(minutes=5)))
    page = client.get("/staff/c/test-2026/").get_data(as_text=True)
    assert "正在按最新数据计算" in page or "翠屏区" in page
    wait_for_results(app, client)
    with app.app_context(), db.session() as session:
        assert [run.status for run in session.scalars(select(ResultRun))] == ["done"]
