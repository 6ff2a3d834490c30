"""Campaigns: the list, a new campaign, its overview, and opening, pausing and closing it."""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

import questionnaires
from survey_app import db
from survey_app.admin import bp
from survey_app.admin.forms import CampaignForm
from survey_app.auth import address_hash, role_required
from survey_app.errors import UserError
from survey_app.io.counties import counties_from, counties_typed
from survey_app.io.uploads import read_upload
from survey_app.models import Campaign, Role, User
from survey_app.services import audit, library
from survey_app.services import campaigns as campaign_service
from survey_app.services import targets as target_service

evaluator = role_required(Role.EVALUATOR)


def now() -> datetime:
    return datetime.now(UTC)


def find(session, slug: str) -> Campaign:
    campaign = campaign_service.by_slug(session, slug)
    if campaign is None:
        abort(404)
    return campaign


def by(session) -> User:
    return session.get(User, current_user.user_id)


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


@bp.get("/")
@evaluator
def campaigns():
    with db.session() as s:
        counts = campaign_service.received_by_campaign(s)
        rows = [(c, c.status(now()), counts.get(c.id, 0), len(c.counties)) for c in campaign_service.newest_first(s)]
    return render_template("admin/campaigns.html", rows=rows, nav="campaigns")


@bp.route("/campaigns/new", methods=["GET", "POST"])
@evaluator
def campaign_new():
    form = CampaignForm()
    with db.session() as s:
        library_versions = [v for v, _ in library.versions(s)]
    versions = {str(v.id): v.definition for v in library_versions}
    form.questionnaire.choices = [SelectChoice(str(v.id), f"{v.title}（{v.key} 版本 {v.version}）")
                                  for v in library_versions]
    if form.is_submitted():
        form.validate()           # every field's own problems, then the campaign's, all shown at once
        counties = _posted_counties(form)
        zone = local_zone()
        opens, closes = (f.data.replace(tzinfo=zone) if f.data else None for f in (form.opens, form.closes))
        with db.session() as s:
            for problem in campaign_service.new_campaign_problems(s, (form.slug.data or "").strip() or None,
                                                                  (form.name.data or "").strip(), opens, closes):
                getattr(form, problem.field).errors.append(problem.text)
            if not any(f.errors for f in form):
                campaign = campaign_service.create_campaign(
                    s, slug=form.slug.data.strip(), name=form.name.data.strip(), organizer=form.organizer.data.strip(),
                    questionnaire=questionnaires.load_dict(versions[form.questionnaire.data]), counties=counties,
                    opens_at=opens, closes_at=closes)
                audit.record(s, by(s), "campaign_create", campaign.slug, address_hash(), counties=len(counties),
                             questionnaire=f"{campaign.questionnaire_id} {campaign.questionnaire_version}")
                flash(f"已创建调查，共 {len(counties)} 个区县。下一步：上传人口目标、设置配额、添加渠道。")
                return redirect(url_for("admin.campaign", slug=campaign.slug))
    return render_template("admin/campaign_new.html", form=form, nav="campaigns")


def _posted_counties(form: CampaignForm) -> list:
    """The counties uploaded or typed; their problems go to the field they came from."""
    upload = form.counties_file.data
    field = form.counties_file if upload and upload.filename else form.counties_text
    try:
        if field is form.counties_file:
            return counties_from(read_upload(upload.filename, upload.read()))
        if (form.counties_text.data or "").strip():
            return counties_typed(form.counties_text.data)
        raise UserError("请上传区县名单或直接输入区县")
    except UserError as exc:
        field.errors = list(field.errors) + exc.texts
        return []


@bp.get("/c/<slug>/")
@evaluator
def campaign(slug: str):
    with db.session() as s:
        c = find(s, slug)
        responses = campaign_service.received_by_campaign(s).get(c.id, 0)
        disabled = campaign_service.disabled_channels(s, c)
        return render_template(
            "admin/campaign.html", c=c, status=c.status(now()), responses=responses, disabled=disabled,
            questionnaire=c.questionnaire, tab="overview", nav="campaigns",
            missing_targets=[f"{county.code} {county.name}" for county in c.counties
                             if county.code in target_service.missing_counties(c)],
            base_url=current_app.config["BASE_URL"], actions=campaign_service.STATE_ACTIONS)


@bp.post("/c/<slug>/state")
@evaluator
def campaign_state(slug: str):
    action = request.form.get("action", "")
    try:
        with db.session() as s:
            campaign_service.change_state(s, find(s, slug), action, now(), by(s), address_hash())
    except UserError as exc:
        flash(str(exc), "error")
    else:
        flash(f"已{campaign_service.STATE_ACTIONS[action]}调查。")
    return redirect(url_for("admin.campaign", slug=slug))
