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
from survey_app.io.counties import counties_from, county_typed
from survey_app.io.uploads import read_upload
from survey_app.services import audit
from survey_app.services import campaigns as campaign_service
from survey_app.services import quotas as quota_service
from survey_app.services import targets as target_service


def _counties_page(slug: str, form: CountyForm, upload: UploadForm, status: int = 200, problems=()):
    with db.session() as s:
        c = find(s, slug)
        channels = {county.id: len(county.channels) for county in c.counties}
        received = campaign_service.responses_by_county(s, c)
        return render_template("admin/counties.html", c=c, form=form, upload=upload, channels=channels,
                               received=received, problems=problems,
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
        rows = [county_typed(form.code.data, form.name.data)] if typed \
            else counties_from(read_upload(upload.file.data.filename, upload.file.data.read()))
        with db.session() as s:
            campaign_service.add_counties(s, find(s, slug), rows, by(s), address_hash())
    except UserError as exc:
        return _counties_page(slug, form, upload, 422, exc.texts)
    flash(f"已添加 {len(rows)} 个区县。")
    return redirect(url_for("admin.counties", slug=slug))


@bp.post("/c/<slug>/counties/<code>/rename")
@evaluator
def county_rename(slug: str, code: str):
    try:
        row = county_typed(code, request.form.get("name", ""))
        with db.session() as s:
            campaign_service.rename_county(s, find(s, slug), row, by(s), address_hash())
    except UserError as exc:
        flash(str(exc), "error")
    else:
        flash(f"区县 {code} 已改名为“{row.name}”。")
    return redirect(url_for("admin.counties", slug=slug))


@bp.post("/c/<slug>/counties/<code>/remove")
@evaluator
def county_remove(slug: str, code: str):
    try:
        with db.session() as s:
            campaign_service.remove_county(s, find(s, slug), code, by(s), address_hash())
    except UserError as exc:
        flash(str(exc), "error")
    else:
        flash(f"已删除区县 {code}。")
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
            problems = exc.texts
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
    """Propose quotas from population (GET with total), or save the table as typed (POST)."""
    form = QuotaProposalForm(request.args, meta={"csrf": False})
    with db.session() as s:
        c = find(s, slug)
        variables = list(dict.fromkeys(t.variable for t in c.targets))
        form.attribute.choices = [SelectChoice("", "不按属性")] + [
            SelectChoice(v, c.questionnaire.attribute(v).question) for v in variables]
        values, attribute, error, problems, proposed = quota_service.saved(c), None, None, [], False
        if request.method == "POST":
            typed = _typed_quotas()
            values, problems = _whole_numbers(typed)
            problems = problems or quota_service.check(c, values)
            if not problems:
                quota_service.replace(s, c, values, by(s), address_hash())
                flash(f"配额已保存：{sum(1 for _, a, _ in values if not a)} 个区县。")
                return redirect(url_for("admin.quotas", slug=slug))
            values = typed      # shown again as typed, beside the problems
        elif request.args.get("total"):
            if form.validate():
                try:
                    proposal = quota_service.propose(c, form.total.data, form.floor.data or 0,
                                                     form.attribute.data or None)
                except UserError as exc:
                    error = str(exc)
                else:
                    attribute, proposed = form.attribute.data or "", True
                    values = {(p.county_code, "", ""): p.quota for p in proposal} | {
                        (p.county_code, attribute, k): v for p in proposal for k, v in p.by_category.items()}
            else:
                error = "；".join(e for errors in form.errors.values() for e in errors)
        return render_template("admin/quotas.html", c=c, form=form, error=error, problems=problems,
                               grid=_quota_grid(c, values, attribute), proposed=proposed,
                               labels=_labels(c.questionnaire),
                               assumptions=(quota_service.ASSUMED_DEFF, quota_service.ASSUMED_INDEX_SD),
                               tab="quotas", nav="campaigns"), 422 if problems else 200


@bp.post("/c/<slug>/quotas/closing")
@evaluator
def quotas_closing(slug: str):
    """Whether collection stops in a county (or a quota category) once its quota is reached."""
    close = request.form.get("close") == "1"
    with db.session() as s:
        quota_service.set_closing(s, find(s, slug), close, by(s), address_hash())
    flash("已设置：配额满后停止收集。" if close else "已设置：配额满后仍照常收集。")
    return redirect(url_for("admin.quotas", slug=slug))


def _typed_quotas() -> dict[tuple[str, str, str], str]:
    """Fields quota|<county code>|<attribute>|<category> as typed (empty: no quota)."""
    return {tuple(name.split("|", 3)[1:]): value.strip() for name, value in request.form.items()
            if name.startswith("quota|") and name.count("|") == 3 and value.strip()}


def _whole_numbers(typed: dict) -> tuple[dict[tuple[str, str, str], int], list[str]]:
    quotas, problems = {}, []
    for (code, attribute, category), value in typed.items():
        try:
            quotas[(code, attribute, category)] = int(value.replace(",", ""))
        except ValueError:
            problems.append(f"区县 {code} 的配额“{value}”不是整数")
    return quotas, problems


def _quota_grid(campaign, values: dict, attribute: str | None) -> dict:
    """The editable table: a row per county with its quota and, for one attribute, its categories."""
    if attribute is None:
        known = {a.id for a in campaign.questionnaire.attributes if not a.applies_if}
        attribute = next((a for _, a, _ in values if a in known), "")
    categories = campaign.questionnaire.attribute(attribute).option_ids if attribute else []
    populations = target_service.county_populations(campaign)
    rows = []
    for county in campaign.counties:
        total = values.get((county.code, "", ""))
        rows.append({"code": county.code, "name": county.name, "population": populations.get(county.code),
                     "total": total, "cells": {k: values.get((county.code, attribute, k)) for k in categories},
                     "margins": (quota_service.index_margin(total), quota_service.share_margin(total))
                     if isinstance(total, int) and total > 0 else None})
    return {"attribute": attribute, "categories": categories, "rows": rows}


def _labels(questionnaire) -> dict[str, str]:
    """Attribute id -> its question, option id -> its label: how ids are shown to people."""
    return {a.id: a.question for a in questionnaire.attributes} | {
        o.id: o.label for a in questionnaire.attributes for o in a.options}
