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

from questionnaires.model import COMMENT_FIELD
from survey_app import db, privacy
from survey_app.models import Response
from survey_app.respond import bp, closing, links
from survey_app.services import submissions

DEVICE_COOKIE = "sv_device"


@bp.record_once
def _hold_links(state):
    state.app.extensions["links"] = links.Links(state.app.config["LINK_CACHE_SECONDS"])
    state.app.extensions["quota_closing"] = closing.QuotaClosing(state.app.config["QUOTA_CACHE_SECONDS"])


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


# A county whose quota is reached, while the campaign closes full quotas: its collection is over,
# as for a closed campaign (410, like "调查已结束"); the page is never cached (no-store), so it
# gives way to the form as soon as an evaluator raises the quota or excludes responses.
FULL_COUNTY = ("答卷已经收集够了", "本区县的答卷已经收集够了，感谢您的参与！本次调查在其他区县仍在进行，"
                                   "如您是其他区县的群众，请扫描所在区县的二维码。", 410,
               "本区县的答卷已经收集够了，感谢您的参与！")
FULL_CELL = ("答卷已经收集够了", "{who}的答卷已经收集够了，感谢您的参与！您这次填写的答案没有保存，"
                                 "无需再次提交。", 410)


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


def _new_form_token(link: links.Link, test: bool = False) -> str:
    """A signed token for one filling of the form, marked when the page is one of a burst, or
    as an evaluator's test form."""
    if test:
        return submissions.issue_token(current_app.config["SECRET_KEY"], link.channel_id, test=True)
    forms = current_app.extensions["traffic"]["forms"].add(_address_hash())
    in_burst = forms > current_app.config["CROWD_LIMITS"].forms_per_minute
    return submissions.issue_token(current_app.config["SECRET_KEY"], link.channel_id, in_burst)


def _test_mode(link: links.Link) -> bool:
    """The page was opened from an evaluator's "试填" link: its signed mark names this channel."""
    return submissions.is_test_mark(current_app.config["SECRET_KEY"], request.args.get("test"), link.channel_id)


def _closed_quotas(link: links.Link) -> closing.Closed | None:
    if not link.close_full_quotas:
        return None
    return current_app.extensions["quota_closing"].state(link.campaign_id)


def _full_note(link: links.Link, closed: closing.Closed | None) -> str:
    """Before they start: the groups of this county whose answers are enough already."""
    cells = closed.cells_of(link.county_id) if closed else {}
    if not cells:
        return ""
    return (f"本区县{_groups(link, cells)}的答卷已经收集够了，感谢关注！如果您属于其中，无需填写本问卷；"
            "其他群众请继续填写。")


def _groups(link: links.Link, cells) -> str:
    questionnaire = link.questionnaire
    labels = []
    for attribute, category in sorted(cells):
        option = next((o for o in questionnaire.attribute(attribute).options if o.id == category), None)
        if option is not None:
            labels.append(f"“{option.label}”")
    return "、".join(labels)


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
    if _test_mode(link):      # an evaluator tries the form, open or not: answers stored as a test
        return links.blank_form(link, _new_form_token(link, test=True), test=True)
    status = link.status(datetime.now(UTC))
    if status != "open":
        return _closed_page(link, status)
    closed = _closed_quotas(link)
    if closed is not None and link.county_id in closed.counties:
        title, message, code, _ = FULL_COUNTY
        return render_template("message.html", title=title, message=message), code
    response = make_response(links.blank_form(link, _new_form_token(link), full_note=_full_note(link, closed)))
    _ensure_device_cookie(response)
    return response


@bp.post("/s/<token>")
def submit(token: str):
    link = _link(token)
    secret = current_app.config["SECRET_KEY"]
    try:
        form_token, refused = submissions.read_token(secret, request.form.get(submissions.TOKEN_FIELD),
                                                     link.channel_id, current_app.config["FORM_TOKEN_MAX_AGE_S"]), None
    except submissions.BadToken as exc:
        form_token, refused = None, exc
    test = form_token is not None and form_token.test
    status = link.status(datetime.now(UTC))
    if status != "open" and not test and not getattr(refused, "test", False):
        body, code = _closed_page(link, status)
        if _wants_json():
            return jsonify(message=_CLOSED[status][3]), code
        return body, code
    if refused is not None:
        # Answers are kept: the page script reloads with a fresh form and sends them again;
        # without the script the form comes back filled in, with a fresh token (a test one for
        # an expired test form: its mark was signed by this server).
        message = "问卷页面已过期，已为您更新，请再次点击“提交问卷”。" if isinstance(refused, submissions.ExpiredToken) \
            else "问卷页面已失效，已为您更新，请再次点击“提交问卷”。"
        if _wants_json():
            return jsonify(message=message, renew=True), 400
        renewed_test = getattr(refused, "test", False)
        return _render_form(link, _new_form_token(link, test=renewed_test), request.form, {}, notice=message,
                            test=renewed_test), 400
    questionnaire = link.questionnaire
    answers = submissions.parse(questionnaire, request.form)
    if answers.errors:
        if _wants_json():
            message = "还有题目未完成，请查看标红的题目。" if set(answers.errors) - {COMMENT_FIELD} \
                else answers.errors[COMMENT_FIELD]
            return jsonify(errors=answers.errors, message=message), 422
        return _render_form(link, request.form[submissions.TOKEN_FIELD], request.form, answers.errors,
                            test=test), 422
    full = None if test else _full_cells_of(link, answers, form_token)
    if full:
        title, message, code = FULL_CELL
        message = message.format(who=f"本区县{full}")
        if _wants_json():
            return jsonify(message=message, drop=True), code
        return render_template("message.html", title=title, message=message), code
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
    return _render_thanks(link, receipt, test)


@bp.get("/s/<token>/thanks")
def thanks(token: str):
    """The thank-you page of a stored submission; a receipt never stored gets no success page."""
    link = _link(token)
    receipt = request.args.get("r", "")[:32]
    with db.session() as session:
        stored = session.execute(select(Response.id, Response.test).where(
            Response.campaign_id == link.campaign_id, Response.submission_id == receipt)).first()
    if stored is None:
        return render_template("message.html", title="没有找到这份答卷",
                               message="没有找到这个回执编号对应的答卷。如果您刚刚提交，请返回问卷页面重新提交；"
                                       "您填写的答案保存在手机上。"), 404
    return _render_thanks(link, receipt, stored.test)


def _render_thanks(link: links.Link, receipt: str, test: bool = False):
    return render_template("respond/thanks.html", campaign=link, receipt=receipt, test=test)


def _render_form(link: links.Link, form_token: str, values, errors: dict, notice: str = "", test: bool = False):
    return links.render_form(link.questionnaire, link.organizer, link.simulated, link.county_name, form_token,
                             values, errors, notice, test=test)


def _full_cells_of(link: links.Link, answers: submissions.Answers, form_token: submissions.FormToken) -> str:
    """The resident's quota categories that were full before they opened the form (the form said
    so at its top), as the words for the page; "" when the answer is to be stored.

    A category that filled up while they were answering still takes their answer: nobody
    fills in a form that was open to them for nothing.
    """
    closed = _closed_quotas(link)
    if closed is None:
        return ""
    cells = {cell: since for cell, since in closed.cells_of(link.county_id).items()
             if answers.attributes.get(cell[0]) == cell[1] and int(since) <= form_token.started}
    return _groups(link, cells) if cells else ""


def _ensure_device_cookie(response):
    if not request.cookies.get(DEVICE_COOKIE):
        response.set_cookie(DEVICE_COOKIE, secrets.token_urlsafe(16), max_age=365 * 86400,
                            httponly=True, samesite="Lax", secure=request.is_secure)
