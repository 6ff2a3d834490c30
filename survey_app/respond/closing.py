"""Quotas that close: per process, each campaign's full counties and quota cells, counted at most
every few seconds so that the public link stays fast under load (monitor.quota_fullness counts
only the responses that came since the monitor's snapshot)."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from flask import current_app

from survey_app import db
from survey_app.models import Campaign
from survey_app.services import monitor


@dataclass(frozen=True)
class Closed:
    counties: frozenset[int] = frozenset()
    # (county id, attribute, category) -> when this process first saw the cell full (epoch seconds)
    cells: dict[tuple[int, str, str], float] = field(default_factory=dict)

    def cells_of(self, county_id: int) -> dict[tuple[str, str], float]:
        return {(attribute, category): since for (county, attribute, category), since in self.cells.items()
                if county == county_id}


class QuotaClosing:
    """The full quotas of campaigns that close them, held `seconds` per process.

    One thread counts at a time; the others meanwhile keep the state counted before (a
    resident is never kept waiting for a count another thread is making). A count that fails
    closes nothing: collecting a few more responses is better than turning residents away.
    """

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._held: dict[int, tuple[float, Closed]] = {}
        self._lock = threading.Lock()

    def state(self, campaign_id: int) -> Closed:
        held = self._held.get(campaign_id)
        if held is not None and held[0] > time.time():
            return held[1]
        if not self._lock.acquire(blocking=held is None):
            return held[1]
        try:
            held = self._held.get(campaign_id)
            if held is not None and held[0] > time.time():
                return held[1]
            closed = self._count(campaign_id, held[1] if held else Closed())
            self._held[campaign_id] = (time.time() + self.seconds, closed)
            return closed
        finally:
            self._lock.release()

    def _count(self, campaign_id: int, before: Closed) -> Closed:
        try:
            with db.session() as session:
                campaign = session.get(Campaign, campaign_id)
                full = monitor.quota_fullness(session, campaign, ZoneInfo(current_app.config["TIMEZONE"]))
        except Exception:       # the database is busy or gone: serve the form
            current_app.logger.exception("counting the quotas of campaign %s failed", campaign_id)
            return before
        now = time.time()
        return Closed(full.counties, {cell: before.cells.get(cell, now) for cell in full.cells})
