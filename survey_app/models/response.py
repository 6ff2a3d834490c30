"""A stored response: where it came from, its packed answers and flags (see packing.py)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import Text

from survey_app.models.base import Base, UTCDateTime


class Response(Base):
    __tablename__ = "responses"
    __table_args__ = (
        UniqueConstraint("campaign_id", "submission_id"),
        Index("ix_responses_campaign_device", "campaign_id", "device_hash"),
        Index("ix_responses_campaign_submitted", "campaign_id", "submitted_at"),
        Index("ix_responses_campaign_address", "campaign_id", "ip_hash", "submitted_at"),   # bursts
        # Few responses are excluded: a partial index finds them without a scan. Its condition
        # is written as each database renders `WHERE Response.excluded`, or it goes unused.
        Index("ix_responses_excluded", "campaign_id", sqlite_where=text("excluded = 1"),
              postgresql_where=text("excluded")),
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
    # An evaluator's review: never deleted, only excluded (with a reason) or restored.
    excluded: Mapped[bool] = mapped_column(default=False)
    exclusion_reason: Mapped[str] = mapped_column(String(200), default="")
    # An evaluator's own answer in test mode: shown in review, left out of every count, export and
    # result, and deleted by "清除测试答卷".
    test: Mapped[bool] = mapped_column(default=False, server_default=false())
    device_hash: Mapped[str] = mapped_column(String(16))
    ip_hash: Mapped[str] = mapped_column(String(16))
    # The resident's answer to the questionnaire's open question, as typed (cleaned: analysis.comments.
    # normalise); NULL when they wrote nothing. In the row itself, so that it is stored exactly when the
    # response is (one INSERT, one unique submission id); at most 1,000 characters (the loader's bound).
    comment: Mapped[str | None] = mapped_column(Text)


class MonitorSnapshot(Base):
    """Fieldwork counts of a campaign up to a response id, so that the monitor adds only what
    came since (services/monitor.py) instead of scanning a million rows on every refresh."""

    __tablename__ = "monitor_snapshots"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    last_response_id: Mapped[int]
    counts: Mapped[dict] = mapped_column(JSON)
