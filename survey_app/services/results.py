"""Staff results of a survey campaign: result runs (services.result_runs) of kind "survey", whose
fingerprint covers the responses, exclusions, questionnaire, targets, analysis settings and the
software's version.

A run writes into DATA_DIR/results/<campaign>/<fingerprint>/ first the figures the pages show
(figures.json) and their charts, then every document (reports.bundle), each time with the manifest
that lists them.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Collection
from pathlib import Path, PurePosixPath

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import survey_app
from analysis.county_estimate import CountyEstimate, county_estimates
from analysis.job import Settings
from analysis.quality import QualitySettings
from questionnaires import Questionnaire
from reports import manifest, method
from reports.images import HEADER, png_size
from reports.filenames import safe_file_name
from survey_app.models import Campaign, Response, ResultRun
from survey_app.services import result_runs, targets


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


def subject(campaign: Campaign) -> result_runs.Subject:
    return result_runs.Subject("survey", campaign.slug)


def directory(data_dir: Path, campaign: Campaign, run: ResultRun) -> Path:
    return result_runs.directory(data_dir, subject(campaign), run.fingerprint)


def current(session: Session, campaign: Campaign) -> tuple[ResultRun | None, str]:
    """The run for the campaign's data as it stands (None: not computed yet), and its fingerprint."""
    key = fingerprint(session, campaign)
    return result_runs.current(session, subject(campaign), key), key


def compute(app, slug: str, key: str) -> None:
    """A queued run (on the job queue's worker): the figures and the charts the pages show first, then
    every document; the campaign's older runs are removed once this one is done."""
    from reports import bundle
    from survey_app.io.atomic import replace_directory
    from survey_app.services.report_files import campaign_context
    sessions = app.extensions["survey_db"]
    runs = result_runs.Subject("survey", slug)

    def update(status: str | None = None, message: str | None = None) -> ResultRun | None:
        with sessions.begin() as session:
            run = result_runs.run_for(session, runs, key)
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
            target = result_runs.directory(app.config["DATA_DIR"], runs, key)
            target.parent.mkdir(parents=True, exist_ok=True)
            replace_directory(_with_figures(page, context), target)
            with sessions.begin() as session:
                run = result_runs.run_for(session, runs, key)
                run.status, run.progress = "figures", "生成报告和数据文件"
                run.used = int(context.results.record["responses"]["used"])
            documents = bundle.documents_for(context, frame, bundle.FORMATS, lambda m: update(message=m), page, helper)
            replace_directory(_with_figures(documents, context), target)
            with sessions.begin() as session:
                result_runs.finish(session, app.config["DATA_DIR"], result_runs.run_for(session, runs, key))
    except Exception as exc:   # the page must say so rather than wait for ever
        app.logger.exception("results of %s failed", slug)
        with sessions.begin() as session:
            result_runs.fail(session, runs, key, f"计算失败：{exc}")


def _with_figures(documents, context) -> dict[str, bytes]:
    """The files of a run's folder: the documents, their manifest, and the figures the pages show with
    the pixel size of each chart."""
    shown = figures(context) | {"image_sizes": {e.path: png_size(documents.files[e.path])
                                                for e in documents.manifest.entries if e.format == "png"}}
    return documents.files | {manifest.FILE_NAME: documents.manifest.to_json(),
                              "figures.json": json.dumps(shown, ensure_ascii=False, default=_plain).encode()}


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


def published_estimates(session: Session, data_dir: Path, campaign: Campaign) -> list[CountyEstimate] | None:
    """Each county's index as the newest run with figures published it (None: no run has any yet)."""
    run = result_runs.latest_shown(session, subject(campaign))
    if run is None:
        return None
    return county_estimates(load_figures(directory(data_dir, campaign, run))["tables"]["county_results"])


def download_name(campaign: Campaign, entry: manifest.Entry) -> str:
    """A downloaded file's name: the campaign's name, then the file's."""
    return safe_file_name(f"{campaign.name or campaign.slug}_{PurePosixPath(entry.path).name}")


def for_reader(shown: dict, counties: Collection[str] | None) -> dict:
    """The notices and method a reader limited to `counties` (None: all) may read: nothing that
    names another county or gives its figures."""
    notices = method.notices_for(shown["record"], counties, shown.get("names"))
    if counties is None:
        return {"notices": notices, "method": shown["method"]}
    return {"notices": notices,
            "method": [*shown.get("method_settings", []), *(("注意", notice) for notice in notices)]}
