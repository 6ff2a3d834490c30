"""The city's register of counties: one row per administrative code, across years and parts of an evaluation."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.models.base import Base, UTCDateTime, utcnow


class RegisteredCounty(Base):
    """A county (区县) by its administrative division code. Campaigns keep the name they were run under
    (their own `counties` rows); the register holds the name most recently given."""

    __tablename__ = "county_register"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
