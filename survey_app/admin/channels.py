"""Channels: links and QR codes per county, added one by one or from a list; disabling a link."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response as HttpResponse
from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from wtforms.fields.choices import SelectChoice

from reports.qr import qr_image
from survey_app import db, job_queue
from survey_app.admin import bp
from survey_app.admin.campaigns import by, evaluator, find
from survey_app.admin.forms import ChannelForm, UploadForm
from survey_app.auth import address_hash
from survey_app.downloads import attachment
from survey_app.errors import UserError
from survey_app.io.qr_codes import qr_stem
from survey_app.io.uploads import read_upload
from survey_app.models import Channel, Job
from survey_app.services import audit, channel_files, review, submissions
from survey_app.services import campaigns as campaign_service


def _page(slug: str, form: ChannelForm, upload: UploadForm, status: int = 200, problems=()):
    with db.session() as s:
        c = find(s, slug)
        form.county.choices = [SelectChoice(county.code, f"{county.code} {county.name}") for county in c.counties]
        base_url = current_app.config["BASE_URL"]
        links = {ch.id: campaign_service.link(base_url, ch) for ch in c.channels}
        jobs = channel_files.recent(s, c)
        return render_template("admin/channels.html", c=c, form=form, upload=upload, links=links,
                               jobs=jobs, job_states={j.id: channel_files.state(j) for j in jobs},
                               kinds=channel_files.KINDS, county_names={county.code: county.name for county in c.counties},
                               reachable=campaign_service.links_reachable(base_url), base_url=base_url,
                               tests=review.tests(s, c),
                               problems=problems, tab="channels", nav="campaigns"), status


@bp.get("/c/<slug>/channels")
@evaluator
def channels(slug: str):
    return _page(slug, ChannelForm(), UploadForm())


@bp.post("/c/<slug>/channels")
@evaluator
def channels_add(slug: str):
    """Labels typed for one county, or a CSV/Excel list with columns county,label."""
    form, upload = ChannelForm(), UploadForm()
    typed = "labels" in request.form
    if typed:
        with db.session() as s:
            form.county.choices = [SelectChoice(county.code) for county in find(s, slug).counties]
    if not (form.validate() if typed else upload.validate()):
        return _page(slug, form, upload, 422)
    try:
        if typed:
            rows, lines, source = [(form.county.data, label.strip())
                                   for label in form.labels.data.splitlines() if label.strip()], None, ""
        else:
            table = read_upload(upload.file.data.filename, upload.file.data.read())
            table.require("county", "label")
            rows, lines, source = list(zip(table.column("county"), table.column("label"))), table.lines, table.name
        with db.session() as s:
            added = campaign_service.add_channels(s, find(s, slug), rows, by(s), address_hash(), lines, source)
            count = len(added)
    except UserError as exc:
        return _page(slug, form, upload, 422, problems=exc.texts)
    flash(f"已添加 {count} 个渠道。")
    return redirect(url_for("admin.channels", slug=slug))


def _channel(session, slug: str, code: str) -> Channel:
    campaign = find(session, slug)
    channel = campaign_service.channel_by_code(session, campaign, code)
    return channel if channel is not None else abort(404)


@bp.post("/c/<slug>/channels/<code>/state")
@evaluator
def channel_state(slug: str, code: str):
    disable = request.form.get("action") == "disable"
    with db.session() as s:
        campaign_service.set_channel_disabled(s, _channel(s, slug, code), disable, by(s), address_hash())
    flash(f"渠道 {code} 已{'停用：其链接将显示“已停用”' if disable else '重新启用'}。")
    return redirect(url_for("admin.channels", slug=slug))


@bp.get("/c/<slug>/channels/<code>/try")
@evaluator
def channel_try(slug: str, code: str):
    """Test mode: the residents' page of this channel with a signed mark, open or not; the answers
    are stored as test answers, left out of every count, export and result."""
    with db.session() as s:
        channel = _channel(s, slug, code)
        token, mark = channel.token, submissions.issue_test_mark(current_app.config["SECRET_KEY"], channel.id)
    return redirect(url_for("respond.questionnaire", token=token, test=mark))


@bp.post("/c/<slug>/tests/clear")
@evaluator
def tests_clear(slug: str):
    with db.session() as s:
        cleared = review.clear_tests(s, find(s, slug), by(s), address_hash())
    flash(f"已清除 {cleared} 份测试答卷。")
    return redirect(url_for("admin.channels", slug=slug))


@bp.get("/c/<slug>/channels/<code>/qr.<any(png, svg):kind>")
@evaluator
def channel_qr(slug: str, code: str, kind: str):
    with db.session() as s:
        channel = _channel(s, slug, code)
        url = campaign_service.link(current_app.config["BASE_URL"], channel)
        name = qr_stem((channel.code, "", channel.county.name, channel.label, url))
        audit.record(s, by(s), "download", f"{slug}/{code}/qr.{kind}", address_hash())
    mimetype = "image/png" if kind == "png" else "image/svg+xml"
    download = {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}.{kind}"} \
        if request.args.get("download") else {}
    return HttpResponse(qr_image(url, kind), mimetype=mimetype, headers=download)


@bp.get("/c/<slug>/channels/<code>/poster.pdf")
@evaluator
def channel_poster(slug: str, code: str):
    """A printable A4 poster of the channel: title, county, invitation, QR code, closing date."""
    with db.session() as s:
        channel = _channel(s, slug, code)
        url = campaign_service.link(current_app.config["BASE_URL"], channel)
        from reports import posters          # fpdf2 (0.4 s to import) only where posters are set
        pdf = posters.render([channel_files.poster(channel, url, current_app.config["TIMEZONE"])])
        name = qr_stem((channel.code, "", channel.county.name, channel.label, ""))
        audit.record(s, by(s), "download", f"{slug}/{code}/poster.pdf", address_hash())
    return HttpResponse(pdf, mimetype="application/pdf",
                        headers={"Content-Disposition": f"inline; filename*=UTF-8''{quote(name)}.pdf"})


@bp.post("/c/<slug>/channels/<any(qr, posters):kind>.zip")
@evaluator
def channels_zip(slug: str, kind: str):
    """Queue the ZIP of every channel's QR codes (PNG and SVG) or posters (PDF), with the list of
    links, of the campaign or of one county (county=code); its page shows the progress."""
    county = request.form.get("county") or None
    with db.session() as s:
        c = find(s, slug)
        try:
            job = channel_files.request_zip(s, c, kind, county, by(s).username, current_app.config["DATA_DIR"])
        except UserError as exc:
            flash(str(exc), "error")
            return redirect(url_for("admin.channels", slug=slug))
        audit.record(s, by(s), "request_zip", f"{slug}/{kind}.zip", address_hash(), county=county or "全部",
                     channels=job.total)
    if not job_queue.enqueue("channel_files", job.id):
        with db.session() as s:
            channel_files.fail(s, job.id, "后台任务队列暂时连不上，请稍后点“重新生成”。")
    return redirect(url_for("admin.job", slug=slug, job_id=job.id))


@bp.get("/c/<slug>/jobs/<int:job_id>")
@evaluator
def job(slug: str, job_id: int):
    """A queued ZIP: progress while it is built (?part=1: the part the page reloads), then its download."""
    with db.session() as s:
        c = find(s, slug)
        found = _job(s, c, job_id)
        county = next((county.name for county in c.counties if county.code == found.county), "全部区县")
        template = "admin/_job_state.html" if request.args.get("part") else "admin/job.html"
        return render_template(template, c=c, job=found, kinds=channel_files.KINDS, county=county,
                               state=channel_files.state(found), working=found.status in ("queued", "running")
                               and not channel_files.interrupted(found), tab="channels", nav="campaigns")


@bp.get("/c/<slug>/jobs/<int:job_id>/file")
@evaluator
def job_file(slug: str, job_id: int):
    with db.session() as s:
        found = _job(s, find(s, slug), job_id)
        path = channel_files.file_path(current_app.config["DATA_DIR"], found)
        if found.status != "done" or not path.exists():
            abort(404)
        audit.record(s, by(s), "download", f"{slug}/{found.kind}.zip", address_hash(), county=found.county or "全部")
        disposition = attachment(found.file_name, f"{slug}-{found.county or 'all'}-{found.kind}.zip")
    response = send_file(path, mimetype="application/zip")
    response.headers["Content-Disposition"] = disposition
    return response


def _job(session, campaign, job_id: int) -> Job:
    found = session.get(Job, job_id)
    if found is None or found.campaign_id != campaign.id:
        abort(404)
    return found

