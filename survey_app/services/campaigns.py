"""Create campaigns, counties and channels; list their links."""
from __future__ import annotations

import re
import secrets
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from questionnaires import Questionnaire
from reports.filenames import refusal
from survey_app.errors import UserError
from survey_app.io.counties import CountyRow
from survey_app.models import Campaign, Channel, County
from survey_app.services import audit


def create_campaign(session: Session, *, slug: str, name: str, organizer: str,
                    questionnaire: Questionnaire, counties: list[CountyRow],
                    opens_at: datetime, closes_at: datetime, simulated: bool = False) -> Campaign:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{1,63}", slug):
        raise UserError(f"调查编号“{slug}”无效：只能用小写字母、数字和连字符")
    if problem := refusal(name):
        raise UserError(f"调查名称“{name}”{problem}")
    if closes_at <= opens_at:
        raise UserError("结束时间必须晚于开始时间")
    if session.scalar(select(Campaign.id).where(Campaign.slug == slug)):
        raise UserError(f"调查编号“{slug}”已存在")
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


def find_campaign(session: Session, slug: str) -> Campaign:
    campaign = session.scalar(select(Campaign).where(Campaign.slug == slug))
    if campaign is None:
        raise UserError(f"找不到调查“{slug}”")
    return campaign


def add_channel(session: Session, campaign: Campaign, county_code: str, label: str) -> Channel:
    county = next((c for c in campaign.counties if c.code == county_code), None)
    if county is None:
        raise UserError(f"调查“{campaign.slug}”中没有区县 {county_code}")
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


STATE_ACTIONS = {"open": "开放", "pause": "暂停", "close": "结束"}


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
    campaign.counties.extend(County(code=r.code, name=r.name) for r in rows)
    session.flush()
    audit.record(session, by, "counties_update", campaign.slug, ip_hash, added=[r.code for r in rows])


def add_channels(session: Session, campaign: Campaign, rows: list[tuple[str, str]], by,
                 ip_hash: str = "") -> list[Channel]:
    """Channels from (county code, label) pairs, all or none."""
    if not rows:
        raise UserError("没有任何渠道")
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
