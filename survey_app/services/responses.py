"""Read a campaign's responses: into a DataFrame, or streamed out as the flat CSV layout.

The flat layout (README, "导出格式"): response_id, county, channel, <attribute ids>,
<item ids>, duration_s, submitted_at, <flag columns>. Item answers are integer
codes with 不了解/不适用 left empty; attributes are option ids.
"""
from __future__ import annotations

from typing import IO, Iterator

import numpy as np
import pandas as pd
from sqlalchemy import String, select, type_coerce
from sqlalchemy.engine import Connection

from questionnaires import Questionnaire
from survey_app.models import FLAG_COLUMNS, Campaign, Channel, County, Response
from survey_app.models.response import ALPHABET, MISSING

_LOOKUP = np.full(256, -1, dtype=np.int16)
for _i, _ch in enumerate(ALPHABET):
    _LOOKUP[ord(_ch)] = _i
_LOOKUP[ord(MISSING)] = -1

CHUNK_ROWS = 50_000


def _codes(packed: pd.Series, width: int) -> np.ndarray:
    """A (rows, width) array of codes, -1 where missing, from packed strings."""
    if len(packed) == 0:
        return np.empty((0, width), dtype=np.int16)
    raw = np.frombuffer("".join(packed).encode("ascii"), dtype=np.uint8)
    return _LOOKUP[raw].reshape(len(packed), width)


def decode(questionnaire: Questionnaire, attributes: pd.Series, answers: pd.Series) -> pd.DataFrame:
    """Attribute columns (categorical option ids) and item columns (nullable integer codes)."""
    columns = {}
    attr_codes = _codes(attributes, len(questionnaire.attributes))
    for j, attribute in enumerate(questionnaire.attributes):
        columns[attribute.id] = pd.Categorical.from_codes(attr_codes[:, j], categories=attribute.option_ids)
    item_codes = _codes(answers, len(questionnaire.items))
    na = questionnaire.scale.not_applicable
    for j, item in enumerate(questionnaire.items):
        values = item_codes[:, j].astype(np.int8)
        columns[item.id] = pd.arrays.IntegerArray(values, (values < 0) | (values == na))
    return pd.DataFrame(columns, index=attributes.index)


def _query(campaign_id: int):
    return (
        select(Response.submission_id.label("response_id"), County.code.label("county"),
               Channel.code.label("channel"), Response.attributes, Response.answers,
               Response.duration_s,
               # raw text or datetime per backend: parsed once, vectorised, in _frame
               type_coerce(Response.submitted_at, String).label("submitted_at"), Response.flags)
        .join(County, County.id == Response.county_id)
        .join(Channel, Channel.id == Response.channel_id)
        .where(Response.campaign_id == campaign_id)
        .order_by(Response.id)
    )


def _frame(questionnaire: Questionnaire, rows: list, timezone: str) -> pd.DataFrame:
    raw = pd.DataFrame.from_records(rows, columns=["response_id", "county", "channel", "attributes",
                                                   "answers", "duration_s", "submitted_at", "flags"])
    decoded = decode(questionnaire, raw["attributes"], raw["answers"])
    submitted = pd.to_datetime(raw["submitted_at"], utc=True, format="ISO8601")
    frame = pd.concat([raw[["response_id", "county", "channel"]], decoded], axis=1)
    frame["duration_s"] = raw["duration_s"].astype(np.int64)
    frame["submitted_at"] = submitted.dt.tz_convert(timezone).dt.tz_localize(None)
    flags = raw["flags"].to_numpy(dtype=np.int64)
    for flag, column in FLAG_COLUMNS.items():
        frame[column] = ((flags & int(flag)) != 0).astype(np.int8)
    return frame


def _rows(connection: Connection, campaign_id: int, stream: bool):
    options = {"yield_per": CHUNK_ROWS} if stream else {}
    return connection.execute(_query(campaign_id).execution_options(**options))


def load_frame(connection: Connection, campaign: Campaign, timezone: str = "Asia/Shanghai") -> pd.DataFrame:
    """All responses of a campaign in the flat layout, submitted_at in local time."""
    rows = _rows(connection, campaign.id, stream=False).fetchall()
    return _frame(campaign.questionnaire, rows, timezone)


def iter_frames(connection: Connection, campaign: Campaign, timezone: str = "Asia/Shanghai",
                chunk_rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    questionnaire = campaign.questionnaire
    result = _rows(connection, campaign.id, stream=True)
    while rows := result.fetchmany(chunk_rows):
        yield _frame(questionnaire, rows, timezone)


def export_csv(connection: Connection, campaign: Campaign, out: IO[str],
               timezone: str = "Asia/Shanghai", progress=None) -> int:
    """Stream the flat CSV (UTF-8 with BOM for Excel) in constant memory; returns rows written."""
    out.write("\ufeff")
    written = 0
    header = True
    for frame in iter_frames(connection, campaign, timezone):
        frame.to_csv(out, index=False, header=header, date_format="%Y-%m-%dT%H:%M:%S",
                     lineterminator="\n")
        header = False
        written += len(frame)
        if progress:
            progress(written)
    if header:  # no responses: still write the header
        _frame(campaign.questionnaire, [], timezone).to_csv(out, index=False, lineterminator="\n")
    return written
