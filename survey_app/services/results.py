"""Staff results: computed on the job queue over a campaign's current data, kept by a fingerprint
of their inputs (responses, exclusions, questionnaire, targets, the analysis settings, the software's
version) and reused until one changes.

A run writes into DATA_DIR/results/<campaign>/<fingerprint>/ first the figures the pages show
(figures.json) and their charts, then every document (reports.bundle), each time with the manifest
that lists them (the only files served, by id). One run per campaign at a time; a finished run
removes the campaign's older ones.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
from collections.abc import Collection
from datetime import timedelta
from pathlib import Path, PurePosixPath

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import survey_app
from analysis.county_estimate import CountyEstimate, county_estimates
from analysis.job import Settings
from analysis.quality import QualitySettings
from questionnaires import Questionnaire
from reports import manifest, method
from reports.images import HEADER, png_size
from reports.filenames import safe_file_name
from survey_app.models import Campaign, Response, ResultRun, utcnow
from survey_app.services import targets

STALE = timedelta(minutes=30)       # a run still "running" after this died with its worker
RETRY = timedelta(minutes=1)        # a failed run is tried again on a page view after this


def fingerprint(session: Session, campaign: Campaign) -> str:
    # Test answers are left out: trying the form, or clearing the tries, changes no result.
    count, last = session.execute(select(func.count(), func.max(Response.id))
                                  .where(Response.campaign_id == campaign.id, ~Response.test)).one()
    excluded = session.scalars(select(Response.id).where(Response.campaign_id == campaign.id, Response.excluded,
                                                         ~Response.test).order_by(Response.id)).all()
    inputs = {"responses": [count, last], "excluded": hashlib.sha256(str(excluded).encode()).hexdigest(),
              "questionnaire": campaign.questionnaire_snapshot, "targets": targets.csv_text(campaign),
              "settings": dataclasses.asdict(settings_for(campaign.questionnaire)),
              "version": survey_app.__version__}
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, ensure_ascii=False, default=_canonical).encode()
                          ).hexdigest()


def settings_for(questionnaire: Questionnaire, cluster: str | None = None) -> Settings:
    """The settings a campaign's results are computed with (clustered by channel unless told)."""
    return Settings(quality=QualitySettings.for_questionnaire(questionnaire), cluster=cluster or "channel")


def _canonical(value):
    """JSON for what json cannot write itself: a set in sorted order (its own order changes between runs)."""
    return sorted(value, key=str) if isinstance(value, (set, frozenset)) else str(value)


def directory(data_dir: Path, campaign: Campaign, run: ResultRun) -> Path:
    return folder(data_dir, campaign.slug, run.fingerprint)


def folder(data_dir: Path, slug: str, key: str) -> Path:
    return Path(data_dir) / "results" / slug / key


ACTIVE = ("queued", "running", "figures")     # a run under way: figures, then the documents


def current(session: Session, campaign: Campaign) -> tuple[ResultRun | None, str]:
    """The run for the campaign's data as it stands (None: not computed yet), and its fingerprint."""
    key = fingerprint(session, campaign)
    run = run_for(session, campaign, key)
    if run is not None and ((run.status in ACTIVE and utcnow() - run.started_at > STALE)
                            or (run.status == "failed" and utcnow() - run.finished_at > RETRY)):
        session.delete(run)
        session.flush()
        run = None
    return run, key


def run_for(session: Session, campaign: Campaign, key: str) -> ResultRun | None:
    return session.scalar(select(ResultRun).where(ResultRun.campaign_id == campaign.id, ResultRun.fingerprint == key))


def latest_done(session: Session, campaign: Campaign) -> ResultRun | None:
    return _latest(session, campaign, ("done",))


def latest_shown(session: Session, campaign: Campaign) -> ResultRun | None:
    """The newest run whose figures are ready (its documents may still be on their way)."""
    return _latest(session, campaign, ("figures", "done"))


def under_way(session: Session, campaign: Campaign) -> ResultRun | None:
    return _latest(session, campaign, ACTIVE)


def _latest(session: Session, campaign: Campaign, statuses: tuple[str, ...]) -> ResultRun | None:
    return session.scalar(select(ResultRun).where(ResultRun.campaign_id == campaign.id, ResultRun.status.in_(statuses))
                          .order_by(ResultRun.id.desc()).limit(1))


def claim(sessions, campaign: Campaign, key: str) -> bool:
    """Record a queued run for `key`, unless a run of the campaign is under way (one at a time: the
    first page view after it ends asks for the next) or another request was first. True: queue it."""
    try:
        with sessions.begin() as session:
            busy = session.scalar(select(ResultRun.id).where(ResultRun.campaign_id == campaign.id,
                                                             ResultRun.status.in_(ACTIVE),
                                                             ResultRun.started_at > utcnow() - STALE))
            if busy is not None:
                return False
            session.add(ResultRun(campaign_id=campaign.id, fingerprint=key, status="queued", progress="排队中"))
    except IntegrityError:
        return False
    return True


def compute(app, slug: str, key: str) -> None:
    """A queued run (on the job queue's worker): the figures and the charts the pages show first, then
    every document; the campaign's older runs are removed once this one is done."""
    from reports import bundle
    from survey_app.io.atomic import replace_directory
    from survey_app.services.report_files import campaign_context
    sessions = app.extensions["survey_db"]

    def update(status: str | None = None, message: str | None = None) -> ResultRun | None:
        with sessions.begin() as session:
            run = _run(session, slug, key)
            if run is not None:
                run.status = status or run.status
                run.progress = (message or run.progress)[:200]
            return run

    try:
        if update("running", "读取答卷") is None:
            return          # removed meanwhile (stale, or the campaign's data changed and a newer run won)
        with app.app_context(), bundle.second_process() as helper:     # it starts while the analysis runs
            context, frame = campaign_context(slug, app.config["TIMEZONE"], None, lambda m: update(message=m))
            page = bundle.page_charts(context)
            target = folder(app.config["DATA_DIR"], slug, key)
            target.parent.mkdir(parents=True, exist_ok=True)
            replace_directory(_with_figures(page, context), target)
            with sessions.begin() as session:
                run = _run(session, slug, key)
                run.status, run.progress = "figures", "生成报告和数据文件"
                run.responses = int(context.results.record["responses"]["used"])
            documents = bundle.documents_for(context, frame, bundle.FORMATS, lambda m: update(message=m), page, helper)
            replace_directory(_with_figures(documents, context), target)
            with sessions.begin() as session:
                run = _run(session, slug, key)
                run.status, run.progress, run.finished_at = "done", "已完成", utcnow()
                _remove_older(session, target.parent, run)
    except Exception as exc:   # the page must say so rather than wait for ever
        app.logger.exception("results of %s failed", slug)
        with sessions.begin() as session:
            run = _run(session, slug, key)
            if run is not None:
                run.status, run.progress, run.finished_at = "failed", f"计算失败：{exc}"[:200], utcnow()


def _with_figures(documents, context) -> dict[str, bytes]:
    """The files of a run's folder: the documents, their manifest, and the figures the pages show with
    the pixel size of each chart."""
    shown = figures(context) | {"image_sizes": {e.path: png_size(documents.files[e.path])
                                                for e in documents.manifest.entries if e.format == "png"}}
    return documents.files | {manifest.FILE_NAME: documents.manifest.to_json(),
                              "figures.json": json.dumps(shown, ensure_ascii=False, default=_plain).encode()}


def _remove_older(session: Session, folder: Path, done: ResultRun) -> None:
    """Every finished run of the campaign before `done`, with its files in the campaign's `folder`:
    one set on disk per campaign."""
    for old in session.scalars(select(ResultRun).where(ResultRun.campaign_id == done.campaign_id,
                                                       ResultRun.id < done.id, ResultRun.status.not_in(ACTIVE))):
        shutil.rmtree(folder / old.fingerprint, ignore_errors=True)
        session.delete(old)


def _run(session: Session, slug: str, key: str) -> ResultRun | None:
    return session.scalar(select(ResultRun).join(Campaign, Campaign.id == ResultRun.campaign_id)
                          .where(Campaign.slug == slug, ResultRun.fingerprint == key))


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


def figures(context) -> dict:
    """What the pages show: the tables as columns, county names, the record."""
    results = context.results
    tables = {name: {column: [None if isinstance(v, float) and not np.isfinite(v) else _plain(v)
                              for v in getattr(results, name)[column]] for column in getattr(results, name)}
              for name in ("county_results", "item_results", "problems", "breakdowns", "composition")}
    record = json.loads(json.dumps(results.record, default=str).replace("-Infinity", "null"))
    return {"tables": tables, "names": context.names, "record": record, "title": context.title,
            "computed": context.computed,
            "questions": {a.id: a.question for a in context.questionnaire.attributes},
            "method": method.notes(results.record, context.questionnaire, names=context.names),
            "method_settings": method.settings_notes(results.record, context.questionnaire, each_county=False)}


def load_figures(path: Path) -> dict:
    return json.loads((path / "figures.json").read_text(encoding="utf-8"))


def published_estimates(session: Session, data_dir: Path, campaign: Campaign) -> list[CountyEstimate] | None:
    """Each county's index as the newest run with figures published it (None: no run has any yet)."""
    run = latest_shown(session, campaign)
    if run is None:
        return None
    return county_estimates(load_figures(directory(data_dir, campaign, run))["tables"]["county_results"])


def image_sizes(path: Path, shown: dict, files: manifest.Manifest) -> dict[str, tuple[int, int]]:
    """Entry id -> (width, height) in pixels of each PNG among `files`: as recorded in the run's
    figures, or read from the file's header for a run from before they were recorded."""
    recorded = shown.get("image_sizes", {})
    sizes = {}
    for entry in files.entries:
        if entry.format != "png":
            continue
        if entry.path in recorded:
            sizes[entry.id] = tuple(recorded[entry.path])
            continue
        try:
            with open(path / entry.path, "rb") as image:
                sizes[entry.id] = png_size(image.read(HEADER))
        except (OSError, ValueError):
            pass          # shown without a size: the page still works
    return sizes


def load_manifest(path: Path) -> manifest.Manifest:
    """The files of a run that may be downloaded (none for a run from before manifests)."""
    try:
        return manifest.Manifest.from_json((path / manifest.FILE_NAME).read_bytes())
    except FileNotFoundError:
        return manifest.Manifest()


def downloads(session: Session, data_dir: Path, campaign: Campaign) -> manifest.Manifest:
    """What may be downloaded: the files of the run shown (its charts while its documents are on their
    way) and those of the newest finished run that the shown one does not have yet."""
    listed = manifest.Manifest()
    for run in _runs_with_files(session, campaign):
        for entry in load_manifest(directory(data_dir, campaign, run)).entries:
            if listed.get(entry.id) is None:
                listed.entries.append(entry)
    return listed


def file_of(session: Session, data_dir: Path, campaign: Campaign, file_id: str,
            counties: Collection[str] | None) -> tuple[Path, str] | None:
    """The file listed under `file_id` in the run that `downloads` takes it from, and the name to download
    it as (the campaign's name first), if a reader limited to `counties` (None: all) may have it."""
    for run in _runs_with_files(session, campaign):
        folder_of_run = directory(data_dir, campaign, run)
        entry = load_manifest(folder_of_run).get(file_id)
        if entry is not None:
            if not manifest.allowed(entry, counties) or not (folder_of_run / entry.path).is_file():
                return None
            return (folder_of_run / entry.path,
                    safe_file_name(f"{campaign.name or campaign.slug}_{PurePosixPath(entry.path).name}"))
    return None


def _runs_with_files(session: Session, campaign: Campaign) -> list[ResultRun]:
    return list(dict.fromkeys(run for run in (latest_shown(session, campaign), latest_done(session, campaign))
                              if run is not None))


def fail(session: Session, campaign: Campaign, key: str, message: str) -> None:
    run = run_for(session, campaign, key)
    run.status, run.progress, run.finished_at = "failed", message[:200], utcnow()


def for_reader(shown: dict, counties: Collection[str] | None) -> dict:
    """The notices and method a reader limited to `counties` (None: all) may read: nothing that
    names another county or gives its figures."""
    notices = method.notices_for(shown["record"], counties, shown.get("names"))
    if counties is None:
        return {"notices": notices, "method": shown["method"]}
    return {"notices": notices,
            "method": [*shown.get("method_settings", []), *(("注意", notice) for notice in notices)]}
