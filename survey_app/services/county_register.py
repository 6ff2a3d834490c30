"""The county register: every county a campaign (or, later, an evaluation cycle) names, by its code."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.io.counties import CountyRow
from survey_app.models import RegisteredCounty


def register(session: Session, rows: Iterable[CountyRow]) -> None:
    """Each county in the register under its code, with the name given here (the latest name wins)."""
    rows = list(rows)
    known = {c.code: c for c in session.scalars(
        select(RegisteredCounty).where(RegisteredCounty.code.in_([r.code for r in rows])))}
    for row in rows:
        if row.code not in known:
            known[row.code] = RegisteredCounty(code=row.code, name=row.name)
            session.add(known[row.code])
        elif known[row.code].name != row.name:
            known[row.code].name = row.name


def unknown_codes(session: Session, codes: Iterable[str]) -> list[str]:
    """Those of `codes` that the register does not hold, in the order given."""
    codes = list(codes)
    known = set(session.scalars(select(RegisteredCounty.code).where(RegisteredCounty.code.in_(codes))))
    return [c for c in codes if c not in known]


def is_empty(session: Session) -> bool:
    return session.scalar(select(RegisteredCounty.code).limit(1)) is None
