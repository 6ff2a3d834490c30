"""ZIPs of posters and QR codes are built on the job queue: asked for, shown with progress, downloaded."""
import io
import re
import shutil
import subprocess
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import select

from reports import posters
from survey_app import db, job_queue
from survey_app.models import AuditEvent, Job, utcnow
from survey_app.services import campaigns, channel_files
from tests.helpers import gen_campaign, gen_user, login, post, zip_of

SLUG = "test-2026"
CHANNELS = f"/admin/c/{SLUG}/channels"


@pytest.fixture
def evaluator(app):
    gen_user(app, "eva", "evaluator")
    client = app.test_client()
    login(client, "eva")
    return client


def ask(client, kind: str, county: str = "") -> str:
    r = post(client, f"{CHANNELS}/{kind}.zip", {"county": county} if county else {}, page=CHANNELS)
    assert r.status_code == 302
    return r.headers["Location"]


def test_a_zip_is_queued_shown_with_its_progress_and_downloaded_once_built(app, evaluator, questionnaire):
    gen_campaign(app, questionnaire)
    post(evaluator, CHANNELS, {"county": "511503", "labels": "\n".join(f"第{i}小学" for i in range(1, 40))})
    page = ask(evaluator, "posters", "511503")
    queued = evaluator.get(page).get_data(as_text=True)
    assert "排队中" in queued and "南溪区的海报（40 个渠道）" in queued and "data-done" not in queued
    assert "排队中" in evaluator.get(page + "?part=1").get_data(as_text=True)      # the part the page reloads
    assert evaluator.get(page + "/file").status_code == 404          # nothing to download yet
    assert "排队中" in evaluator.get(CHANNELS).get_data(as_text=True)

    assert job_queue.run_pending(app) == 1
    done = evaluator.get(page).get_data(as_text=True)
    assert "已完成" in done and "data-done" in done and "下载 测试调查_南溪区_海报.zip" in done
    downloaded = evaluator.get(page + "/file")
    assert 'filename="test-2026-511503-posters.zip"' in downloaded.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(downloaded.data))
    pdfs = [name for name in archive.namelist() if name.endswith(".pdf")]
    assert len(pdfs) == 40 and "511503-040_南溪区_第39小学.pdf" in pdfs
    assert all(archive.read(name).startswith(b"%PDF") for name in pdfs)
    with app.app_context(), db.session() as s:
        assert [e.action for e in s.scalars(select(AuditEvent).where(
            AuditEvent.action.in_(["request_zip", "download"])).order_by(AuditEvent.id))] == ["request_zip", "download"]
        assert s.scalar(select(Job)).done == 40


@pytest.mark.skipif(shutil.which("pdftoppm") is None or shutil.which("zbarimg") is None,
                    reason="needs poppler-utils and zbar-tools")
def test_each_poster_in_the_zip_is_one_a4_page_whose_code_opens_its_own_channel(app, evaluator, questionnaire,
                                                                                tmp_path):
    tokens = gen_campaign(app, questionnaire)
    archive = zipfile.ZipFile(io.BytesIO(zip_of(app, evaluator, "posters").data))
    for name, token in zip(sorted(n for n in archive.namelist() if n.endswith(".pdf")), tokens):
        pdf = tmp_path / "poster.pdf"
        pdf.write_bytes(archive.read(name))
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        assert re.search(r"Pages:\s+1\n", info) and "(A4)" in info and "测试调查" in info and "市教育督导室" in info
        subprocess.run(["pdftoppm", "-png", "-r", "100", str(pdf), str(tmp_path / "page")], check=True)
        decoded = subprocess.run(["zbarimg", "--raw", "-q", str(tmp_path / "page-1.png")],
                                 capture_output=True, text=True).stdout.strip()
        assert decoded == f"https://pj.example.cn/s/{token}"


def test_a_job_asked_for_through_one_web_worker_is_run_by_another_process(app, app_config, evaluator, questionnaire):
    """The queue is kept outside the web workers: a worker that never saw the request runs it."""
    from survey_app.app import create_app
    gen_campaign(app, questionnaire)
    page = ask(evaluator, "qr")
    assert job_queue.run_pending(create_app(app_config)) == 1
    assert "已完成" in evaluator.get(page).get_data(as_text=True)
    names = zipfile.ZipFile(io.BytesIO(evaluator.get(page + "/file").data)).namelist()
    assert len(names) == 7 and "links.csv" in names


def test_a_job_whose_worker_died_says_so_and_can_be_asked_for_again(app, evaluator, questionnaire):
    gen_campaign(app, questionnaire)
    page = ask(evaluator, "qr", "511502")
    with app.app_context(), db.session() as s:
        job = s.scalar(select(Job))
        job.status, job.updated_at = "running", utcnow() - channel_files.SILENT - timedelta(seconds=1)
    shown = evaluator.get(page).get_data(as_text=True)
    assert "已中断" in shown and "重新生成" in shown and "data-done" in shown
    assert ask(evaluator, "qr", "511502") != page


def test_a_failed_job_shows_why(app, evaluator, questionnaire, monkeypatch):
    gen_campaign(app, questionnaire)
    page = ask(evaluator, "posters")

    def broken(*_):
        raise OSError("磁盘已满")
    monkeypatch.setattr(posters, "render_each", broken)
    job_queue.run_pending(app)
    assert "生成失败：磁盘已满" in evaluator.get(page).get_data(as_text=True)
    assert evaluator.get(page + "/file").status_code == 404


def test_jobs_belong_to_their_campaign_and_old_ones_are_removed(app, evaluator, questionnaire):
    gen_campaign(app, questionnaire)
    gen_campaign(app, questionnaire, slug="other-2026")
    page = ask(evaluator, "qr")
    job_queue.run_pending(app)
    assert evaluator.get(page.replace(SLUG, "other-2026")).status_code == 404
    assert evaluator.get(page.replace(SLUG, "other-2026") + "/file").status_code == 404
    with app.app_context(), db.session() as s:
        s.scalar(select(Job)).created_at = utcnow() - channel_files.KEEP - timedelta(hours=1)
        first = s.scalar(select(Job))
        folder = channel_files.file_path(app.config["DATA_DIR"], first).parent
    assert folder.exists()
    ask(evaluator, "qr")
    assert not folder.exists() and evaluator.get(page).status_code == 404


def test_a_zip_of_a_campaign_without_channels_is_refused_in_words(app, evaluator, questionnaire):
    gen_campaign(app, questionnaire)
    post(evaluator, f"/admin/c/{SLUG}/counties", {"code": "511599", "name": "新区"}, page=f"/admin/c/{SLUG}/counties")
    r = post(evaluator, f"{CHANNELS}/posters.zip", {"county": "511599"}, page=CHANNELS)
    assert "还没有分发渠道" in evaluator.get(r.headers["Location"]).get_data(as_text=True)
    with app.app_context(), db.session() as s:
        assert s.scalar(select(Job)) is None


def test_survey_worker_once_runs_what_is_queued(app, evaluator, questionnaire, runner):
    gen_campaign(app, questionnaire)
    page = ask(evaluator, "qr")
    assert "已运行 1 个后台任务" in runner("worker", "--once").output
    assert "已完成" in evaluator.get(page).get_data(as_text=True)


def test_a_queue_that_cannot_be_reached_is_told_not_hidden(app, evaluator, questionnaire, monkeypatch):
    gen_campaign(app, questionnaire)

    def unreachable(*_):
        raise ConnectionError("Redis")
    monkeypatch.setattr(job_queue.queue(app), "enqueue", unreachable)
    shown = evaluator.get(ask(evaluator, "qr")).get_data(as_text=True)
    assert "后台任务队列暂时连不上" in shown and "重新生成" in shown


def test_the_queue_can_live_in_redis(app, app_config, questionnaire):
    """With SURVEY_REDIS_URL the queue is Redis's, shared by every server (skipped without Redis; `app` empties the
    database afterwards)."""
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        pytest.skip("needs Redis at 127.0.0.1:6379")
    from survey_app.app import create_app
    web, worker = (create_app({**app_config, "REDIS_URL": url}) for _ in range(2))
    job_queue.queue(web).flush()
    gen_campaign(web, questionnaire)
    with web.app_context():
        with db.session() as s:
            job = channel_files.request_zip(s, campaigns.find_campaign(s, SLUG), "qr", None, "eva",
                                            web.config["DATA_DIR"])
        assert job_queue.enqueue("channel_files", job.id)
    assert job_queue.run_pending(worker) == 1
    with web.app_context(), db.session() as s:
        assert s.get(Job, job.id).status == "done"
