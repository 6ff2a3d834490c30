"""Staff results: computed in the background over a campaign's current data, kept by a fingerprint
of their inputs (responses, exclusions, questionnaire, targets, the analysis settings, the software's
version) and reused until one changes.

A run writes every document (reports.bundle), the manifest that lists them (the only files served,
by id) and the figures the pages show (figures.json) into DATA_DIR/results/<campaign>/<fingerprint>/.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
from collections.abc import Collection
from datetime import timedelta
from pathlib import Path, PurePosixPath

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import survey_app
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
    return Path(data_dir) / "results" / campaign.slug / run.fingerprint


def current(session: Session, campaign: Campaign) -> tuple[ResultRun | None, str]:
    """The run for the campaign's data as it stands (None: not computed yet), and its fingerprint."""
    key = fingerprint(session, campaign)
    run = run_for(session, campaign, key)
    if run is not None and ((run.status == "running" and utcnow() - run.started_at > STALE)
                            or (run.status == "failed" and utcnow() - run.finished_at > RETRY)):
        session.delete(run)
        session.flush()
        run = None
    return run, key


def run_for(session: Session, campaign: Campaign, key: str) -> ResultRun | None:
    return session.scalar(select(ResultRun).where(ResultRun.campaign_id == campaign.id, ResultRun.fingerprint == key))


def latest_done(session: Session, campaign: Campaign) -> ResultRun | None:
    return session.scalar(select(ResultRun).where(ResultRun.campaign_id == campaign.id, ResultRun.status == "done")
                          .order_by(ResultRun.finished_at.desc()).limit(1))


def start(app, campaign: Campaign, key: str) -> None:
    """Begin computing in a background thread (once per fingerprint, whichever worker is first)."""
    sessions = app.extensions["survey_db"]
    try:
        with sessions.begin() as session:
            session.add(ResultRun(campaign_id=campaign.id, fingerprint=key, status="running", progress="排队中"))
    except IntegrityError:
        return          # another request started it
    threading.Thread(target=_compute, args=(app, campaign.slug, key), daemon=True,
                     name=f"results-{campaign.slug}").start()


def _compute(app, slug: str, key: str) -> None:
    from reports import bundle
    from survey_app.io.atomic import replace_directory
    from survey_app.io.report_files import campaign_context
    sessions = app.extensions["survey_db"]

    def progress(message: str) -> None:
        with sessions.begin() as session:
            run = _run(session, slug, key)
            if run is not None:
                run.progress = message[:200]

    try:
        with app.app_context():
            context, frame = campaign_context(slug, app.config["TIMEZONE"], None, progress)
            documents = bundle.documents_for(context, frame, bundle.FORMATS, progress)
            shown = figures(context) | {"image_sizes": {e.path: png_size(documents.files[e.path])
                                                         for e in documents.manifest.entries if e.format == "png"}}
            files = documents.files | {
                manifest.FILE_NAME: documents.manifest.to_json(),
                "figures.json": json.dumps(shown, ensure_ascii=False, default=_plain).encode()}
            with sessions.begin() as session:
                campaign = session.scalar(select(Campaign).where(Campaign.slug == slug))
                run = _run(session, slug, key)
                target = directory(app.config["DATA_DIR"], campaign, run)
                target.parent.mkdir(parents=True, exist_ok=True)
                replace_directory(files, target)
                run.status, run.progress, run.finished_at = "done", "已完成", utcnow()
                run.responses = int(context.results.record["responses"]["used"])
    except Exception as exc:   # the page must say so rather than wait for ever
        app.logger.exception("results of %s failed", slug)
        try:
            with sessions.begin() as session:
                run = _run(session, slug, key)
                if run is not None:
                    run.status, run.progress, run.finished_at = "failed", f"计算失败：{exc}"[:200], utcnow()
        except Exception:     # the database itself is gone (shutting down): a stale run restarts later
            app.logger.exception("could not record the failure of %s", slug)


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
            "method": method.notes(results.record, context.questionnaire),
            "method_settings": method.settings_notes(results.record, context.questionnaire, each_county=False)}


def load_figures(path: Path) -> dict:
    return json.loads((path / "figures.json").read_text(encoding="utf-8"))


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


def file_of(data_dir: Path, campaign: Campaign, run: ResultRun, file_id: str,
            counties: Collection[str] | None) -> tuple[Path, str] | None:
    """The run's file listed under `file_id` and the name to download it as (the campaign's name
    first), if a reader limited to `counties` (None: all) may have it."""
    folder = directory(data_dir, campaign, run)
    entry = load_manifest(folder).get(file_id)
    if entry is None or not manifest.allowed(entry, counties) or not (folder / entry.path).is_file():
        return None
    return folder / entry.path, safe_file_name(f"{campaign.name or campaign.slug}_{PurePosixPath(entry.path).name}")


def for_reader(shown: dict, counties: Collection[str] | None) -> dict:
    """The notices and method a reader limited to `counties` (None: all) may read: nothing that
    names another county or gives its figures."""
    notices = method.notices_for(shown["record"], counties)
    if counties is None:
        return {"notices": notices, "method": shown["method"]}
    return {"notices": notices,
            "method": [*shown.get("method_settings", []), *(("注意", notice) for notice in notices)]}
