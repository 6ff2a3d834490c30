"""Validate a resident's answers and store each submission exactly once."""
from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from analysis.quality import straightlined
from questionnaires import Questionnaire
from survey_app.models import Channel, Flag, Response, pack

HONEYPOT_FIELD = "website"
TOKEN_FIELD = "form_token"


class SubmissionConflict(Exception):
    """The same submission id arrived with different answers; the first is kept."""


class BadToken(Exception):
    """The form token is missing, forged, or belongs to another link."""


class ExpiredToken(BadToken):
    """The form was opened longer ago than a form token lives (forms are not collected ahead)."""


@dataclass(frozen=True)
class FormToken:
    submission_id: str
    channel_id: int
    started: float  # epoch seconds when the page was served
    in_burst: bool  # the page was one of many fetched from one address within a minute


def issue_token(secret: str, channel_id: int, in_burst: bool = False) -> str:
    payload = {"s": secrets.token_urlsafe(12), "c": channel_id, "t": int(time.time()), **({"b": 1} if in_burst else {})}
    return URLSafeSerializer(secret, salt="form").dumps(payload)


def read_token(secret: str, token: str, channel_id: int, max_age_s: float) -> FormToken:
    try:
        data = URLSafeSerializer(secret, salt="form").loads(token or "")
    except BadSignature as exc:
        raise BadToken from exc
    if data.get("c") != channel_id:
        raise BadToken
    if time.time() - float(data["t"]) > max_age_s:
        raise ExpiredToken
    return FormToken(data["s"], data["c"], float(data["t"]), bool(data.get("b")))


@dataclass
class Answers:
    attributes: dict[str, str | None] = field(default_factory=dict)
    items: dict[str, int | None] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


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
    codes = np.array([list(answers.items.values())])
    if straightlined(codes, np.isin(codes, questionnaire.scale.scored_codes))[0]:
        flags |= Flag.STRAIGHTLINE
    if repeat_device:
        flags |= Flag.REPEAT_DEVICE
    return flags


@dataclass(frozen=True)
class Submission:
    channel_id: int
    token: FormToken
    answers: Answers
    honeypot: str
    device_hash: str
    ip_hash: str


BURST_WINDOW = timedelta(minutes=10)    # traffic.CrowdLimits.responses_per_10_minutes


def store(sessions: sessionmaker, questionnaire: Questionnaire, sub: Submission,
          burst_responses: int) -> Response:
    """Commit the response, or return the one already stored under this submission id.

    Returns only after the commit. Raises SubmissionConflict when the id is
    known with different answers. When this response makes `burst_responses` or more from
    its address within BURST_WINDOW, it and the others of the window are flagged ADDRESS_BURST.
    """
    attributes, answers = packed(questionnaire, sub.answers)
    try:
        with sessions.begin() as session:
            existing = _existing(session, sub)
            if existing is not None:
                return _same_or_conflict(existing, attributes, answers)
            channel = session.get(Channel, sub.channel_id)
            now = datetime.fromtimestamp(time.time(), UTC)
            duration = max(0, int(now.timestamp() - sub.token.started))
            repeat = session.scalar(
                select(Response.id).where(Response.campaign_id == channel.campaign_id,
                                          Response.device_hash == sub.device_hash).limit(1)
            ) is not None
            flags = quality_flags(questionnaire, sub.answers, duration, sub.honeypot, repeat, sub.token.in_burst)
            if _address_burst(session, channel.campaign_id, sub.ip_hash, now, burst_responses):
                flags |= Flag.ADDRESS_BURST
            response = Response(
                campaign_id=channel.campaign_id, county_id=channel.county_id, channel_id=channel.id,
                submission_id=sub.token.submission_id, attributes=attributes, answers=answers,
                started_at=datetime.fromtimestamp(sub.token.started, UTC),
                submitted_at=now, duration_s=duration, flags=int(flags),
                device_hash=sub.device_hash, ip_hash=sub.ip_hash,
            )
            session.add(response)
        return response
    except IntegrityError:
        # A concurrent request with the same id committed first.
        with sessions.begin() as session:
            return _same_or_conflict(_existing(session, sub), attributes, answers)


def _address_burst(session: Session, campaign_id: int, ip_hash: str, now: datetime, threshold: int) -> bool:
    """Whether the address is in a burst; if so, the window's earlier responses are flagged too."""
    recent = (Response.campaign_id == campaign_id, Response.ip_hash == ip_hash,
              Response.submitted_at >= now - BURST_WINDOW)
    if session.scalar(select(func.count()).select_from(Response).where(*recent)) + 1 < threshold:
        return False
    burst = int(Flag.ADDRESS_BURST)
    session.execute(update(Response).where(*recent, Response.flags.op("&")(burst) == 0)
                    .values(flags=Response.flags.op("|")(burst)))
    return True


def _existing(session: Session, sub: Submission) -> Response | None:
    channel = session.get(Channel, sub.channel_id)
    return session.scalar(select(Response).where(
        Response.campaign_id == channel.campaign_id,
        Response.submission_id == sub.token.submission_id))


def _same_or_conflict(existing: Response, attributes: str, answers: str) -> Response:
    if existing.attributes != attributes or existing.answers != answers:
        raise SubmissionConflict
    return existing
