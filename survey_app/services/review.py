"""Review of flagged responses: exclude or restore, one response or a burst from one channel.

Nothing is deleted: a response carries the decision (excluded, reason), the export shows it,
`survey analyze` always honours it, and every decision is in the audit log.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.orm import Session

from survey_app.errors import UserError
from survey_app.models import Campaign, Channel, County, Response, packing
from survey_app.services import audit

PAGE = 100


@dataclass(frozen=True)
class Filters:
    county: str | None = None          # county code
    channel: str | None = None         # channel code
    flag: str | None = None            # flag name, "any" (any flag), "excluded", or "test" (test answers)
    since: datetime | None = None
    until: datetime | None = None
    commented: bool = False            # only responses whose resident wrote a comment

    def where(self, campaign: Campaign) -> list:
        conditions = [Response.campaign_id == campaign.id]
        if self.county:
            conditions.append(Response.county_id.in_([c.id for c in campaign.counties if c.code == self.county]))
        if self.channel:
            conditions.append(Response.channel_id.in_([c.id for c in campaign.channels if c.code == self.channel]))
        if self.flag == "excluded":
            conditions.append(Response.excluded)
        elif self.flag == "test":
            conditions.append(Response.test)
        elif self.flag == "any":
            conditions.append(Response.flags != 0)
        elif self.flag:
            flag = next((f for f in packing.Flag if f.name.lower() == self.flag), None)
            if flag is None:
                raise UserError(f"未知的标记“{self.flag}”")
            conditions.append(Response.flags.op("&")(flag.value) != 0)
        if self.since:
            conditions.append(Response.submitted_at >= self.since)
        if self.until:
            conditions.append(Response.submitted_at < self.until)
        if self.commented:
            conditions.append(Response.comment.is_not(None))
        return conditions


def _query(campaign: Campaign, filters: Filters) -> Select:
    return (select(Response, Channel.code, Channel.label, County.name)
            .join(Channel, Channel.id == Response.channel_id).join(County, County.id == Response.county_id)
            .where(*filters.where(campaign)))


def listing(session: Session, campaign: Campaign, filters: Filters, page: int = 1) -> tuple[list, int]:
    """One page of matching responses (newest first) and how many match."""
    total = session.scalar(select(func.count()).select_from(Response).where(*filters.where(campaign)))
    rows = session.execute(_query(campaign, filters).order_by(Response.id.desc())
                           .limit(PAGE).offset((page - 1) * PAGE)).all()
    return rows, total


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str          # the option's label; "未作答" or "（未询问）" where none


def one(session: Session, campaign: Campaign, submission_id: str) -> tuple | None:
    """(response, channel code, channel label, county name) of one receipt, None if not in the campaign."""
    return session.execute(_query(campaign, Filters()).where(Response.submission_id == submission_id)).first()


def answers(campaign: Campaign, response: Response) -> list[Answer]:
    """The respondent's attributes, then the items, with the labels the resident saw."""
    questionnaire = campaign.questionnaire
    shown = []
    for attribute, code in zip(questionnaire.attributes, packing.unpack(response.attributes)):
        label = attribute.options[code].label if code is not None else "（未询问或未作答）"
        shown.append(Answer(attribute.question, label))
    scale = {p.code: p.label for p in questionnaire.scale.points}
    for number, (item, code) in enumerate(zip(questionnaire.items, packing.unpack(response.answers)), start=1):
        shown.append(Answer(f"{number}. {item.text}", scale.get(code, "未作答") if code is not None else "未作答"))
    return shown


def decide(session: Session, campaign: Campaign, submission_ids: list[str], exclude: bool, reason: str,
           by, ip_hash: str = "") -> int:
    """Exclude (with a reason) or restore responses of the campaign; returns how many changed."""
    reason = reason.strip()
    if exclude and not reason:
        raise UserError("剔除答卷须填写原因")
    if not submission_ids:
        raise UserError("没有选中任何答卷")
    changed = session.execute(
        update(Response).where(Response.campaign_id == campaign.id, Response.submission_id.in_(submission_ids),
                               Response.excluded != exclude)
        .values(excluded=exclude, exclusion_reason=reason[:200] if exclude else "")).rowcount
    audit.record(session, by, "response_exclude" if exclude else "response_restore", campaign.slug, ip_hash,
                 responses=len(submission_ids), changed=changed, reason=reason,
                 ids=submission_ids[:50])
    return changed


def decide_matching(session: Session, campaign: Campaign, filters: Filters, exclude: bool, reason: str,
                    by, ip_hash: str = "") -> int:
    """The same for every response the filters match (e.g. a burst: one channel, a time range)."""
    if exclude and not (filters.channel and filters.since and filters.until):
        raise UserError("整批剔除须指定渠道和起止时间")
    ids = list(session.scalars(select(Response.submission_id).where(*filters.where(campaign))))
    return decide(session, campaign, ids, exclude, reason, by, ip_hash)


def tests(session: Session, campaign: Campaign) -> int:
    """How many test answers (evaluators trying the form) the campaign holds."""
    return session.scalar(select(func.count()).where(Response.campaign_id == campaign.id, Response.test))


def clear_tests(session: Session, campaign: Campaign, by, ip_hash: str = "") -> int:
    """Delete the campaign's test answers, and only those (residents' answers are never deleted); audited."""
    cleared = session.execute(delete(Response).where(Response.campaign_id == campaign.id, Response.test)).rowcount
    audit.record(session, by, "tests_clear", campaign.slug, ip_hash, responses=cleared)
    return cleared
