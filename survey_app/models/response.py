"""A stored response.

Answers are packed one character per question, in questionnaire order, so that
a million responses load into a DataFrame with one vectorised decode:
``attributes`` holds each attribute's option position, ``answers`` each item's
scale code, both written with the alphabet ``0-9a-z`` and ``.`` for "not
asked / not answered". The campaign's questionnaire snapshot gives the layout.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.models.base import Base, UTCDateTime

ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
MISSING = "."


class Flag(enum.IntFlag):
    """Quality flags, stored as a bit mask; no response is dropped for a flag."""

    SPEEDER = 1          # faster than the questionnaire's minimum time
    HONEYPOT = 2         # the hidden field was filled
    STRAIGHTLINE = 4     # every answered item has the same code
    REPEAT_DEVICE = 8    # an earlier response came from the same device token


FLAG_COLUMNS = {
    Flag.SPEEDER: "flag_speeder",
    Flag.HONEYPOT: "flag_honeypot",
    Flag.STRAIGHTLINE: "flag_straightline",
    Flag.REPEAT_DEVICE: "flag_repeat_device",
}


def pack(values: list[int | None]) -> str:
    return "".join(MISSING if v is None else ALPHABET[v] for v in values)


def unpack(text: str) -> list[int | None]:
    return [None if ch == MISSING else ALPHABET.index(ch) for ch in text]


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
    flags: Mapped[int] = mapped_column(default=0)
    device_hash: Mapped[str] = mapped_column(String(16))
    ip_hash: Mapped[str] = mapped_column(String(16))
