"""Staff pages: the campaigns and, for each, the counties a staff account may see.

Results and downloads land here next (weighted results, reports); every page checks the
account's county limit on the server.
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import func, select

from survey_app import db
from survey_app.auth import role_required
from survey_app.models import Campaign, County, Response, Role

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.get("/")
@role_required(Role.STAFF)
def campaigns():
    now = datetime.now(timezone.utc)
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
