"""A stored response: where it came from, its packed answers and flags (see packing.py)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.models.base import Base, UTCDateTime


class Response(Base):
    __tablename__ = "responses"
    __table_args__ = (
        UniqueConstraint("campaign_id", "submission_id"),
        Index("ix_responses_campaign_device", "campaign_id", "device_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    submission_id: Mapped[str] = mapped_column(String(32))
    attributes: Mapped[str] = mapped_column(String(64))
    answers: Mapped[str] = mapped_column(String(128))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_s: Mapped[int]
    flags: Mapped[int] = mapped_column(default=0)   # packing.Flag bits
    device_hash: Mapped[str] = mapped_column(String(16))
    ip_hash: Mapped[str] = mapped_column(String(16))
