"""Result runs: sets of files computed on the job queue, of any kind, kept by the fingerprint of their inputs."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.models.base import Base, UTCDateTime, utcnow


class ResultRun(Base):
    """One computation of a subject's results (a survey campaign's; later an evaluation cycle's)."""

    __tablename__ = "result_runs"
    __table_args__ = (UniqueConstraint("kind", "subject", "fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))            # what is computed, e.g. "survey"
    subject: Mapped[str] = mapped_column(String(64))         # of what, e.g. the campaign's slug
    fingerprint: Mapped[str] = mapped_column(String(64))     # of its inputs and the software's version
    status: Mapped[str] = mapped_column(String(16))          # queued, running, figures, done or failed
    progress: Mapped[str] = mapped_column(String(200), default="")
    used: Mapped[int] = mapped_column(default=0)             # inputs the run counted (a survey: responses)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
