"""The fieldwork monitor: progress per county and for the campaign, refreshing by itself."""
from __future__ import annotations

from flask import Response as HttpResponse
from flask import render_template, request

from reports import tables, workbook
from survey_app import db
from survey_app.admin import bp
from survey_app.admin.campaigns import by, evaluator, find, local_zone, now
from survey_app.auth import address_hash
from survey_app.services import audit
from survey_app.services import monitor as monitor_service

PROGRESS_FORMAT = "0.0%"
COLUMNS = ["区县代码", "区县", "收到", "配额", "完成比例", "最近一小时", "剔除", "作答用时中位数（秒）"]


@bp.get("/c/<slug>/monitor")
@evaluator
def monitor(slug: str):
    with db.session() as s:
        c = find(s, slug)
        m = monitor_service.build(s, c, local_zone(), now())
        template = "admin/_monitor_body.html" if request.args.get("part") else "admin/monitor.html"
        return render_template(template, c=c, m=m, status=c.status(now()), labels=monitor_service.FLAG_LABELS,
                               tab="monitor", nav="campaigns")


def _rows(m: monitor_service.Monitor) -> tuple[list[str], list[list]]:
    header = COLUMNS + [f"标记：{monitor_service.FLAG_LABELS.get(n, n)}" for n in m.flag_names]
    rows = [[r.code, r.name, r.received, r.quota, round(r.progress, 4) if r.progress is not None else None,
             r.last_hour, r.excluded, r.median_duration_s] + [r.flagged.get(n, 0) for n in m.flag_names]
            for r in [*m.counties, m.total]]
    return header, rows


@bp.get("/c/<slug>/monitor.<any(csv, xlsx):kind>")
@evaluator
def monitor_download(slug: str, kind: str):
    with db.session() as s:
        c = find(s, slug)
        header, rows = _rows(monitor_service.build(s, c, local_zone(), now()))
        audit.record(s, by(s), "download", f"{slug}/monitor.{kind}", address_hash())
    name = f"{slug}-monitor-{now().astimezone(local_zone()):%Y%m%d-%H%M}.{kind}"
    if kind == "csv":
        body, mimetype = tables.rows_csv(header, rows).encode("utf-8"), "text/csv"
    else:
        patterns = [PROGRESS_FORMAT if title == "完成比例" else None for title in header]
        body = workbook.rows_xlsx("进度", header, rows, patterns, freeze_columns=2)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return HttpResponse(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})
