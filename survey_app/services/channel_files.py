"""ZIPs of every channel's posters or QR codes, built on the job queue with progress.

A campaign with hundreds of schools and villages has hundreds of channels: their posters take
seconds to minutes, too long for a request. The request records a Job and queues it; a queue
worker builds the ZIP into DATA_DIR/jobs/<id>/ and counts the channels done, which the job's
page shows. Files of jobs older than KEEP are removed when a new job is asked for.
"""
from __future__ import annotations

import shutil
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from reports import tables
from reports.filenames import safe_file_name
from reports.qr import qr_images
from survey_app.errors import UserError
from survey_app.io.qr_codes import qr_stem
from survey_app.models import JOB_STATUS_LABELS, Campaign, Channel, Job, utcnow
from survey_app.services import campaigns as campaign_service

if TYPE_CHECKING:
    from reports.posters import Poster

KINDS = {"posters": "海报", "qr": "二维码"}
KEEP = timedelta(days=7)
SILENT = timedelta(minutes=10)   # a running job not heard of for this long died with its worker
FILE_NAME = "channels.zip"


def request_zip(session: Session, campaign: Campaign, kind: str, county: str | None, requested_by: str,
                data_dir: Path) -> Job:
    """Record and return a queued job for the ZIP of a campaign's (or one county's) channels."""
    channels = _channels(campaign, county)
    if county and not any(c.code == county for c in campaign.counties):
        raise UserError(f"没有代码为 {county} 的区县。")
    if not channels:
        raise UserError("还没有分发渠道：请先添加渠道，再生成" + KINDS[kind] + "。")
    _remove_old(session, campaign, data_dir)
    place = next((c.name for c in campaign.counties if c.code == county), "全部区县")
    job = Job(campaign_id=campaign.id, kind=kind, county=county, total=len(channels), requested_by=requested_by,
              file_name=safe_file_name(f"{campaign.name}_{place}_{KINDS[kind]}") + ".zip")
    session.add(job)
    session.flush()
    return job


def build(session_factory, job_id: int, data_dir: Path, base_url: str, zone: str) -> None:
    """Build a job's ZIP (run by a queue worker), recording progress and the outcome."""
    with session_factory.begin() as session:
        job = session.get(Job, job_id)
        if job is None or job.status == "done":
            return          # removed meanwhile, or a retry of a job that finished
        job.status, job.done, job.updated_at = "running", 0, utcnow()
        pairs = [(ch, row) for ch, row in zip(job.campaign.channels, campaign_service.link_rows(job.campaign, base_url))
                 if not job.county or row[1] == job.county]
        rows, kind = [row for _, row in pairs], job.kind
        made = [poster(ch, row[-1], zone) for ch, row in pairs] if kind == "posters" else []

    def progress(done: int) -> None:
        with session_factory.begin() as session:
            job = session.get(Job, job_id)
            job.done, job.updated_at = done, utcnow()

    try:
        folder = _folder(data_dir, job_id)
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".{FILE_NAME}.part"
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("links.csv", tables.rows_csv(campaign_service.LINK_COLUMNS, rows))
            if kind == "posters":
                from reports import posters          # fpdf2 (0.4 s to import) only where posters are set
                pdfs = posters.render_each(made, progress)
                for row, pdf in zip(rows, pdfs):
                    archive.writestr(f"{qr_stem(row)}.pdf", pdf)
            else:
                for done, row in enumerate(rows, 1):
                    for suffix, image in qr_images(row[-1], ("png", "svg")).items():
                        archive.writestr(f"{qr_stem(row)}.{suffix}", image)
                    if done % 25 == 0:
                        progress(done)
        partial.replace(folder / FILE_NAME)
    except Exception as exc:
        with session_factory.begin() as session:
            fail(session, job_id, f"生成失败：{exc}")
        raise
    with session_factory.begin() as session:
        job = session.get(Job, job_id)
        job.status, job.done, job.finished_at, job.updated_at = "done", job.total, utcnow(), utcnow()


def fail(session: Session, job_id: int, message: str) -> None:
    job = session.get(Job, job_id)
    job.status, job.message, job.finished_at = "failed", message[:200], utcnow()


def file_path(data_dir: Path, job: Job) -> Path:
    return _folder(data_dir, job.id) / FILE_NAME


def _folder(data_dir: Path, job_id: int) -> Path:
    return Path(data_dir) / "jobs" / str(job_id)


def recent(session: Session, campaign: Campaign, limit: int = 10) -> list[Job]:
    return list(session.scalars(select(Job).where(Job.campaign_id == campaign.id)
                                .order_by(Job.id.desc()).limit(limit)))


def interrupted(job: Job) -> bool:
    """A job its worker stopped working on (the worker was killed or the machine restarted)."""
    return job.status == "running" and utcnow() - job.updated_at > SILENT


def state(job: Job) -> str:
    """Where a job stands, in words."""
    if interrupted(job):
        return "已中断（后台任务进程停止了），请重新生成"
    if job.status == "running":
        return f"正在生成：{job.done}/{job.total}"
    if job.status == "failed":
        return job.message or "生成失败"
    return JOB_STATUS_LABELS[job.status]


def _channels(campaign: Campaign, county: str | None) -> list[Channel]:
    return [ch for ch in campaign.channels if not county or ch.county.code == county]


def poster(channel: Channel, url: str, zone: str) -> Poster:
    from reports.posters import Poster
    campaign = channel.campaign
    return Poster(title=campaign.name, organizer=campaign.organizer, county=channel.county.name,
                          label=channel.label, code=channel.code, url=url,
                          closes=campaign.closes_at.astimezone(ZoneInfo(zone)).strftime("%Y年%m月%d日 %H:%M"),
                          minutes=campaign.questionnaire.estimated_minutes)


def _remove_old(session: Session, campaign: Campaign, data_dir: Path) -> None:
    for job in session.scalars(select(Job).where(Job.campaign_id == campaign.id, Job.created_at < utcnow() - KEEP)):
        shutil.rmtree(_folder(data_dir, job.id), ignore_errors=True)
        session.delete(job)
