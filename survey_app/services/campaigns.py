"""Create campaigns, counties and channels; build their links and QR codes."""
from __future__ import annotations

import csv
import io
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import qrcode
import qrcode.image.pure
import qrcode.image.svg
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from questionnaires import Questionnaire
from survey_app.models import Campaign, Channel, County
from survey_app.services import ServiceError

COUNTY_CODE = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class CountyRow:
    code: str
    name: str


def read_counties_csv(text: str, source: str = "区县文件") -> list[CountyRow]:
    """Rows of `code,name` (6-digit administrative code, Chinese name)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"code", "name"} - set(reader.fieldnames or [])
    if missing:
        raise ServiceError(f"{source}：缺少列 {'、'.join(sorted(missing))}（应为 code,name）")
    rows, seen = [], set()
    for line, row in enumerate(reader, start=2):
        code, name = (row["code"] or "").strip(), (row["name"] or "").strip()
        if not COUNTY_CODE.match(code):
            raise ServiceError(f"{source} 第 {line} 行：区县代码“{code}”应为 6 位数字")
        if not name:
            raise ServiceError(f"{source} 第 {line} 行：缺少区县名称")
        if code in seen:
            raise ServiceError(f"{source} 第 {line} 行：区县代码 {code} 重复")
        seen.add(code)
        rows.append(CountyRow(code, name))
    if not rows:
        raise ServiceError(f"{source}：没有任何区县")
    return rows


def create_campaign(session: Session, *, slug: str, name: str, organizer: str,
                    questionnaire: Questionnaire, counties: list[CountyRow],
                    opens_at: datetime, closes_at: datetime, simulated: bool = False) -> Campaign:
    if not re.match(r"^[a-z0-9][a-z0-9-]{1,63}$", slug):
        raise ServiceError(f"调查编号“{slug}”无效：只能用小写字母、数字和连字符")
    if closes_at <= opens_at:
        raise ServiceError("结束时间必须晚于开始时间")
    if session.scalar(select(Campaign.id).where(Campaign.slug == slug)):
        raise ServiceError(f"调查编号“{slug}”已存在")
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
        raise ServiceError(f"找不到调查“{slug}”")
    return campaign


def add_channel(session: Session, campaign: Campaign, county_code: str, label: str) -> Channel:
    county = next((c for c in campaign.counties if c.code == county_code), None)
    if county is None:
        raise ServiceError(f"调查“{campaign.slug}”中没有区县 {county_code}")
    if not label.strip():
        raise ServiceError("渠道名称不能为空")
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


def qr_stem(row: tuple) -> str:
    code, _county, county_name, label, _url = row
    return f"{code}_{county_name}_{label}"


def write_qr(url: str, directory: Path, stem: str) -> tuple[Path, Path]:
    """PNG and SVG QR codes of a link; medium error correction survives a printed poster."""
    directory.mkdir(parents=True, exist_ok=True)
    png, svg = directory / f"{stem}.png", directory / f"{stem}.svg"
    for path, factory in ((png, qrcode.image.pure.PyPNGImage), (svg, qrcode.image.svg.SvgPathImage)):
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=4)
        code.add_data(url)
        code.make(fit=True)
        with path.open("wb") as f:
            code.make_image(image_factory=factory).save(f)
    return png, svg
