"""Read a campaign's responses: into a DataFrame, or streamed out as the flat CSV layout.

The flat layout (README, "导出格式"): response_id, county, channel, <attribute ids>,
<item ids>, duration_s, submitted_at, address_hash, <flag columns>, excluded, exclusion_reason, and
comment where the questionnaire asks its open question. Item answers are integer codes with
不了解/不适用 left empty; attributes are option ids; the comment is masked (analysis.comments.mask):
files leave the workspace, the raw text stays on the review page.
"""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

import numpy as np
import pandas as pd
from sqlalchemy.engine import Connection

from analysis.comments import mask
from questionnaires import Questionnaire
from reports.tables import neutralised
from survey_app.models import Campaign, Response, packing

CHUNK_ROWS = 50_000


def decode(questionnaire: Questionnaire, packed: list[str], not_known: bool = False) -> pd.DataFrame:
    """Attribute columns (categorical option ids) and item columns (nullable integer codes)
    from the packed ``attributes + answers`` strings, in one vectorised pass.

    不了解 is missing, as in the flat export, unless `not_known` keeps its code (the SPSS file
    tells it from a skipped item; the analysis counts it as not answered either way)."""
    n_attributes = len(questionnaire.attributes)
    codes = packing.unpack_rows(packed, n_attributes + len(questionnaire.items))
    columns = {}
    for j, attribute in enumerate(questionnaire.attributes):
        columns[attribute.id] = pd.Categorical.from_codes(codes[:, j], categories=attribute.option_ids)
    na = questionnaire.scale.not_applicable
    for j, item in enumerate(questionnaire.items, start=n_attributes):
        values = codes[:, j].copy()
        missing = values < 0
        if not not_known:
            missing |= values == na
        columns[item.id] = pd.arrays.IntegerArray(values, missing)
    return pd.DataFrame(columns)


# A campaign's responses are most of the table: scanning in rowid order beats a random
# lookup per row through the (campaign_id, submission_id) index, which the unary plus
# keeps SQLite from using. Each column fetched costs time per row, so attributes and
# answers come as one string and the county is looked up from the channel.
_SELECT = ("SELECT submission_id, channel_id, attributes || answers, duration_s, submitted_at, flags, "
           "CASE WHEN excluded THEN exclusion_reason END, ip_hash, comment "
           "FROM responses WHERE +campaign_id = {campaign_id:d} AND NOT test ORDER BY id")   # tests: never


def _batches(connection: Connection, campaign_id: int, rows: int) -> Iterator[list[tuple]]:
    """Plain DB-API tuples in batches (a server-side cursor on PostgreSQL): no per-row ORM work."""
    dbapi = connection.connection.dbapi_connection
    cursor = dbapi.cursor(name="responses") if connection.dialect.name == "postgresql" else dbapi.cursor()
    try:
        cursor.execute(_SELECT.format(campaign_id=campaign_id))
        while batch := cursor.fetchmany(rows):
            yield batch
    finally:
        cursor.close()


def _local_times(values, timezone: str) -> np.ndarray:
    """UTC timestamps (text from SQLite, datetimes from PostgreSQL) as local datetime64[s]."""
    utc = pd.to_datetime(pd.Series(values), utc=True, format="ISO8601")
    return utc.dt.tz_convert(timezone).dt.tz_localize(None).to_numpy().astype("datetime64[s]")


def _frame(campaign: Campaign, rows: list[tuple], timezone: str, not_known: bool = False) -> pd.DataFrame:
    sid, channel_ids, packed, duration, submitted, flags, reasons, addresses, comments = (
        map(list, zip(*rows)) if rows else ([] for _ in range(9)))
    size = max((ch.id for ch in campaign.channels), default=0) + 1
    county_of, code_of = np.empty(size, dtype=object), np.empty(size, dtype=object)
    for ch in campaign.channels:
        county_of[ch.id], code_of[ch.id] = ch.county.code, ch.code
    ids = np.asarray(channel_ids, dtype=np.int64)
    frame = pd.DataFrame({"response_id": np.asarray(sid, dtype=object),
                          "county": county_of[ids], "channel": code_of[ids]})
    frame = pd.concat([frame, decode(campaign.questionnaire, packed, not_known)], axis=1)
    frame["duration_s"] = np.asarray(duration, dtype=np.int64)
    frame["submitted_at"] = _local_times(submitted, timezone)
    frame["address_hash"] = np.asarray(addresses, dtype=object)
    for column, values in packing.flag_values(np.asarray(flags, dtype=np.int64)).items():
        frame[column] = values
    frame["excluded"] = np.array([r is not None for r in reasons], dtype=np.int8)
    frame["exclusion_reason"] = np.array([np.nan if r is None else r for r in reasons], dtype=object)
    if campaign.questionnaire.comment is not None:
        # As typed (missing where none, as a file read back has it): what shows it masks it.
        frame["comment"] = np.array([np.nan if c is None else c for c in comments], dtype=object)
    return frame


@contextmanager
def _gc_paused():
    """Millions of fresh row tuples hold no cycles; scanning them repeatedly is wasted time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_frame(connection: Connection, campaign: Campaign, timezone: str = "Asia/Shanghai",
               not_known: bool = False) -> pd.DataFrame:
    """All responses of a campaign in the flat layout, submitted_at in local time (`not_known`:
    不了解 keeps its code, see `decode`); the comment column holds the text as typed (None: none), for
    the analysis and the data files to mask."""
    with _gc_paused():
        rows = [row for batch in _batches(connection, campaign.id, 200_000) for row in batch]
        return _frame(campaign, rows, timezone, not_known)


def header(questionnaire: Questionnaire) -> list[str]:
    return (["response_id", "county", "channel", *questionnaire.attribute_ids, *questionnaire.item_ids,
             "duration_s", "submitted_at", "address_hash", *packing.flag_columns(), "excluded", "exclusion_reason",
             *(["comment"] if questionnaire.comment is not None else [])])


class _AttributeText(dict):
    """Packed attributes -> their CSV fields; a campaign has only a few dozen distinct ones."""

    def __init__(self, questionnaire: Questionnaire):
        super().__init__()
        self.options = [a.option_ids for a in questionnaire.attributes]

    def __missing__(self, packed: str) -> str:
        text = "".join("," if code is None else f",{options[code]}"
                       for options, code in zip(self.options, packing.unpack(packed)))
        self[packed] = text
        return text


class _Decision(dict):
    """An exclusion reason (None: not excluded) -> the excluded and exclusion_reason fields."""

    def __missing__(self, reason: str | None) -> str:
        text = "0," if reason is None else "1," + _csv_field(reason)
        self[reason] = text
        return text


def _comment_field(text: str | None) -> str:
    """A comment's CSV field after a comma: masked, quoted where needed, made inert for spreadsheets."""
    return "," + _csv_field(mask(text)) if text else ","


def _csv_field(text: str) -> str:
    """Quoted where CSV needs it; a leading = + - @ made inert for spreadsheets."""
    text = neutralised(text)
    return '"' + text.replace('"', '""') + '"' if any(ch in text for ch in ',"\n\r') else text


def _item_table(questionnaire: Questionnaire) -> dict[int, str]:
    """str.translate table: packed item answers -> their CSV fields (不了解 left empty)."""
    na = questionnaire.scale.not_applicable
    return packing.translation(lambda code: "," if code is None or code == na else f",{code}")


def export_csv(connection: Connection, campaign: Campaign, out: IO[str],
               timezone: str = "Asia/Shanghai", progress=None) -> int:
    """Stream the flat CSV (UTF-8 with BOM for Excel) in constant memory; returns rows written.

    Codes and ids are plain tokens, so no field needs CSV quoting; the exclusion reason and the
    comment are quoted where they need it and made inert for spreadsheets.
    """
    out.write("\ufeff" + ",".join(header(campaign.questionnaire)) + "\n")
    with _gc_paused():
        return _write_lines(connection, campaign, out, timezone, progress)


def _write_lines(connection, campaign, out, timezone, progress) -> int:
    questionnaire = campaign.questionnaire
    items, attributes = _item_table(questionnaire), _AttributeText(questionnaire)
    flags, decisions = packing.FlagFields(), _Decision()
    places = {ch.id: f"{ch.county.code},{ch.code}" for ch in campaign.channels}
    split = len(questionnaire.attributes)
    comment = _comment_field if questionnaire.comment is not None else lambda text: ""
    written = 0
    for batch in _batches(connection, campaign.id, CHUNK_ROWS):
        times = np.datetime_as_string(_local_times([r[4] for r in batch], timezone), unit="s")
        out.write("".join(
            f"{sid},{places[channel]}{attributes[packed[:split]]}"
            f"{packed[split:].translate(items)},{duration},{time},{address},{flags[bits]},{decisions[reason]}"
            f"{comment(text)}\n"
            for (sid, channel, packed, duration, _, bits, reason, address, text), time in zip(batch, times)
        ))
        written += len(batch)
        if progress:
            progress(written)
    return written


INSERT_COLUMNS = ["county_id", "channel_id", "submission_id", "attributes", "answers", "started_at",
                  "submitted_at", "duration_s", "flags", "device_hash", "ip_hash"]


def insert_many(connection: Connection, campaign: Campaign, frame: pd.DataFrame, progress=None,
                batch: int = 20_000) -> None:
    """Bulk-insert responses already packed (the columns of INSERT_COLUMNS, and comment when the
    frame has it) into the campaign."""
    columns = INSERT_COLUMNS + (["comment"] if "comment" in frame else [])
    for start in range(0, len(frame), batch):
        records = frame.iloc[start:start + batch][columns].to_dict("records")
        for record in records:
            record["campaign_id"] = campaign.id
        connection.execute(Response.__table__.insert(), records)
        if progress:
            progress(min(start + batch, len(frame)))
    # Fresh statistics: without them PostgreSQL's planner may look a submission up through the wrong index.
    connection.exec_driver_sql("ANALYZE responses")
