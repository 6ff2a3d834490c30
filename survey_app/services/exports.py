"""The raw responses as files (CSV, Excel, SPSS): one builder for `survey export responses` and the
workspace's download, each export audited."""
from __future__ import annotations

import io

from sqlalchemy.orm import Session

from reports import datafiles
from survey_app.errors import UserError
from survey_app.models import Campaign
from survey_app.services import audit, responses
from survey_app.services.monitor import FLAG_LABELS

FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "sav": "application/x-spss-sav"}


def responses_file(session: Session, campaign: Campaign, kind: str, timezone: str, by, ip_hash: str = "",
                   progress=None) -> tuple[bytes, int]:
    """The file's bytes and how many responses it holds. CSV is `export_csv`'s flat layout
    (option ids, 不了解 empty); Excel and SPSS code attributes 1..k with Chinese labels."""
    if kind not in FORMATS:
        raise UserError(f"不支持的格式“{kind}”（可用：{'、'.join(FORMATS)}）")
    if kind == "csv":
        out = io.StringIO()
        count = responses.export_csv(session.connection(), campaign, out, timezone, progress)
        data = out.getvalue().encode("utf-8")
    else:
        frame = responses.load_frame(session.connection(), campaign, timezone, not_known=True)
        names = {c.code: c.name for c in campaign.counties}
        table = datafiles.raw(frame, campaign.questionnaire, names, FLAG_LABELS)
        build = datafiles.xlsx_bytes if kind == "xlsx" else datafiles.sav_bytes
        data, count = build(table, campaign.questionnaire, FLAG_LABELS), len(table)
    audit.record(session, by, "export", campaign.slug, ip_hash, responses=count, file=kind)
    return data, count
