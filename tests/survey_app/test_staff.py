"""Staff results: computed in the background, reused until the data change, limited to a staff member's counties."""
import re
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import select, update

import survey_app
from survey_app import db, job_queue
from survey_app.models import County, Response, ResultRun
from survey_app.services import result_runs, results
from survey_app.services.campaigns import find_campaign
from tests.helpers import gen_campaign, gen_user, login, submit, valid_answers


def wait_for_results(app, client, path="/staff/c/test-2026/", seconds=120):
    """The page once the computation its view queued has run (here, as the queue's worker runs it, or
    the `server` fixture's worker)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page = client.get(path)
        if "正在" not in page.get_data(as_text=True):
            return page
        job_queue.run_pending(app)
        time.sleep(0.1)
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


def file_ids(app) -> dict[str, str]:
    """Relative path -> id of each file of the newest finished run, from its manifest."""
    with app.app_context(), db.session() as session:
        campaign = find_campaign(session, "test-2026")
        folder = results.directory(app.config["DATA_DIR"], campaign,
                                   result_runs.latest_done(session, results.subject(campaign)))
    return {e.path: e.id for e in result_runs.load_manifest(folder).entries}


def test_results_are_computed_in_the_background_and_shown(app, campaign):
    client = app.test_client()
    login(client, "city")
    first = client.get("/staff/c/test-2026/").get_data(as_text=True)
    assert "正在按最新数据计算" in first or "翠屏区" in first
    page = wait_for_results(app, client).get_data(as_text=True)
    assert "翠屏区" in page and "南溪区" in page and "全市" in page and "使用 12 份有效答卷" in page
    ids = file_ids(app)
    assert f"/staff/c/test-2026/files/{ids['结果.xlsx']}" in page
    workbook = client.get(f"/staff/c/test-2026/files/{ids['结果.xlsx']}")
    assert workbook.data[:2] == b"PK"
    tables = re.search(r"<li>表格.*?</li>", page, re.S).group(0)
    assert ">区县结果</a>" in tables and ">问题清单</a>" in tables and ".csv<" not in tables and "json<" not in tables
    county = client.get("/staff/c/test-2026/county/511503").get_data(as_text=True)
    assert "各题得分" in county and "您的身份是" in county
    assert "● 确定问题</h3>" in county and "○ 需关注</h3>" in county        # the problem list by tier
    # Twelve answers: every county imprecise, every group's interval unreliable, and said so.
    assert "<th>与全市比较</th>" in page and "</a>*</td>" in page and "*有效样本量不足，结果仅供参考" in page
    assert "（不可靠）</td>" in county and "（不可靠）：该组答卷来自少于 5 个整群" in county


def test_results_are_reused_until_the_data_change(app, campaign, questionnaire):
    client = app.test_client()
    login(client, "city")
    wait_for_results(app, client)
    client.get("/staff/c/test-2026/")
    with app.app_context(), db.session() as session:
        assert len(session.scalars(select(ResultRun)).all()) == 1
        session.execute(update(Response).where(Response.id == session.scalar(select(Response.id).limit(1)))
                        .values(excluded=True, exclusion_reason="测试"))
        old = results.directory(app.config["DATA_DIR"], find_campaign(session, "test-2026"),
                                session.scalar(select(ResultRun)))
    page = client.get("/staff/c/test-2026/").get_data(as_text=True)
    assert "正在按最新数据计算" in page and "上一次的结果" in page     # the old figures stay on show
    wait_for_results(app, client)
    with app.app_context(), db.session() as session:          # the old run gave way to the new
        assert [run.status for run in session.scalars(select(ResultRun))] == ["done"]
    assert not old.exists() and len(list(old.parent.iterdir())) == 1


def test_one_run_per_campaign_at_a_time_and_figures_before_documents(app, campaign, monkeypatch):
    """Views while a run is under way start no other; its figures are on show while its documents are made."""
    from reports import bundle
    client = app.test_client()
    login(client, "city")
    assert "正在按最新数据计算" in client.get("/staff/c/test-2026/").get_data(as_text=True)
    with app.app_context(), db.session() as session:
        session.execute(update(Response).where(Response.id == session.scalar(select(Response.id).limit(1)))
                        .values(excluded=True, exclusion_reason="测试"))
    for _ in range(3):                                         # the data changed: still the one run
        client.get("/staff/c/test-2026/")
    with app.app_context(), db.session() as session:
        assert len(session.scalars(select(ResultRun)).all()) == 1
    seen = []
    documents_for = bundle.documents_for

    def looked_at_meanwhile(*args, **kwargs):
        seen.append(client.get("/staff/c/test-2026/").get_data(as_text=True))
        return documents_for(*args, **kwargs)
    monkeypatch.setattr(bundle, "documents_for", looked_at_meanwhile)
    assert job_queue.run_pending(app) == 1
    assert "报告和数据文件正在按它生成" in seen[0] and "翠屏区" in seen[0] and "排名及 95% 置信区间" in seen[0]
    assert "下载" in seen[0] and "报告：" not in seen[0]                # no documents yet to offer
    page = wait_for_results(app, client).get_data(as_text=True)       # the next view queued the changed data
    assert "使用 11 份有效答卷" in page


def test_staff_of_one_county_see_and_download_only_that_county(app, campaign):
    client = app.test_client()
    login(client, "nanxi")
    page = wait_for_results(app, client).get_data(as_text=True)
    ids = file_ids(app)
    assert "南溪区" in page and "翠屏区" not in page and ids["结果.xlsx"] not in page
    assert client.get("/staff/c/test-2026/county/511502").status_code == 403
    assert client.get("/staff/c/test-2026/county/511503").status_code == 200
    own = client.get(f"/staff/c/test-2026/files/{ids['报告/511503_南溪区_报告.pdf']}")
    assert own.status_code == 200 and own.data.startswith(b"%PDF")
    assert client.get(f"/staff/c/test-2026/files/{ids['图表/511503_南溪区_各题得分.png']}").data.startswith(b"\x89PNG")
    assert client.get(f"/staff/c/test-2026/files/{ids['图表/重要性表现.png']}").status_code == 200
    public = ids["报告/全市_报告_公开版.pdf"]                 # published: every reader may have it
    assert public in page and client.get(f"/staff/c/test-2026/files/{public}").data.startswith(b"%PDF")
    for other in ("结果.xlsx", "报告/511502_翠屏区_报告.pdf", "报告/全市_报告.pdf", "报告/全市_报告.docx",
                  "图表/511502_翠屏区_各题得分.png", "图表/各区县排名.png", "报告/各区县报告_PDF.zip"):
        assert client.get(f"/staff/c/test-2026/files/{ids[other]}").status_code == 404, other


def test_no_path_in_a_url_reaches_a_file(app, campaign):
    """A name that starts with the reader's own county and climbs out with ".." (or "%2f") used to
    pass the check of the text before "_"; downloads are now served by id only."""
    client = app.test_client()
    login(client, "nanxi")
    wait_for_results(app, client)
    for name in ("报告/511503_x/../511502_翠屏区_报告.pdf", "报告/511503_x/../全市_报告.pdf",
                 "报告/511503_x/../全市_报告.docx", "图表/511503_x/../511502_翠屏区_各题得分.png",
                 "报告%2f511503_x%2f..%2f511502_翠屏区_报告.pdf", "报告%2F511503_x%2F..%2F全市_报告.pdf",
                 "报告/511503_南溪区_报告.pdf", "../../survey.db", "figures.json", "manifest.json"):
        assert client.get(f"/staff/c/test-2026/files/{name}").status_code in (403, 404), name


def test_notices_name_no_other_county_to_staff_of_one_county(app, campaign):
    """Notices call counties by name (the analysis knows them by code)."""
    client = app.test_client()
    login(client, "city")
    assert "翠屏区（有效样本量" in wait_for_results(app, client).get_data(as_text=True)
    limited = app.test_client()
    login(limited, "nanxi")
    for path in ("/staff/c/test-2026/", "/staff/c/test-2026/county/511503"):
        page = limited.get(path).get_data(as_text=True)
        assert "南溪区（有效样本量" in page and "翠屏区" not in page and "511502" not in page, path
        assert "511523" not in page and "511503（" not in page, path
    county = client.get("/staff/c/test-2026/county/511503").get_data(as_text=True)   # a county's page: its own
    assert "南溪区（有效样本量" in county and "翠屏区（" not in county and "个渠道（整群）" in county


def test_a_download_is_named_after_its_campaign(app, campaign):
    client = app.test_client()
    login(client, "city")
    wait_for_results(app, client)
    ids = file_ids(app)
    for path, name in (("结果.xlsx", "测试调查_结果.xlsx"), ("报告/全市_报告.pdf", "测试调查_全市_报告.pdf")):
        disposition = client.get(f"/staff/c/test-2026/files/{ids[path]}").headers["Content-Disposition"]
        assert quote(name) in disposition, disposition
        fallback = f'filename="test-2026-{ids[path]}.{path.rsplit(".", 1)[1]}"'   # for browsers without filename*
        assert fallback in disposition, disposition


def test_a_new_version_or_other_settings_compute_the_results_again(app, campaign, monkeypatch):
    from analysis.quality import QualitySettings
    with app.app_context(), db.session() as session:
        before = results.fingerprint(session, find_campaign(session, "test-2026"))
        monkeypatch.setattr(survey_app, "__version__", "99.0")
        newer = results.fingerprint(session, find_campaign(session, "test-2026"))
        monkeypatch.setattr(QualitySettings, "for_questionnaire",
                            classmethod(lambda cls, questionnaire: cls(speeder_floor_s=1.0)))
        other = results.fingerprint(session, find_campaign(session, "test-2026"))
    assert len({before, newer, other}) == 3


def test_a_county_name_that_climbs_out_writes_nothing_outside_the_results_folder(app, campaign):
    with app.app_context(), db.session() as session:       # a name stored before names were checked
        session.execute(update(County).where(County.code == "511503").values(name="/../../../../../x"))
    client = app.test_client()
    login(client, "city")
    wait_for_results(app, client)
    data = Path(app.config["DATA_DIR"])
    written = [p for p in data.parent.rglob("*") if p.is_file() and "x_" in p.name]
    assert written and all(data / "results" / "test-2026" in p.parents for p in written), written
    ids = file_ids(app)
    assert "报告/511503__.._.._.._.._.._x_报告.pdf" in ids
    report = client.get(f"/staff/c/test-2026/files/{ids['报告/511503__.._.._.._.._.._x_报告.pdf']}")
    assert report.status_code == 200 and "/" not in report.headers["Content-Disposition"].split("filename")[-1]


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


def test_the_page_says_where_the_computation_stands_without_reloading_itself(app, campaign):
    """The status part the page's script reloads (no meta refresh: a page that reloads itself on a timer
    fails WCAG 2.2.1); it stops being reloaded once marked done, and offers the new results by a link."""
    client = app.test_client()
    login(client, "city")
    page = client.get("/staff/c/test-2026/").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page and 'data-src="/staff/c/test-2026/?part=1&amp;shown=0"' in page
    part = client.get("/staff/c/test-2026/?part=1&shown=0").get_data(as_text=True)
    assert "正在按最新数据计算" in part and "data-done" not in part
    job_queue.run_pending(app)
    part = client.get("/staff/c/test-2026/?part=1&shown=0").get_data(as_text=True)
    assert "新的结果已算好" in part and 'href="/staff/c/test-2026/"' in part and "data-done" in part
    county = client.get("/staff/c/test-2026/county/511502").get_data(as_text=True)
    shown = re.search(r"county/511502\?part=1&amp;shown=(\d+)", county).group(1)
    part = client.get(f"/staff/c/test-2026/county/511502?part=1&shown={shown}").get_data(as_text=True)
    assert "data-done" in part and "新的结果" not in part and "正在" not in part


def test_the_survey_publishes_each_countys_index_typed_as_its_figures_show_it(app, campaign):
    """What an evaluation combines: the run's index, se, df and interval per county, city row left out."""
    client = app.test_client()
    login(client, "city")
    wait_for_results(app, client)
    with app.app_context(), db.session() as session:
        campaign = find_campaign(session, "test-2026")
        estimates = results.published_estimates(session, app.config["DATA_DIR"], campaign)
        shown = results.load_figures(results.directory(app.config["DATA_DIR"], campaign,
                                                       result_runs.latest_shown(session, results.subject(campaign))))
    table = shown["tables"]["county_results"]
    assert [e.county for e in estimates] == ["511502", "511503", "511523"] == table["county"][:-1]
    shown_as_float = {name: [float("nan") if v is None else v for v in table[name]] for name in table}
    for k, estimate in enumerate(estimates):        # one channel per county: no se, no interval
        assert [estimate.index, estimate.se, estimate.df, estimate.n, estimate.ci_low] == pytest.approx(
            [shown_as_float[name][k] for name in ("index", "se", "df", "n", "ci_low")], nan_ok=True)
        assert estimate.imprecise
