"""Views: parse the request, call the submission service, render."""
from __future__ import annotations

import secrets
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import (
    abort,
    current_app,
    g,
    jsonify,
    make_response,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select

from survey_app import db, privacy
from survey_app.models import Response
from survey_app.respond import bp, links
from survey_app.services import submissions

DEVICE_COOKIE = "sv_device"


@bp.record_once
def _hold_links(state):
    state.app.extensions["links"] = links.Links(state.app.config["LINK_CACHE_SECONDS"])


def _link(token: str) -> links.Link:
    link = current_app.extensions["links"].find(token)
    if link is None:
        abort(404)
    return link


# Title, message, HTTP status and the short message for the page script, per status.
_CLOSED = {
    "not_open": ("调查尚未开始", "本次调查将于 {opens} 开始，请到时再扫码填写。", 403, "本次调查尚未开始"),
    "paused": ("调查暂停", "本次调查暂时暂停，请稍后再扫码填写。您已填写的答案保存在手机上。", 403, "本次调查暂时暂停，请稍后再提交"),
    "closed": ("调查已结束", "本次调查已经结束，感谢您的关注！", 410, "本次调查已经结束"),
    "disabled": ("链接已停用", "此链接已停用。如需参加调查，请扫描最新海报上的二维码。", 410, "此链接已停用"),
}


def _closed_page(link: links.Link, status: str):
    title, message, code, _ = _CLOSED[status]
    opens = link.opens_at.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))
    return render_template("message.html", title=title,
                           message=message.format(opens=opens.strftime("%Y年%m月%d日 %H:%M"))), code


# A complete form is about 1 KB in some 25 fields; anything far larger is not a resident's.
MAX_FORM_BYTES, MAX_FORM_FIELDS = 16 * 1024, 64


@bp.before_request
def _limit_forms():
    request.max_content_length = MAX_FORM_BYTES
    request.max_form_parts = MAX_FORM_FIELDS              # multipart forms
    if request.method == "POST" and len(request.form) > MAX_FORM_FIELDS:
        abort(413)                                       # url-encoded forms
    if request.endpoint in ("respond.questionnaire", "respond.submit"):
        return _slow_down_crowds()


def _address_hash() -> str:
    if "address_hash" not in g:
        g.address_hash = privacy.address_hash(current_app.config["ADDRESS_KEY"], request.remote_addr or "")
    return g.address_hash


def _slow_down_crowds():
    """A soft limit per address: far more than a school network sends; the page keeps the answers."""
    limit = current_app.config["CROWD_LIMITS"].requests_per_hour
    if current_app.extensions["traffic"]["requests"].add(_address_hash()) <= limit:
        return None
    message = "您所在网络的访问过于频繁，请过一段时间再试。您已填写的答案保存在手机上，不会丢失。"
    if _wants_json():
        reply = jsonify(message=message)
    else:
        reply = make_response(render_template("message.html", title="访问过于频繁", message=message))
    reply.status_code = 429
    reply.headers["Retry-After"] = "600"
    return reply


def _new_form_token(link: links.Link) -> str:
    """A signed token for one filling of the form, marked when the page is one of a burst."""
    forms = current_app.extensions["traffic"]["forms"].add(_address_hash())
    in_burst = forms > current_app.config["CROWD_LIMITS"].forms_per_minute
    return submissions.issue_token(current_app.config["SECRET_KEY"], link.channel_id, in_burst)


def _wants_json() -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


@bp.get("/favicon.ico")
def favicon():
    return "", 204         # pages declare no icon; an empty answer spares the 404 page


@bp.get("/")
def index():
    return render_template("message.html", title=" 县域教育群众满意度调查",
                           message="请扫描调查海报或转发链接中的二维码参与调查。")


@bp.get("/s/<token>")
def questionnaire(token: str):
    link = _link(token)
    status = link.status(datetime.now(UTC))
    if status != "open":
        return _closed_page(link, status)
    response = make_response(links.blank_form(link, _new_form_token(link)))
    _ensure_device_cookie(response)
    return response


@bp.post("/s/<token>")
def submit(token: str):
    link = _link(token)
    status = link.status(datetime.now(UTC))
    if status != "open":
        body, code = _closed_page(link, status)
        if _wants_json():
            return jsonify(message=_CLOSED[status][3]), code
        return body, code
    secret = current_app.config["SECRET_KEY"]
    try:
        form_token = submissions.read_token(secret, request.form.get(submissions.TOKEN_FIELD), link.channel_id,
                                            current_app.config["FORM_TOKEN_MAX_AGE_S"])
    except submissions.BadToken as exc:
        # Answers are kept: the page script reloads with a fresh form and sends them again;
        # without the script the form comes back filled in, with a fresh token.
        message = "问卷页面已过期，已为您更新，请再次点击“提交问卷”。" if isinstance(exc, submissions.ExpiredToken) \
            else "问卷页面已失效，已为您更新，请再次点击“提交问卷”。"
        if _wants_json():
            return jsonify(message=message, renew=True), 400
        return _render_form(link, _new_form_token(link), request.form, {}, notice=message), 400
    questionnaire = link.questionnaire
    answers = submissions.parse(questionnaire, request.form)
    if answers.errors:
        if _wants_json():
            return jsonify(errors=answers.errors, message="还有题目未完成，请查看标红的题目。"), 422
        return _render_form(link, request.form[submissions.TOKEN_FIELD], request.form, answers.errors), 422
    device = request.cookies.get(DEVICE_COOKIE) or form_token.submission_id
    submission = submissions.Submission(
        campaign_id=link.campaign_id, county_id=link.county_id, channel_id=link.channel_id, token=form_token,
        answers=answers, honeypot=request.form.get(submissions.HONEYPOT_FIELD, ""),
        device_hash=privacy.keyed_hash(secret, "device", device), ip_hash=_address_hash(),
    )
    try:
        receipt = submissions.store(db.engine(), questionnaire, submission,
                                    current_app.config["CROWD_LIMITS"].responses_per_10_minutes)
    except submissions.SubmissionConflict:
        message = "这份问卷已经提交过，不能更改答案。"
        if _wants_json():
            return jsonify(message=message), 409
        return render_template("message.html", title="已经提交过", message=message), 409
    if _wants_json():
        return jsonify(ok=True, redirect=url_for("respond.thanks", token=token, r=receipt))
    return _render_thanks(link, receipt)


@bp.get("/s/<token>/thanks")
def thanks(token: str):
    """The thank-you page of a stored submission; a receipt never stored gets no success page."""
    link = _link(token)
    receipt = request.args.get("r", "")[:32]
    with db.session() as session:
        stored = session.scalar(select(Response.id).where(Response.campaign_id == link.campaign_id,
                                                          Response.submission_id == receipt))
    if stored is None:
        return render_template("message.html", title="没有找到这份答卷",
                               message="没有找到这个回执编号对应的答卷。如果您刚刚提交，请返回问卷页面重新提交；"
                                       "您填写的答案保存在手机上。"), 404
    return _render_thanks(link, receipt)


def _render_thanks(link: links.Link, receipt: str):
    return render_template("respond/thanks.html", campaign=link, receipt=receipt)


def _render_form(link: links.Link, form_token: str, values, errors: dict, notice: str = ""):
    return links.render_form(link.questionnaire, link.organizer, link.simulated, link.county_name, form_token,
                             values, errors, notice)


def _ensure_device_cookie(response):
    if not request.cookies.get(DEVICE_COOKIE):
        response.set_cookie(DEVICE_COOKIE, secrets.token_urlsafe(16), max_age=365 * 86400,
                            httponly=True, samesite="Lax", secure=request.is_secure)
