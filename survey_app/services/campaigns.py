"""Create campaigns, counties and channels; list their links."""
from __future__ import annotations

import re
import secrets
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from questionnaires import Questionnaire
from survey_app.errors import UserError
from survey_app.io.counties import CountyRow
from survey_app.models import Campaign, Channel, County


def create_campaign(session: Session, *, slug: str, name: str, organizer: str,
                    questionnaire: Questionnaire, counties: list[CountyRow],
                    opens_at: datetime, closes_at: datetime, simulated: bool = False) -> Campaign:
    if not re.match(r"^[a-z0-9][a-z0-9-]{1,63}$", slug):
        raise UserError(f"调查编号“{slug}”无效：只能用小写字母、数字和连字符")
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
