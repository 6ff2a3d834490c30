"""The county evaluation: a cycle with its indicator scheme, the counties' self-assessment and evidence,
core data, the expert panels' scores and their consensus steps.

Counties are named by administrative code (the county register); points, first-level indicators and
core indicators by their ids in the cycle's scheme and core template, kept as snapshots in the cycle.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.models.base import Base, UTCDateTime, utcnow


class EvaluationCycle(Base):
    """One year's evaluation of a city's counties."""

    __tablename__ = "evaluation_cycles"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    year: Mapped[int]
    scheme: Mapped[dict] = mapped_column(JSON)                  # the indicator scheme, as its file holds it
    core_template: Mapped[dict] = mapped_column(JSON)           # the core indicators, as their file holds them
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))   # the satisfaction survey
    self_assessment_due: Mapped[datetime] = mapped_column(UTCDateTime())
    scoring_due: Mapped[datetime] = mapped_column(UTCDateTime())
    scoring_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())   # the scheme is frozen from then
    simulated: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    counties: Mapped[list[CycleCounty]] = relationship(cascade="all, delete-orphan", order_by="CycleCounty.code")


class CycleCounty(Base):
    __tablename__ = "cycle_counties"

    cycle_id: Mapped[int] = mapped_column(ForeignKey("evaluation_cycles.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(12), primary_key=True)     # in the county register
    name: Mapped[str] = mapped_column(String(100))                      # as this cycle calls it


class SelfAssessment(Base):
    """A county's own score and statement for one evaluation point, with its evidence."""

    __tablename__ = "self_assessments"
    __table_args__ = (UniqueConstraint("cycle_id", "county_code", "point_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("evaluation_cycles.id"))
    county_code: Mapped[str] = mapped_column(String(12))
    point_id: Mapped[str] = mapped_column(String(32))
    score: Mapped[float | None] = mapped_column(Float)
    statement: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="draft")    # draft, submitted or returned
    returned_reason: Mapped[str] = mapped_column(Text, default="")      # why the evaluator asked for more
    reopened_until: Mapped[datetime | None] = mapped_column(UTCDateTime())  # changes allowed after the deadline
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    evidence: Mapped[list[EvidenceFile]] = relationship(cascade="all, delete-orphan", order_by="EvidenceFile.id")


class EvidenceFile(Base):
    """A supporting file, stored outside the web root under a generated name and served by id."""

    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("self_assessments.id"))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)   # generated; never the user's name
    original_name: Mapped[str] = mapped_column(String(200))             # shown, and offered on download
    kind: Mapped[str] = mapped_column(String(8))                        # pdf, png, jpeg, docx or xlsx, by content
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CoreValue(Base):
    """A county's value of a core indicator for a year."""

    __tablename__ = "core_values"
    __table_args__ = (UniqueConstraint("cycle_id", "county_code", "indicator_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("evaluation_cycles.id"))
    county_code: Mapped[str] = mapped_column(String(12))
    indicator_id: Mapped[str] = mapped_column(String(32))
    year: Mapped[int]
    value: Mapped[float] = mapped_column(Float)
    confirmed: Mapped[bool] = mapped_column(default=False)   # a large jump from last year, confirmed by hand
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ExpertAssignment(Base):
    """An expert on the panel of a first-level indicator."""

    __tablename__ = "expert_assignments"

    cycle_id: Mapped[int] = mapped_column(ForeignKey("evaluation_cycles.id"), primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    indicator_id: Mapped[str] = mapped_column(String(32), primary_key=True)


class ConflictDeclaration(Base):
    """A county an expert must not score (declared before scoring)."""

    __tablename__ = "conflict_declarations"

    cycle_id: Mapped[int] = mapped_column(ForeignKey("evaluation_cycles.id"), primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    county_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ExpertScore(Base):
    """One expert's score of one point for one county: a draft as they go, blind to the panel until submitted."""

    __tablename__ = "expert_scores"
    __table_args__ = (UniqueConstraint("cycle_id", "expert_id", "county_code", "point_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("evaluation_cycles.id"))
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    county_code: Mapped[str] = mapped_column(String(12))
    point_id: Mapped[str] = mapped_column(String(32))
    score: Mapped[float | None] = mapped_column(Float)
    highlights: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ConsensusDecision(Base):
    """The panel's agreed score of a point for a county after an outlier was discussed, and why."""

    __tablename__ = "consensus_decisions"

    cycle_id: Mapped[int] = mapped_column(ForeignKey("evaluation_cycles.id"), primary_key=True)
    county_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    point_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    score: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    scores_seen: Mapped[dict] = mapped_column(JSON)        # the experts' scores the decision was made on
    decided_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
