"""Staff pages: campaigns, their weighted results and the documents to download.

Staff limited to some counties see and download only those counties' results; every page and
file checks the limit on the server.
"""
from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, render_template, send_file
from flask_login import current_user
from sqlalchemy import func, select

from survey_app import db
from survey_app.auth import address_hash, role_required
from survey_app.models import Campaign, Response, Role, User
from survey_app.services import audit, results

bp = Blueprint("staff", __name__, url_prefix="/staff")
staff = role_required(Role.STAFF)


@bp.get("/")
@staff
def campaigns():
    now = datetime.now(UTC)
    with db.session() as s:
        counts = dict(s.execute(select(Response.county_id, func.count()).where(~Response.excluded)
                                .group_by(Response.county_id)).all())
        rows = []
        for c in s.scalars(select(Campaign).order_by(Campaign.id.desc())):
            counties = [(county, counts.get(county.id, 0)) for county in c.counties
                        if current_user.sees_county(county.code)]
            if counties:
                rows.append((c, c.status(now), counties))
    return render_template("staff/campaigns.html", rows=rows, nav="results")


def _campaign(session, slug: str) -> Campaign:
    campaign = session.scalar(select(Campaign).where(Campaign.slug == slug))
    if campaign is None or not any(current_user.sees_county(c.code) for c in campaign.counties):
        abort(404)
    return campaign


def _figures(slug: str):
    """The campaign, the run shown (the newest finished one), the run for the current data, its figures."""
    with db.session() as s:     # committed before a run starts: it may have dropped a stale one
        campaign = _campaign(s, slug)
        run, key = results.current(s, campaign)
    if run is None:
        results.start(current_app._get_current_object(), campaign, key)
    with db.session() as s:
        campaign = _campaign(s, slug)
        run = results.run_for(s, campaign, key)
        shown = run if run is not None and run.status == "done" else results.latest_done(s, campaign)
        path = results.directory(current_app.config["DATA_DIR"], campaign, shown) if shown else None
        return campaign, shown, run, (results.load_figures(path) if path else None)


@bp.get("/c/<slug>/")
@staff
def campaign_results(slug: str):
    campaign, shown, running, figures = _figures(slug)
    visible = [code for code in (figures["tables"]["county_results"]["county"][:-1] if figures else [])
               if current_user.sees_county(code)]
    return render_template("staff/results.html", c=campaign, shown=shown, running=running, f=figures,
                           visible=visible, limited=bool(current_user.county_codes), nav="results")


@bp.get("/c/<slug>/county/<code>")
@staff
def county_results(slug: str, code: str):
    if not current_user.sees_county(code):
        abort(403)
    campaign, shown, running, figures = _figures(slug)
    if figures is None:
        return render_template("staff/results.html", c=campaign, shown=None, running=running, f=None, visible=[],
                               limited=bool(current_user.county_codes), nav="results")
    if code not in figures["tables"]["county_results"]["county"]:
        abort(404)
    return render_template("staff/county.html", c=campaign, shown=shown, running=running, f=figures, code=code,
                           nav="results")


@bp.get("/c/<slug>/files/<path:name>")
@staff
def download(slug: str, name: str):
    """A document of the newest finished run; county-limited staff get their counties' reports only."""
    if current_user.county_codes and not _own_county_file(name):
        abort(403)
    with db.session() as s:
        campaign = _campaign(s, slug)
        shown = results.latest_done(s, campaign)
        if shown is None:
            abort(404)
        path = (results.directory(current_app.config["DATA_DIR"], campaign, shown) / name).resolve()
        root = results.directory(current_app.config["DATA_DIR"], campaign, shown).resolve()
        if root not in path.parents or not path.is_file() or path.name == "figures.json":
            abort(404)
        audit.record(s, s.get(User, current_user.user_id), "download", f"{slug}/{name}", address_hash())
    return send_file(path, as_attachment=True, download_name=path.name)


def _own_county_file(name: str) -> bool:
    """A report or chart of one of the staff member's counties, or the city-wide priorities chart."""
    folder, _, file = name.partition("/")
    own = file.split("_", 1)[0] in current_user.county_codes
    return (folder == "报告" and own and file.endswith((".pdf", ".docx"))) or \
        (folder == "图表" and (own or file == "重要性表现.png") and file.endswith(".png"))
