"""Validate a resident's answers and store each submission exactly once."""
from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
import time
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import bindparam, exists, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from analysis.comments import normalise
from analysis.quality import straightlined_response
from questionnaires import Questionnaire
from questionnaires.model import COMMENT_FIELD
from survey_app.models import Flag, Response, pack
from survey_app.models.base import UTCDateTime
from survey_app.services import group_commit
from survey_app.services.driver_sql import DriverStatement, sqlite_write_turn

HONEYPOT_FIELD = "website"
TOKEN_FIELD = "form_token"


class SubmissionConflict(Exception):
    """The same submission id arrived with different answers; the first is kept."""


class BadToken(Exception):
    """The form token is missing, forged, or belongs to another link."""


class ExpiredToken(BadToken):
    """The form was opened longer ago than a form token lives (forms are not collected ahead)."""

    def __init__(self, test: bool = False):
        super().__init__()
        self.test = test        # the expired form was an evaluator's test (its signature is good)


@dataclass(frozen=True)
class FormToken:
    submission_id: str
    channel_id: int
    started: float  # epoch seconds when the page was served
    in_burst: bool  # the page was one of many fetched from one address within a minute
    test: bool = False  # an evaluator's test form (test mode): stored as a test answer


# Submission ids (the receipt residents see and the response_id staff open in Excel): a letter,
# then letters and digits without look-alikes. Nothing a spreadsheet reads as a formula (= + - @),
# a number or a date, so the id survives a round trip through Excel.
ID_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
ID_LENGTH = 16        # 'r' and 15 characters: 74 random bits


def new_submission_id() -> str:
    return "r" + "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH - 1))


def issue_token(secret: str, channel_id: int, in_burst: bool = False, test: bool = False) -> str:
    """A signed form token: submission id, channel, the time the page was served, and a mark:
    0, 1 (one of a burst) or t (an evaluator's test form)."""
    mark = "t" if test else str(int(in_burst))
    body = f"{new_submission_id()}.{channel_id}.{int(time.time())}.{mark}"
    return f"{body}.{_signature(secret, body)}"


def read_token(secret: str, token: str, channel_id: int, max_age_s: float) -> FormToken:
    parts = (token or "").split(".")
    if len(parts) != 5 or not hmac.compare_digest(parts[4].encode(), _signature(secret, ".".join(parts[:4])).encode()):
        raise BadToken
    submission_id, channel, started, mark = parts[:4]
    if channel != str(channel_id):
        raise BadToken
    if time.time() - int(started) > max_age_s:        # signed by us: a number
        raise ExpiredToken(test=mark == "t")
    return FormToken(submission_id, channel_id, float(started), mark == "1", mark == "t")


TEST_MARK_SALT = "survey-test-mode"
TEST_MARK_MAX_AGE_S = 8 * 3600           # as long as a workspace session


def issue_test_mark(secret: str, channel_id: int) -> str:
    """The mark an evaluator's "试填" link carries to the residents' page: signed, dated, one channel."""
    return URLSafeTimedSerializer(secret, salt=TEST_MARK_SALT).dumps(channel_id)


def is_test_mark(secret: str, mark: str | None, channel_id: int, max_age_s: float = TEST_MARK_MAX_AGE_S) -> bool:
    """Whether `mark` is a test mark this server signed for the channel within `max_age_s`."""
    if not mark:
        return False
    try:
        return URLSafeTimedSerializer(secret, salt=TEST_MARK_SALT).loads(mark, max_age=max_age_s) == channel_id
    except BadData:
        return False


def _signature(secret: str, body: str) -> str:
    mac = hmac.new(_form_key(secret), body.encode(), hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(mac).decode()


@functools.lru_cache(maxsize=4)
def _form_key(secret: str) -> bytes:
    return hashlib.sha256(b"form-token:" + secret.encode()).digest()


@dataclass
class Answers:
    attributes: dict[str, str | None] = field(default_factory=dict)
    items: dict[str, int | None] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    comment: str = ""            # the answer to the open question, cleaned ("" when none)


def parse(questionnaire: Questionnaire, form) -> Answers:
    """Read and check the posted form; every field at fault gets a Chinese message."""
    result = Answers()
    for attribute in questionnaire.attributes:
        value = (form.get(attribute.id) or "").strip()
        if not attribute.applies(result.attributes):
            result.attributes[attribute.id] = None
        elif not value:
            result.errors[attribute.id] = "请选择一项"
        elif value not in attribute.option_ids:
            result.errors[attribute.id] = "选项无效，请重新选择"
        else:
            result.attributes[attribute.id] = value
    codes = {str(c): c for c in questionnaire.scale.codes}
    for item in questionnaire.items:
        value = (form.get(item.id) or "").strip()
        if not value:
            result.errors[item.id] = "请选择一项（不清楚可选“不了解”）"
        elif value not in codes:
            result.errors[item.id] = "选项无效，请重新选择"
        else:
            result.items[item.id] = codes[value]
    if questionnaire.comment is not None:
        result.comment = normalise(form.get(COMMENT_FIELD))
        length, limit = len(result.comment), questionnaire.comment.max_length
        if length > limit:
            result.errors[COMMENT_FIELD] = (f"意见建议最多 {limit} 字，您写了 {length} 字，请删减 {length - limit} 字后"
                                            "再提交（您填写的内容都还在）")
    return result


def packed(questionnaire: Questionnaire, answers: Answers) -> tuple[str, str]:
    positions = []
    for attribute in questionnaire.attributes:
        value = answers.attributes.get(attribute.id)
        positions.append(None if value is None else attribute.option_ids.index(value))
    return pack(positions), pack([answers.items[i] for i in questionnaire.item_ids])


def quality_flags(questionnaire: Questionnaire, answers: Answers, duration_s: int,
                  honeypot: str, repeat_device: bool, form_burst: bool = False) -> Flag:
    flags = Flag.FORM_BURST if form_burst else Flag(0)
    if duration_s < questionnaire.quality.min_seconds:
        flags |= Flag.SPEEDER
    if honeypot.strip():
        flags |= Flag.HONEYPOT
    if straightlined_response(list(answers.items.values()), questionnaire.scale.scored_codes):
        flags |= Flag.STRAIGHTLINE
    if repeat_device:
        flags |= Flag.REPEAT_DEVICE
    return flags


@dataclass(frozen=True)
class Submission:
    campaign_id: int
    county_id: int
    channel_id: int
    token: FormToken
    answers: Answers
    honeypot: str
    device_hash: str
    ip_hash: str

    @property
    def test(self) -> bool:
        return self.token.test


BURST_WINDOW = timedelta(minutes=10)    # traffic.CrowdLimits.responses_per_10_minutes

_responses = Response.__table__
_of_campaign = _responses.c.campaign_id == bindparam("b_campaign_id")
_of_address = (_of_campaign, _responses.c.ip_hash == bindparam("b_ip_hash"))
_in_window = _responses.c.submitted_at >= bindparam("since", type_=UTCDateTime())
# What storing needs to know, in one round trip of index look-ups: the answers already stored
# under this submission id, whether the device answered before, how many responses the address
# sent in the window (counted up to the burst threshold only: a flood costs no more per response)
# and whether the address's last response in the window is flagged as a burst already.
# What a repeated submission id must match: its answers and its comment.
_STORED = _responses.c.attributes + "|" + _responses.c.answers + "|" + func.coalesce(_responses.c.comment, "")
_LOOK_UP = select(
    select(_STORED)
    .where(_of_campaign, _responses.c.submission_id == bindparam("b_submission_id")).scalar_subquery(),
    exists().where(_of_campaign, _responses.c.device_hash == bindparam("b_device_hash")),
    select(func.count()).select_from(
        select(literal(1)).where(*_of_address, _in_window).limit(bindparam("threshold")).subquery()).scalar_subquery(),
    select(_responses.c.flags).where(*_of_address, _in_window)
    .order_by(_responses.c.submitted_at.desc()).limit(1).scalar_subquery(),
)
_FLAG_BURST = (_responses.update()
               .where(*_of_address, _in_window, _responses.c.flags.op("&")(int(Flag.ADDRESS_BURST)) == 0)
               .values(flags=_responses.c.flags.op("|")(int(Flag.ADDRESS_BURST))))
_EXISTING = select(_STORED).where(
    _of_campaign, _responses.c.submission_id == bindparam("b_submission_id"))
# Inserts the rows whose id is new (a stored id is left as it is).
_INSERT_NEW = {dialect.__name__.rpartition(".")[2]: dialect.insert(_responses).on_conflict_do_nothing(
    index_elements=["campaign_id", "submission_id"]) for dialect in (postgresql, sqlite)}
_INSERTED_COLUMNS = [column.name for column in _responses.c if not column.primary_key]


@dataclass(frozen=True)
class _Statements:
    look_up: DriverStatement
    flag_burst: DriverStatement
    existing: DriverStatement
    insert_new: DriverStatement


@functools.lru_cache(maxsize=8)
def _statements(dialect) -> _Statements:
    return _Statements(DriverStatement(_LOOK_UP, dialect), DriverStatement(_FLAG_BURST, dialect),
                       DriverStatement(_EXISTING, dialect),
                       DriverStatement(_INSERT_NEW[dialect.name], dialect, _INSERTED_COLUMNS))


@dataclass(frozen=True)
class _Row:
    """What storing writes for one submission."""

    values: dict
    packed: str                     # attributes|answers|comment, to compare with a copy stored before
    flag_burst_start: dict | None   # the look-up keys when this response begins a burst


def store(engine: Engine, questionnaire: Questionnaire, sub: Submission, burst_responses: int) -> str:
    """Commit the response, or find the one already stored under this submission id; returns the id.

    Returns only after the commit. Raises SubmissionConflict when the id is known with
    different answers. When this response makes `burst_responses` or more from its address
    within BURST_WINDOW, it and the window's earlier ones from the address are flagged ADDRESS_BURST.

    On SQLite, which writes one transaction at a time, the look-up runs before the write
    and the submissions arriving together in a process are inserted and committed together
    (group_commit), the processes taking turns to write; two responses from one device or
    address in the same instant may then not see each other in the flags' counts. PostgreSQL
    commits concurrent transactions side by side: each submission has its own. Either way the
    id is unique in the database whatever the timing.
    """
    statements = _statements(engine.dialect)
    if engine.dialect.name == "sqlite":
        with closing(engine.raw_connection()) as connection:
            row = _prepare(connection.cursor(), statements, questionnaire, sub, burst_responses)
        if isinstance(row, str):
            return row
        return group_commit.for_process(id(engine), functools.partial(_store_batch, engine)).run(row)
    with closing(engine.raw_connection()) as connection:
        cursor = connection.cursor()
        row = _prepare(cursor, statements, questionnaire, sub, burst_responses)
        if isinstance(row, str):
            return row
        [outcome] = _insert(cursor, statements, [row])
        connection.commit()
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def _prepare(cursor, statements: _Statements, questionnaire: Questionnaire, sub: Submission,
             burst_responses: int) -> _Row | str:
    """The row to insert, or the id when it is stored already with the same answers."""
    attributes, answers = packed(questionnaire, sub.answers)
    now = datetime.fromtimestamp(time.time(), UTC)
    keys = {"b_campaign_id": sub.campaign_id, "b_submission_id": sub.token.submission_id,
            "b_device_hash": sub.device_hash, "b_ip_hash": sub.ip_hash, "since": now - BURST_WINDOW,
            "threshold": burst_responses}
    existing, repeat, recent, last_flags = statements.look_up.run(cursor, keys).fetchone()
    stored = f"{attributes}|{answers}|{sub.answers.comment}"
    if existing is not None:
        return _same_or_conflict(existing, stored, sub.token.submission_id)
    duration = max(0, int(now.timestamp() - sub.token.started))
    flags = quality_flags(questionnaire, sub.answers, duration, sub.honeypot, repeat, sub.token.in_burst)
    begins_burst = False
    if recent + 1 >= burst_responses and not sub.test:     # an evaluator's test marks no burst
        flags |= Flag.ADDRESS_BURST
        begins_burst = not (last_flags or 0) & Flag.ADDRESS_BURST     # then flag the burst's start too
    return _Row({"campaign_id": sub.campaign_id, "county_id": sub.county_id, "channel_id": sub.channel_id,
                 "submission_id": sub.token.submission_id, "attributes": attributes, "answers": answers,
                 "started_at": datetime.fromtimestamp(sub.token.started, UTC), "submitted_at": now,
                 "duration_s": duration, "flags": int(flags), "excluded": False, "exclusion_reason": "", "test": sub.test,
                 "device_hash": sub.device_hash, "ip_hash": sub.ip_hash, "comment": sub.answers.comment or None},
                stored, keys if begins_burst else None)


def _store_batch(engine: Engine, writes: list[group_commit.Write]) -> None:
    """All the rows in one transaction; if the database refuses it, each row in its own."""
    try:
        outcomes = _write(engine, [write.arguments[0] for write in writes])
    except Exception:
        outcomes = []
        for write in writes:
            try:
                outcomes += _write(engine, [write.arguments[0]])
            except Exception as exc:
                outcomes.append(exc)
    for write, outcome in zip(writes, outcomes):
        if isinstance(outcome, Exception):
            write.error = outcome
        else:
            write.result = outcome


def _write(engine: Engine, rows: list[_Row]) -> list[str | Exception]:
    with sqlite_write_turn(engine), closing(engine.raw_connection()) as connection:
        outcomes = _insert(connection.cursor(), _statements(engine.dialect), rows)
        connection.commit()
    return outcomes


def _insert(cursor, statements: _Statements, rows: list[_Row]) -> list[str | Exception]:
    """Insert the rows (an id stored before is left as it is); each row's id, or
    SubmissionConflict where its id is stored with other answers."""
    parameters = [statements.insert_new.parameters(row.values) for row in rows]
    for row in rows:
        if row.flag_burst_start:
            statements.flag_burst.run(cursor, row.flag_burst_start)
    cursor.executemany(statements.insert_new.sql, parameters)
    if cursor.rowcount == len(rows):        # all new: the usual case
        return [row.values["submission_id"] for row in rows]
    outcomes = []
    for row in rows:                        # some stored before (a double tap), or twice in these rows
        submission_id = row.values["submission_id"]
        keys = {"b_campaign_id": row.values["campaign_id"], "b_submission_id": submission_id}
        try:
            outcomes.append(_same_or_conflict(statements.existing.run(cursor, keys).fetchone()[0], row.packed,
                                              submission_id))
        except SubmissionConflict as exc:
            outcomes.append(exc)
    return outcomes


def _same_or_conflict(existing: str, packed_answers: str, submission_id: str) -> str:
    """The id, when its stored copy holds the same answers and comment; else SubmissionConflict."""
    if existing != packed_answers:
        raise SubmissionConflict
    return submission_id
