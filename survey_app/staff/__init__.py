"""Staff pages: campaigns, their weighted results and the documents to download.

Staff limited to some counties see and download only those counties' results; every page and
file checks the limit on the server.
"""
from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, render_template, request, send_file
from flask_login import current_user

from survey_app import db, job_queue
from survey_app.auth import address_hash, role_required
from survey_app.downloads import attachment
from survey_app.models import Campaign, Role, User
from survey_app.services import audit, result_runs, results
from survey_app.services import campaigns as campaign_service

bp = Blueprint("staff", __name__, url_prefix="/staff")
staff = role_required(Role.STAFF)


@bp.get("/")
@staff
def campaigns():
    now = datetime.now(UTC)
    with db.session() as s:
        counts = campaign_service.used_by_county(s)
        rows = []
        for c in campaign_service.newest_first(s):
            counties = [(county, counts.get(county.id, 0)) for county in c.counties
                        if current_user.sees_county(county.code)]
            if counties:
                rows.append((c, c.status(now), counties))
    return render_template("staff/campaigns.html", rows=rows, nav="results")


def _campaign(session, slug: str) -> Campaign:
    campaign = campaign_service.by_slug(session, slug)
    if campaign is None or not any(current_user.sees_county(c.code) for c in campaign.counties):
        abort(404)
    return campaign


def _limit() -> list[str] | None:
    """The counties the staff member is limited to; None: every county."""
    return list(current_user.county_codes) or None


def _figures(slug: str):
    """The campaign, the run shown (the newest whose figures are ready), the run for the current data,
    its figures, the files the staff member may download (the shown run's charts, and the documents of
    the newest run that has them) and what the figures say that they may read."""
    with db.session() as s:     # committed before a run is claimed: it may have dropped a stale one
        campaign = _campaign(s, slug)
        run, key = results.current(s, campaign)
    subject = results.subject(campaign)
    if run is None and result_runs.claim(current_app.extensions["survey_db"], subject, key):
        if not job_queue.enqueue("results", campaign.slug, key):
            with db.session() as s:
                result_runs.fail(s, subject, key, "计算失败：后台任务队列暂时连不上，请稍后刷新页面重试")
    with db.session() as s:
        campaign = _campaign(s, slug)
        run = result_runs.run_for(s, subject, key) or result_runs.under_way(s, subject)
        shown = result_runs.latest_shown(s, subject)
        if shown is None:
            return campaign, None, run, None, None, None
        path = results.directory(current_app.config["DATA_DIR"], campaign, shown)
        figures = results.load_figures(path)
        files = result_runs.downloads(s, current_app.config["DATA_DIR"], subject).readable(_limit())
        figures["image_sizes"] = results.image_sizes(path, figures, files)     # by entry id, for <img>
        return campaign, shown, run, figures, files, results.for_reader(figures, _limit())


@bp.get("/c/<slug>/")
@staff
def campaign_results(slug: str):
    campaign, shown, running, figures, files, reader = _figures(slug)
    if request.args.get("part"):
        return _run_state(shown, running)
    visible = [code for code in (figures["tables"]["county_results"]["county"][:-1] if figures else [])
               if current_user.sees_county(code)]
    return render_template("staff/results.html", c=campaign, shown=shown, running=running, f=figures, files=files,
                           reader=reader, visible=visible, limited=bool(current_user.county_codes), nav="results")


@bp.get("/c/<slug>/county/<code>")
@staff
def county_results(slug: str, code: str):
    if not current_user.sees_county(code):
        abort(403)
    campaign, shown, running, figures, files, reader = _figures(slug)
    if request.args.get("part"):
        return _run_state(shown, running)
    if figures is None:
        return render_template("staff/results.html", c=campaign, shown=None, running=running, f=None, files=None,
                               reader=None, visible=[], limited=bool(current_user.county_codes), nav="results")
    if code not in figures["tables"]["county_results"]["county"]:
        abort(404)
    return render_template("staff/county.html", c=campaign, shown=shown, running=running, f=figures, files=files,
                           reader=results.for_reader(figures, [code]), code=code, nav="results")


def _run_state(shown, running):
    """The part of a results page that says where the computation stands (reloaded while it goes on)."""
    return render_template("staff/_run_state.html", shown=shown, running=running, f=shown is not None,
                           page_shows=request.args.get("shown", type=int))


@bp.get("/c/<slug>/files/<file_id>")
@staff
def file(slug: str, file_id: str):
    """A file of the runs shown, by its id in their manifests (never by a path); county-limited staff
    get their counties' files and the city-wide ones every county report holds."""
    with db.session() as s:
        campaign = _campaign(s, slug)
        found = result_runs.file_of(s, current_app.config["DATA_DIR"], results.subject(campaign), file_id, _limit())
        if found is None:
            abort(404)
        path, name = found[0], results.download_name(campaign, found[1])
        audit.record(s, s.get(User, current_user.user_id), "download", f"{slug}/{file_id}", address_hash(),
                     file=name)
    response = send_file(path)
    response.headers["Content-Disposition"] = attachment(name, f"{slug}-{file_id}{path.suffix}")
    return response
