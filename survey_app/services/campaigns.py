"""Create campaigns, counties and channels; list their links."""
from __future__ import annotations

import re
import secrets
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from questionnaires import Questionnaire
from reports.filenames import refusal
from survey_app.errors import Problem, UserError
from survey_app.io.counties import CountyRow
from survey_app.models import Campaign, Channel, County, Response
from survey_app.models.campaign import STATE_ACTIONS
from survey_app.services import audit, county_register


def create_campaign(session: Session, *, slug: str, name: str, organizer: str,
                    questionnaire: Questionnaire, counties: list[CountyRow],
                    opens_at: datetime, closes_at: datetime, simulated: bool = False) -> Campaign:
    problems = new_campaign_problems(session, slug, name, opens_at, closes_at)
    if problems:
        raise UserError(problems=problems)
    county_register.register(session, counties)
    campaign = Campaign(
        slug=slug, name=name, organizer=organizer,
        questionnaire_id=questionnaire.id, questionnaire_version=questionnaire.version,
        questionnaire_snapshot=questionnaire.source, opens_at=opens_at, closes_at=closes_at,
        simulated=simulated,
        counties=[County(code=row.code, name=row.name) for row in counties],
    )
    session.add(campaign)
    session.flush()
    return campaign


def new_campaign_problems(session: Session, slug: str | None, name: str | None, opens_at: datetime | None,
                          closes_at: datetime | None) -> list[Problem]:
    """What is wrong with a new campaign's number, name and times (those given), each at its field."""
    problems = []
    if name and (problem := refusal(name)):
        problems.append(Problem(f"调查名称“{name}”{problem}", "name"))
    if slug is not None and not re.fullmatch(r"[a-z0-9][a-z0-9-]{1,63}", slug):
        problems.append(Problem(f"调查编号“{slug}”无效：只能用小写字母、数字和连字符", "slug"))
    elif slug is not None and session.scalar(select(Campaign.id).where(Campaign.slug == slug)):
        problems.append(Problem(f"调查编号“{slug}”已存在", "slug"))
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        problems.append(Problem("结束时间必须晚于开始时间", "closes"))
    return problems


def find_campaign(session: Session, slug: str) -> Campaign:
    campaign = by_slug(session, slug)
    if campaign is None:
        raise UserError(f"找不到调查“{slug}”")
    return campaign


def by_slug(session: Session, slug: str) -> Campaign | None:
    return session.scalar(select(Campaign).where(Campaign.slug == slug))


def newest_first(session: Session) -> list[Campaign]:
    return list(session.scalars(select(Campaign).order_by(Campaign.id.desc())))


def received_by_campaign(session: Session) -> dict[int, int]:
    """Campaign id -> responses received (test answers left out; campaigns without any are absent)."""
    return dict(session.execute(select(Response.campaign_id, func.count()).where(~Response.test)
                                .group_by(Response.campaign_id)).all())


def used_by_county(session: Session) -> dict[int, int]:
    """County id -> responses neither excluded nor test answers, across campaigns."""
    return dict(session.execute(select(Response.county_id, func.count()).where(~Response.excluded, ~Response.test)
                                .group_by(Response.county_id)).all())


def disabled_channels(session: Session, campaign: Campaign) -> int:
    return session.scalar(select(func.count()).where(Channel.campaign_id == campaign.id, Channel.disabled))


def channel_by_code(session: Session, campaign: Campaign, code: str) -> Channel | None:
    return session.scalar(select(Channel).where(Channel.campaign_id == campaign.id, Channel.code == code))


def add_channel(session: Session, campaign: Campaign, county_code: str, label: str) -> Channel:
    county = _county(campaign, county_code)
    if not label.strip():
        raise UserError("渠道名称不能为空")
    if problem := refusal(label.strip()):
        raise UserError(f"渠道名称“{label.strip()}”{problem}")
    count = session.scalar(select(func.count()).where(Channel.county_id == county.id))
    channel = Channel(campaign=campaign, county=county, code=f"{county.code}-{count + 1:03d}",
                      label=label.strip(), token=secrets.token_urlsafe(9))
    session.add(channel)
    session.flush()
    return channel


def link(base_url: str, channel: Channel) -> str:
    return f"{base_url}/s/{channel.token}"


LINK_COLUMNS = ["channel", "county", "county_name", "label", "url"]


def link_rows(campaign: Campaign, base_url: str) -> list[tuple[str, str, str, str, str]]:
    """One row per channel, in the order of LINK_COLUMNS."""
    return [(ch.code, ch.county.code, ch.county.name, ch.label, link(base_url, ch))
            for ch in campaign.channels]


def change_state(session: Session, campaign: Campaign, action: str, now: datetime, by, ip_hash: str = "") -> None:
    """Open (now, or again after a pause), pause, or close a campaign by hand."""
    status = campaign.status(now)
    if action == "open" and status in ("not_open", "paused"):
        campaign.opens_at = min(campaign.opens_at, now)
        campaign.paused = False
    elif action == "pause" and status == "open":
        campaign.paused = True
    elif action == "close" and status != "closed":
        campaign.closes_at, campaign.paused = now, False
    else:
        raise UserError(f"调查当前状态下不能{STATE_ACTIONS.get(action, action)}")
    audit.record(session, by, "campaign_state", campaign.slug, ip_hash, change=action)


def add_counties(session: Session, campaign: Campaign, rows: list[CountyRow], by, ip_hash: str = "") -> None:
    """More counties for a campaign (codes it has already are refused by name)."""
    known = {c.code for c in campaign.counties}
    again = [r.code for r in rows if r.code in known]
    if again:
        raise UserError(f"这些区县已在本调查中：{'、'.join(again)}")
    county_register.register(session, rows)
    campaign.counties.extend(County(code=r.code, name=r.name) for r in rows)
    session.flush()
    audit.record(session, by, "counties_update", campaign.slug, ip_hash, added=[r.code for r in rows],
                 summary=f"添加 {len(rows)} 个区县：{'、'.join(r.name for r in rows[:20])}")


def rename_county(session: Session, campaign: Campaign, row: CountyRow, by, ip_hash: str = "") -> None:
    """A county's new name (its code stays: responses, targets and channels refer to it)."""
    county = _county(campaign, row.code)
    if county.name == row.name:
        return
    old, county.name = county.name, row.name
    county_register.register(session, [row])
    audit.record(session, by, "counties_update", campaign.slug, ip_hash,
                 summary=f"区县 {row.code} 改名：{old} → {row.name}")


def remove_county(session: Session, campaign: Campaign, code: str, by, ip_hash: str = "") -> None:
    """A county that has no responses leaves the campaign with its channels, targets and quotas."""
    county = _county(campaign, code)
    received = session.scalar(select(func.count()).where(Response.county_id == county.id, ~Response.test))
    if received:
        raise UserError(f"区县 {code}（{county.name}）已收到 {received:,} 份答卷，不能删除，只能改名")
    session.execute(delete(Response).where(Response.county_id == county.id, Response.test))   # tests go with it
    channels = len(county.channels)
    campaign.quotas = [q for q in campaign.quotas if q.county_id != county.id]
    campaign.targets = [t for t in campaign.targets if t.county_code != code]
    for channel in list(county.channels):
        session.delete(channel)
    campaign.counties.remove(county)
    session.delete(county)
    session.flush()
    audit.record(session, by, "counties_update", campaign.slug, ip_hash,
                 summary=f"删除区县 {code}（{county.name}）及其 {channels} 个渠道、人口目标和配额")


def responses_by_county(session: Session, campaign: Campaign) -> dict[int, int]:
    """County id -> responses received (counties without any are absent)."""
    return dict(session.execute(select(Response.county_id, func.count())
                                .where(Response.campaign_id == campaign.id, ~Response.test)
                                .group_by(Response.county_id)).all())


def _county(campaign: Campaign, code: str) -> County:
    county = next((c for c in campaign.counties if c.code == code), None)
    if county is None:
        raise UserError(f"调查“{campaign.slug}”中没有区县 {code}")
    return county


def add_channels(session: Session, campaign: Campaign, rows: list[tuple[str, str]], by, ip_hash: str = "",
                 lines: list[int] | None = None, source: str = "") -> list[Channel]:
    """Channels from (county code, label) pairs, all or none; UserError lists every bad row, by
    `lines` (the file's line numbers) where given."""
    if not rows:
        raise UserError("没有任何渠道")
    known = {c.code for c in campaign.counties}
    problems = []
    for line, (county, label) in zip(lines or range(1, len(rows) + 1), rows):
        at = f"{source} 第 {line} 行：" if lines else ""
        if county not in known:
            problems.append(Problem(f"{at}区县“{county}”不在本调查中"))
        if not label.strip():
            problems.append(Problem(f"{at}缺少渠道名称"))
        elif problem := refusal(label.strip()):
            problems.append(Problem(f"{at}渠道名称“{label.strip()}”{problem}"))
    if problems:
        raise UserError(problems=problems)
    added = [add_channel(session, campaign, county, label) for county, label in rows]
    audit.record(session, by, "channels_add", campaign.slug, ip_hash, channels=[c.code for c in added][:200])
    return added


def set_channel_disabled(session: Session, channel: Channel, disabled: bool, by, ip_hash: str = "") -> None:
    channel.disabled = disabled
    audit.record(session, by, "channel_state", channel.code, ip_hash, disabled=disabled)


def links_reachable(base_url: str) -> bool:
    """False while links would point at this computer only (phones could not open them)."""
    host = base_url.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0].strip("[]")
    return host not in ("localhost", "127.0.0.1", "::1", "0.0.0.0")
