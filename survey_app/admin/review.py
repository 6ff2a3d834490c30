"""Review: flagged responses with filters; exclude or restore one, a selection, or a burst."""
from __future__ import annotations

from datetime import datetime


from flask import Response as HttpResponse
from flask import abort, current_app, flash, redirect, render_template, request, url_for

from survey_app import db
from survey_app.admin import bp
from survey_app.admin.campaigns import by, evaluator, find, local_zone
from survey_app.auth import address_hash
from survey_app.downloads import attachment
from survey_app.errors import UserError
from survey_app.models import packing
from survey_app.services import exports
from survey_app.services import review as review_service
from survey_app.services.monitor import FLAG_LABELS


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M").replace(tzinfo=local_zone())
    except ValueError as exc:
        raise UserError(f"时间“{text}”无效") from exc


def _filters(args) -> review_service.Filters:
    return review_service.Filters(county=args.get("county") or None, channel=args.get("channel") or None,
                                  flag=args.get("flag") or None, since=_time(args.get("since")),
                                  until=_time(args.get("until")), commented=args.get("comment") == "1")


FILTER_KEYS = ("county", "channel", "flag", "since", "until", "comment")


def _flag_choices() -> list[tuple[str, str, int]]:
    return [(f.name.lower(), FLAG_LABELS.get(f.name.lower(), f.name), f.value) for f in packing.Flag]


@bp.get("/c/<slug>/review")
@evaluator
def review(slug: str):
    page = max(request.args.get("page", 1, type=int), 1)
    args = {k: request.args.get(k, "") for k in FILTER_KEYS}
    if not request.args:
        args["flag"] = "any"       # the page opens on flagged responses
    with db.session() as s:
        c = find(s, slug)
        try:
            rows, total = review_service.listing(s, c, _filters(args), page)
        except UserError as exc:
            flash(str(exc), "error")
            rows, total = [], 0
        return render_template("admin/review.html", c=c, rows=rows, total=total, page=page, args=args,
                               pages=(total + review_service.PAGE - 1) // review_service.PAGE,
                               flags=_flag_choices(),
                               tab="review", nav="campaigns")


@bp.post("/c/<slug>/review")
@evaluator
def review_decide(slug: str):
    """Exclude or restore the ticked responses, or every response the filters match."""
    exclude = request.form.get("decision") == "exclude"
    args = {k: request.form.get(k, "") for k in FILTER_KEYS}
    try:
        with db.session() as s:
            c = find(s, slug)
            if request.form.get("scope") == "matching":
                changed = review_service.decide_matching(s, c, _filters(args), exclude, request.form.get("reason", ""),
                                                         by(s), address_hash())
            else:
                changed = review_service.decide(s, c, request.form.getlist("response"), exclude,
                                                request.form.get("reason", ""), by(s), address_hash())
    except UserError as exc:
        flash(str(exc), "error")
    else:
        flash(f"已{'剔除' if exclude else '恢复'} {changed} 份答卷。")
    if request.form.get("back") == "response":
        return redirect(url_for("admin.response", slug=slug, submission_id=request.form.get("response", "")))
    return redirect(url_for("admin.review", slug=slug, **{k: v for k, v in args.items() if v}))


@bp.get("/c/<slug>/responses/<submission_id>")
@evaluator
def response(slug: str, submission_id: str):
    """One response as the resident answered it, with its flags and the review's decision."""
    with db.session() as s:
        c = find(s, slug)
        found = review_service.one(s, c, submission_id)
        if found is None:
            abort(404)
        r, channel_code, channel_label, county_name = found
        return render_template("admin/response.html", c=c, r=r, channel=f"{channel_code} {channel_label}",
                               county=county_name, answers=review_service.answers(c, r),
                               flags=[label for key, label, bit in _flag_choices() if r.flags & bit],
                               tab="review", nav="campaigns")


@bp.get("/c/<slug>/responses.<kind>")
@evaluator
def responses_download(slug: str, kind: str):
    """All responses of the campaign, as `survey export responses` writes them (audited)."""
    if kind not in exports.FORMATS:
        abort(404)
    with db.session() as s:
        c = find(s, slug)
        data, _ = exports.responses_file(s, c, kind, current_app.config["TIMEZONE"], by(s), address_hash())
        name = f"{c.name}_答卷.{kind}"
    return HttpResponse(data, mimetype=exports.FORMATS[kind],
                        headers={"Content-Disposition": attachment(name, f"{slug}-responses.{kind}")})
