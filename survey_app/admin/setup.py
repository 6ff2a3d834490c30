"""Preparing a campaign: its counties, population targets and quotas."""
from __future__ import annotations

from flask import Response as HttpResponse
from flask import flash, redirect, render_template, request, url_for
from wtforms.fields.choices import SelectChoice

from survey_app import db
from survey_app.admin import bp
from survey_app.admin.campaigns import by, evaluator, find
from survey_app.admin.forms import CountyForm, QuotaProposalForm, UploadForm
from survey_app.auth import address_hash
from survey_app.errors import UserError
from survey_app.io.counties import counties_from, counties_typed
from survey_app.io.uploads import read_upload
from survey_app.services import audit
from survey_app.services import campaigns as campaign_service
from survey_app.services import quotas as quota_service
from survey_app.services import targets as target_service


def _counties_page(slug: str, form: CountyForm, upload: UploadForm, status: int = 200):
    with db.session() as s:
        c = find(s, slug)
        channels = {county.id: len(county.channels) for county in c.counties}
        return render_template("admin/counties.html", c=c, form=form, upload=upload, channels=channels,
                               tab="counties", nav="campaigns"), status


@bp.get("/c/<slug>/counties")
@evaluator
def counties(slug: str):
    return _counties_page(slug, CountyForm(), UploadForm())


@bp.post("/c/<slug>/counties")
@evaluator
def counties_add(slug: str):
    """One county typed in, or a CSV/Excel list of them."""
    form, upload = CountyForm(), UploadForm()
    typed = "code" in request.form
    if not (form.validate() if typed else upload.validate()):
        return _counties_page(slug, form, upload, 422)
    try:
        rows = counties_typed(f"{form.code.data},{form.name.data}") if typed \
            else counties_from(read_upload(upload.file.data.filename, upload.file.data.read()))
        with db.session() as s:
            campaign_service.add_counties(s, find(s, slug), rows, by(s), address_hash())
    except UserError as exc:
        flash(str(exc), "error")
        return _counties_page(slug, form, upload, 422)
    flash(f"已添加 {len(rows)} 个区县。")
    return redirect(url_for("admin.counties", slug=slug))


@bp.route("/c/<slug>/targets", methods=["GET", "POST"])
@evaluator
def targets(slug: str):
    upload, problems, status = UploadForm(), [], 200
    if upload.validate_on_submit():
        try:
            table = read_upload(upload.file.data.filename, upload.file.data.read())
            with db.session() as s:
                c = find(s, slug)
                rows, problems = target_service.check(c, table)
                if not problems:
                    target_service.replace(s, c, rows, by(s), address_hash())
        except UserError as exc:
            problems = [str(exc)]
        if not problems:
            flash(f"人口目标已保存：{len(rows)} 个人口单元。")
            return redirect(url_for("admin.targets", slug=slug))
        status = 422
    with db.session() as s:
        c = find(s, slug)
        return render_template("admin/targets.html", c=c, upload=upload, problems=problems,
                               populations=target_service.county_populations(c), labels=_labels(c.questionnaire),
                               names={county.code: county.name for county in c.counties},
                               tab="targets", nav="campaigns"), status


@bp.get("/c/<slug>/targets.csv")
@evaluator
def targets_csv(slug: str):
    with db.session() as s:
        c = find(s, slug)
        audit.record(s, by(s), "download", f"{slug}/targets.csv", address_hash())
        body = "\ufeff" + target_service.csv_text(c)
    return HttpResponse(body, mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{slug}-targets.csv"'})


@bp.route("/c/<slug>/quotas", methods=["GET", "POST"])
@evaluator
def quotas(slug: str):
    form = QuotaProposalForm(request.args, meta={"csrf": False})
    with db.session() as s:
        c = find(s, slug)
        variables = list(dict.fromkeys(t.variable for t in c.targets))
        form.attribute.choices = [SelectChoice("", "不按属性")] + [
            SelectChoice(v, c.questionnaire.attribute(v).question) for v in variables]
        proposal, error = None, None
        if request.args.get("total"):
            if form.validate():
                try:
                    proposal = quota_service.propose(c, form.total.data, form.floor.data or 0,
                                                     form.attribute.data or None)
                except UserError as exc:
                    error = str(exc)
            else:
                error = "；".join(e for errors in form.errors.values() for e in errors)
        if request.method == "POST":
            try:
                quota_service.replace(s, c, _posted_quotas(c), by(s), address_hash())
            except UserError as exc:
                error = str(exc)
            else:
                flash("配额已保存。")
                return redirect(url_for("admin.quotas", slug=slug))
        return render_template("admin/quotas.html", c=c, form=form, proposal=proposal, error=error,
                               labels=_labels(c.questionnaire),
                               assumptions=(quota_service.ASSUMED_DEFF, quota_service.ASSUMED_INDEX_SD),
                               tab="quotas", nav="campaigns")


def _posted_quotas(campaign) -> dict[tuple[str, str, str], int]:
    """Fields quota|<county code>|<attribute>|<category> with a whole number (empty: no quota)."""
    quotas = {}
    for name, value in request.form.items():
        if not name.startswith("quota|") or not value.strip():
            continue
        _, code, attribute, category = name.split("|", 3)
        try:
            quotas[(code, attribute, category)] = int(value)
        except ValueError as exc:
            raise UserError(f"区县 {code} 的配额“{value}”不是整数") from exc
    return quotas


def _labels(questionnaire) -> dict[str, str]:
    """Attribute id -> its question, option id -> its label: how ids are shown to people."""
    return {a.id: a.question for a in questionnaire.attributes} | {
        o.id: o.label for a in questionnaire.attributes for o in a.options}
