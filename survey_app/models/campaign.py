"""A campaign: one survey run with a frozen questionnaire snapshot, its counties and channels."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from questionnaires import Questionnaire, load_dict
from survey_app.models.base import Base, UTCDateTime, utcnow


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    organizer: Mapped[str] = mapped_column(String(200))
    questionnaire_id: Mapped[str] = mapped_column(String(64))
    questionnaire_version: Mapped[str] = mapped_column(String(32))
    questionnaire_snapshot: Mapped[dict] = mapped_column(JSON)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    simulated: Mapped[bool] = mapped_column(default=False)
    paused: Mapped[bool] = mapped_column(default=False)   # by hand: between its times but not taking answers
    # Residents of a county (or a quota cell) whose quota is reached get a thank-you page, not the form.
    close_full_quotas: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    counties: Mapped[list[County]] = relationship(back_populates="campaign", order_by="County.code")
    channels: Mapped[list[Channel]] = relationship(back_populates="campaign", order_by="Channel.code")
    targets: Mapped[list[PopulationTarget]] = relationship(
        cascade="all, delete-orphan", order_by="PopulationTarget.id")
    quotas: Mapped[list[Quota]] = relationship(cascade="all, delete-orphan", order_by="Quota.id")

    @property
    def questionnaire(self) -> Questionnaire:
        return load_dict(self.questionnaire_snapshot, source=f"campaign {self.slug}")

    def status(self, now: datetime) -> str:
        return campaign_status(now, self.opens_at, self.closes_at, self.paused)


STATUS_LABELS = {"not_open": "未开始", "open": "进行中", "paused": "已暂停", "closed": "已结束"}
STATE_ACTIONS = {"open": "开放", "pause": "暂停", "close": "结束"}     # what an evaluator may do to the status


def campaign_status(now: datetime, opens_at: datetime, closes_at: datetime, paused: bool) -> str:
    """not_open, open, paused or closed."""
    if now < opens_at:
        return "not_open"
    if now >= closes_at:
        return "closed"
    return "paused" if paused else "open"


class County(Base):
    __tablename__ = "counties"
    __table_args__ = (UniqueConstraint("campaign_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    code: Mapped[str] = mapped_column(String(12))  # administrative division code, in the county register
    name: Mapped[str] = mapped_column(String(100))    # as this campaign calls it

    campaign: Mapped[Campaign] = relationship(back_populates="counties")
    channels: Mapped[list[Channel]] = relationship(back_populates="county", order_by="Channel.code")


class Channel(Base):
    """A distributable link: a county plus a label (a school, a poster, a chat group)."""

    __tablename__ = "channels"
    __table_args__ = (UniqueConstraint("campaign_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"))
    code: Mapped[str] = mapped_column(String(40))  # readable, e.g. 511502-003
    label: Mapped[str] = mapped_column(String(200))
    token: Mapped[str] = mapped_column(String(32), unique=True)  # unguessable, in the URL
    disabled: Mapped[bool] = mapped_column(default=False)        # its link shows a closed page

    campaign: Mapped[Campaign] = relationship(back_populates="channels")
    county: Mapped[County] = relationship(back_populates="channels")


class PopulationTarget(Base):
    """One population cell of a campaign's weighting targets (what `survey analyze --targets` reads)."""

    __tablename__ = "population_targets"
    __table_args__ = (UniqueConstraint("campaign_id", "county_code", "variable", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    county_code: Mapped[str] = mapped_column(String(12))
    variable: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(64))
    population: Mapped[float]


class Quota(Base):
    """Responses wanted from a county, or from one category of an attribute within it."""

    __tablename__ = "quotas"
    __table_args__ = (UniqueConstraint("campaign_id", "county_id", "attribute", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"))
    attribute: Mapped[str] = mapped_column(String(64), default="")   # "": the whole county
    category: Mapped[str] = mapped_column(String(64), default="")
    target: Mapped[int]


class QuestionnaireVersion(Base):
    """One version of a questionnaire in the library; campaigns freeze a snapshot of one."""

    __tablename__ = "questionnaire_versions"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))            # the questionnaire's id
    version: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    definition: Mapped[dict] = mapped_column(JSON)          # as the YAML file holds it
    origin: Mapped[str] = mapped_column(String(16))         # builtin, import or edit
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
