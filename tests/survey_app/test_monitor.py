"""The fieldwork monitor counts what the database holds, adds new responses incrementally, and downloads."""
import io
from datetime import UTC, datetime, timedelta

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import func, select, update

from survey_app import db
from survey_app.demo import simulation
from survey_app.models import Flag, MonitorSnapshot, Response
from survey_app.services import campaigns, responses
from tests.helpers import gen_campaign, gen_user, login, post, submit, valid_answers

SLUG = "test-2026"


@pytest.fixture
def filled(app, questionnaire):
    """A campaign with 2,000 simulated responses over the last ten days, and an evaluator logged in."""
    tokens = gen_campaign(app, questionnaire)
    with app.app_context(), db.session() as s:
        campaign = campaigns.find_campaign(s, SLUG)
        channels = pd.DataFrame([(ch.id, ch.county_id, ch.county.code) for ch in campaign.channels],
                                columns=["channel_id", "county_id", "county_code"])
        frame = simulation.simulate(questionnaire, channels, 2000, datetime.now(UTC) - timedelta(days=10),
                                    days=10, seed=5)
        responses.insert_many(s.connection(), campaign, frame)
    gen_user(app)
    client = app.test_client()
    login(client)
    return client, tokens


def database_counts(app):
    with app.app_context(), db.session() as s:
        rows = s.execute(select(Response.county_id, Response.flags, Response.duration_s)).all()
    return pd.DataFrame(rows, columns=["county", "flags", "duration"])


def county_ids(app) -> dict[str, int]:
    with app.app_context(), db.session() as s:
        return {c.code: c.id for c in campaigns.find_campaign(s, SLUG).counties}


def monitor_table(client):
    r = client.get(f"/admin/c/{SLUG}/monitor.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(r.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0]).set_index("区县代码")


def test_the_monitor_counts_equal_the_database(app, filled):
    client, _ = filled
    page = client.get(f"/admin/c/{SLUG}/monitor")
    assert page.status_code == 200 and "每日答卷" in page.get_data(as_text=True)
    table = monitor_table(client)
    truth = database_counts(app)
    assert table.loc["ALL", "收到"] == len(truth) == 2000
    for flag, label in [(Flag.SPEEDER, "过快"), (Flag.STRAIGHTLINE, "答案全部相同"), (Flag.REPEAT_DEVICE, "同一设备重复")]:
        assert table.loc["ALL", f"标记：{label}"] == int(((truth["flags"] & flag.value) != 0).sum())
    median = truth["duration"].clip(upper=3600).median()
    assert abs(table.loc["ALL", "作答用时中位数（秒）"] - median) <= 0.5        # whole seconds, not a 5 s bin
    for code in ("511502", "511503"):
        county = truth[truth["county"] == county_ids(app)[code]]["duration"].clip(upper=3600)
        assert table.loc[code, "作答用时中位数（秒）"] == county.sort_values().iloc[(len(county) - 1) // 2]
    assert table.loc[["511502", "511503", "511523"], "收到"].sum() == 2000


def test_new_responses_are_added_to_the_snapshot(app, filled, questionnaire):
    client, tokens = filled
    client.get(f"/admin/c/{SLUG}/monitor")
    resident = app.test_client()
    submit(resident, tokens[1], valid_answers(questionnaire, q01="3"))
    table = monitor_table(client)
    assert table.loc["ALL", "收到"] == 2001 and table.loc["511503", "最近一小时"] >= 1
    with app.app_context(), db.session() as s:
        snapshot = s.scalar(select(MonitorSnapshot))
        assert snapshot.last_response_id == s.scalar(select(func.max(Response.id)))


def test_exclusions_show_at_once(app, filled):
    client, _ = filled
    client.get(f"/admin/c/{SLUG}/monitor")
    with app.app_context(), db.session() as s:
        first = select(Response.id).order_by(Response.id).limit(10).scalar_subquery()
        s.execute(update(Response).where(Response.id.in_(first)).values(excluded=True, exclusion_reason="测试"))
    assert monitor_table(client).loc["ALL", "剔除"] == 10


def test_progress_against_quota_and_the_refreshing_part(app, filled):
    client, _ = filled
    post(client, f"/admin/c/{SLUG}/quotas", {"quota|511502||": "1000"}, page=f"/admin/c/{SLUG}/quotas")
    table = monitor_table(client)
    assert table.loc["511502", "完成比例"] == pytest.approx(table.loc["511502", "收到"] / 1000, abs=1e-4)
    part = client.get(f"/admin/c/{SLUG}/monitor?part=1").get_data(as_text=True)
    assert "<html" not in part and "各区县" in part


def test_the_csv_download_has_a_bom_and_chinese_headers(app, filled):
    client, _ = filled
    r = client.get(f"/admin/c/{SLUG}/monitor.csv")
    assert r.data.startswith("\ufeff区县代码,区县,收到".encode())


def test_a_snapshot_counted_in_5_second_steps_is_counted_again(app, filled):
    client, _ = filled
    client.get(f"/admin/c/{SLUG}/monitor")
    with app.app_context(), db.session() as s:
        snapshot = s.get(MonitorSnapshot, campaigns.find_campaign(s, SLUG).id)
        old = {part: counts for part, counts in snapshot.counts.items() if part != "format"}
        old["durations"] = {f"{key.split('|')[0]}|{int(key.split('|')[1]) // 5}": k
                            for key, k in old["durations"].items()}
        snapshot.counts = old
    median = database_counts(app)["duration"].clip(upper=3600).median()
    assert abs(monitor_table(client).loc["ALL", "作答用时中位数（秒）"] - median) <= 0.5


def test_the_daily_chart_of_one_day_keeps_its_own_size(app, questionnaire):
    tokens = gen_campaign(app, questionnaire)
    gen_user(app)
    client = app.test_client()
    login(client)
    submit(app.test_client(), tokens[0], valid_answers(questionnaire))
    page = client.get(f"/admin/c/{SLUG}/monitor").get_data(as_text=True)
    assert '<svg class="chart" width="86" height="190"' in page
