"""Channels: links and QR codes per county, added one by one or from a list; disabling a link."""
from __future__ import annotations

import csv
import io
import zipfile
from urllib.parse import quote

from flask import Response as HttpResponse
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from survey_app import db
from survey_app.admin import bp
from survey_app.admin.campaigns import by, evaluator, find
from survey_app.admin.forms import ChannelForm, UploadForm
from survey_app.auth import address_hash
from survey_app.errors import UserError
from survey_app.io.qr_codes import qr_image, qr_stem
from survey_app.io.uploads import read_upload
from survey_app.models import Channel
from survey_app.services import audit
from survey_app.services import campaigns as campaign_service


def _page(slug: str, form: ChannelForm, upload: UploadForm, status: int = 200):
    with db.session() as s:
        c = find(s, slug)
        form.county.choices = [SelectChoice(county.code, f"{county.code} {county.name}") for county in c.counties]
        base_url = current_app.config["BASE_URL"]
        links = {ch.id: campaign_service.link(base_url, ch) for ch in c.channels}
        return render_template("admin/channels.html", c=c, form=form, upload=upload, links=links,
                               reachable=campaign_service.links_reachable(base_url), base_url=base_url,
                               tab="channels", nav="campaigns"), status


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
            rows = [(form.county.data, label.strip()) for label in form.labels.data.splitlines() if label.strip()]
        else:
            table = read_upload(upload.file.data.filename, upload.file.data.read())
            table.require("county", "label")
            rows = list(zip(table.column("county"), table.column("label")))
        with db.session() as s:
            added = campaign_service.add_channels(s, find(s, slug), rows, by(s), address_hash())
            count = len(added)
    except UserError as exc:
        flash(str(exc), "error")
        return _page(slug, form, upload, 422)
    flash(f"已添加 {count} 个渠道。")
    return redirect(url_for("admin.channels", slug=slug))


def _channel(session, slug: str, code: str) -> Channel:
    campaign = find(session, slug)
    channel = session.scalar(select(Channel).where(Channel.campaign_id == campaign.id, Channel.code == code))
    return channel if channel is not None else abort(404)


@bp.post("/c/<slug>/channels/<code>/state")
@evaluator
def channel_state(slug: str, code: str):
    disable = request.form.get("action") == "disable"
    with db.session() as s:
        campaign_service.set_channel_disabled(s, _channel(s, slug, code), disable, by(s), address_hash())
    flash(f"渠道 {code} 已{'停用：其链接将显示“已停用”' if disable else '重新启用'}。")
    return redirect(url_for("admin.channels", slug=slug))


@bp.get("/c/<slug>/channels/<code>/qr.<any(png, svg):kind>")
@evaluator
def channel_qr(slug: str, code: str, kind: str):
    with db.session() as s:
        channel = _channel(s, slug, code)
        url = campaign_service.link(current_app.config["BASE_URL"], channel)
        name = qr_stem((channel.code, "", channel.county.name, channel.label, url))
    mimetype = "image/png" if kind == "png" else "image/svg+xml"
    download = {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}.{kind}"} \
        if request.args.get("download") else {}
    return HttpResponse(qr_image(url, kind), mimetype=mimetype, headers=download)


@bp.get("/c/<slug>/qr.zip")
@evaluator
def qr_zip(slug: str):
    """Every channel's QR code (PNG and SVG) of the campaign, or of one county (?county=code)."""
    county = request.args.get("county")
    with db.session() as s:
        c = find(s, slug)
        rows = [r for r in campaign_service.link_rows(c, current_app.config["BASE_URL"])
                if not county or r[1] == county]
        if not rows:
            abort(404)
        audit.record(s, by(s), "download", f"{slug}/qr.zip", address_hash(), county=county or "全部")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        links = io.StringIO()
        writer = csv.writer(links, lineterminator="\n")
        writer.writerow(campaign_service.LINK_COLUMNS)
        writer.writerows(rows)
        archive.writestr("links.csv", "\ufeff" + links.getvalue())
        for row in rows:
            for kind in ("png", "svg"):
                archive.writestr(f"{qr_stem(row)}.{kind}", qr_image(row[-1], kind))
    name = f"{slug}-{county or 'all'}-qr.zip"
    return HttpResponse(buffer.getvalue(), mimetype="application/zip",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

