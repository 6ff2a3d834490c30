"""Accounts of the people who run the survey: administrators, evaluators and staff."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.models.base import Base, UTCDateTime, utcnow


class Role(enum.StrEnum):
    ADMIN = "admin"           # accounts and the audit log
    EVALUATOR = "evaluator"   # configures and runs campaigns
    STAFF = "staff"           # reads results and downloads, optionally for some counties only

    @property
    def label(self) -> str:
        return {"admin": "管理员", "evaluator": "评估人员", "staff": "工作人员"}[self.value]


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the login session: bumping it (logout, password change) ends every session.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    counties: Mapped[list[UserCounty]] = relationship(cascade="all, delete-orphan", order_by="UserCounty.county_code")

    @property
    def county_codes(self) -> frozenset[str]:
        """Counties a staff member is limited to; empty: every county."""
        return frozenset(c.county_code for c in self.counties)


class UserCounty(Base):
    """A county a staff account may see (by administrative code, across campaigns)."""

    __tablename__ = "user_counties"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    county_code: Mapped[str] = mapped_column(String(12), primary_key=True)
