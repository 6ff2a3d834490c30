"""Fieldwork monitor: counts per county and channel, flags, days, durations and respondent mix.

Everything is counted in the database (GROUP BY), never row by row in Python. A campaign's
counts are kept in a snapshot up to a response id; each refresh counts only the responses
that came since (a primary-key range), so the page stays fast with a million responses.
Exclusions change after the fact, so they are counted live through a partial index.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, literal_column, select, update
from sqlalchemy.orm import Session

from survey_app.models import Campaign, MonitorSnapshot, Response, packing
from survey_app.services import quotas as campaign_quotas
from survey_app.services import targets as campaign_targets

DURATION_CAP_S = 3600        # durations are counted in whole seconds up to an hour
COUNTS_FORMAT = 2            # a snapshot counted another way (5-second steps: 1) is counted again


def _local_day(session: Session, zone: ZoneInfo):
    """SQL for the local date of submitted_at (stored in UTC), as text YYYY-MM-DD."""
    offset = datetime.now(zone).utcoffset()
    hours = int(offset.total_seconds() // 3600) if offset else 0
    if session.get_bind().dialect.name == "sqlite":
        return func.date(Response.submitted_at, f"{hours:+d} hours")
    return func.to_char(Response.submitted_at + literal_column(f"interval '{hours} hours'"), "YYYY-MM-DD")


def _count_since(session: Session, campaign_id: int, after_id: int, zone: ZoneInfo) -> tuple[int, dict]:
    """Counts of the responses with id > after_id, and the largest id counted."""
    # "+ 0" keeps the planner on the primary-key range: the campaign's own indexes would
    # have it walk every response of the campaign.
    since = ((Response.campaign_id + 0) == campaign_id, Response.id > after_id, ~Response.test)
    last = session.scalar(select(func.max(Response.id)).where(*since))
    if last is None:
        return after_id, {}
    upto = (*since, Response.id <= last)
    n = func.count()

    def grouped(*columns):
        return session.execute(select(*columns, n).where(*upto).group_by(*columns)).all()

    capped = (func.min if session.get_bind().dialect.name == "sqlite" else func.least)(
        Response.duration_s, DURATION_CAP_S)
    day = _local_day(session, zone)
    return last, {
        "flags": {f"{c}|{f}": k for c, f, k in grouped(Response.channel_id, Response.flags)},
        "days": {f"{c}|{d}": k for c, d, k in grouped(Response.channel_id, day)},
        "attributes": {f"{c}|{a}": k for c, a, k in grouped(Response.county_id, Response.attributes)},
        "durations": {f"{c}|{int(s)}": k for c, s, k in grouped(Response.county_id, capped)},
    }


def _merge(counts: dict, more: dict) -> dict:
    return {part: dict(Counter(counts.get(part, {})) + Counter(more.get(part, {})))
            for part in ("flags", "days", "attributes", "durations")}


def refresh(session: Session, campaign: Campaign, zone: ZoneInfo) -> dict:
    """The campaign's counts up to now, adding only what came since the stored snapshot."""
    snapshot = session.get(MonitorSnapshot, campaign.id)
    current = snapshot is not None and snapshot.counts.get("format") == COUNTS_FORMAT
    after = snapshot.last_response_id if current else 0
    last, more = _count_since(session, campaign.id, after, zone)
    counts = snapshot.counts if current else {"format": COUNTS_FORMAT}
    if last == after:
        return counts
    counts = _merge(counts, more) | {"format": COUNTS_FORMAT}
    if snapshot is None:
        session.add(MonitorSnapshot(campaign_id=campaign.id, last_response_id=last, counts=counts))
    else:   # another worker may have moved it on meanwhile; then its snapshot stands
        session.execute(update(MonitorSnapshot).where(MonitorSnapshot.campaign_id == campaign.id,
                                                      MonitorSnapshot.last_response_id == snapshot.last_response_id)
                        .values(last_response_id=last, counts=counts))
    return counts


@dataclass
class CountyProgress:
    code: str
    name: str
    received: int = 0
    flagged: dict[str, int] = field(default_factory=dict)
    excluded: int = 0
    last_hour: int = 0
    quota: int | None = None
    full: bool = False                      # its quota is reached (received minus excluded)
    full_cells: list[str] = field(default_factory=list)   # the categories whose quota is reached
    median_duration_s: float | None = None
    # Per weighting variable: (sample share, population share or None) of each option, in option order.
    mix: dict[str, list[tuple[float, float | None]]] = field(default_factory=dict)

    @property
    def progress(self) -> float | None:
        return self.received / self.quota if self.quota else None


@dataclass
class Monitor:
    counties: list[CountyProgress]
    total: CountyProgress
    days: list[tuple[str, int]]                   # local date, responses
    mix_columns: list[tuple[str, str, list[str]]]   # variable, its question, its option labels
    channels: list[tuple[str, str, str, int, bool]]   # code, county name, label, responses, disabled
    flag_names: list[str]
    computed_at: datetime


FLAG_LABELS = {"speeder": "过快", "honeypot": "疑似机器", "straightline": "答案全部相同", "repeat_device": "同一设备重复",
               "address_burst": "同一网络集中提交", "form_burst": "集中打开问卷"}


def build(session: Session, campaign: Campaign, zone: ZoneInfo, now: datetime) -> Monitor:
    counts = refresh(session, campaign, zone)
    county_of_channel = {ch.id: ch.county for ch in campaign.channels}
    rows = {c.id: CountyProgress(c.code, c.name) for c in campaign.counties}
    flags = [f for f in packing.Flag]
    names = [f.name.lower() for f in flags]
    channel_counts: Counter = Counter()
    for key, k in counts.get("flags", {}).items():
        channel, bits = map(int, key.split("|"))
        channel_counts[channel] += k
        row = rows[county_of_channel[channel].id]
        row.received += k
        for flag, name in zip(flags, names):
            if bits & flag.value:
                row.flagged[name] = row.flagged.get(name, 0) + k
    _add_live_counts(session, campaign, rows, now)
    _add_quotas(session, campaign, counts, rows)
    _add_durations(counts.get("durations", {}), rows)
    mix_columns = _add_mix(campaign, counts.get("attributes", {}), rows)
    days: Counter = Counter()
    for key, k in counts.get("days", {}).items():
        days[key.split("|", 1)[1]] += k
    total = CountyProgress("ALL", "全市")
    for row in rows.values():
        total.received += row.received
        total.excluded += row.excluded
        total.last_hour += row.last_hour
        for name, k in row.flagged.items():
            total.flagged[name] = total.flagged.get(name, 0) + k
    quotas = [r.quota for r in rows.values() if r.quota]
    total.quota = sum(quotas) if quotas else None
    _add_durations(counts.get("durations", {}), {0: total}, pooled=True)
    channels = sorted(((ch.code, ch.county.name, ch.label, channel_counts[ch.id], ch.disabled)
                       for ch in campaign.channels), key=lambda c: (-c[3], c[0]))
    return Monitor(list(rows.values()), total, sorted(days.items()), mix_columns, channels, names, now)


def _add_live_counts(session: Session, campaign: Campaign, rows: dict, now: datetime) -> None:
    """Exclusions (they change after the fact) and the last hour, through their indexes."""
    for county_id, k in _excluded(session, campaign, Response.county_id):
        rows[county_id].excluded = k
    recent = session.execute(select(Response.county_id, func.count()).where(
        Response.campaign_id == campaign.id, Response.submitted_at >= now - timedelta(hours=1), ~Response.test)
        .group_by(Response.county_id)).all()
    for county_id, k in recent:
        rows[county_id].last_hour = k


def _excluded(session: Session, campaign: Campaign, *columns) -> list:
    """Excluded responses (test answers aside) counted by `columns`, through the partial index."""
    return session.execute(select(*columns, func.count()).where(
        Response.campaign_id == campaign.id, Response.excluded, ~Response.test).group_by(*columns)).all()


def _counted(session: Session, campaign: Campaign, counts: dict) -> dict[int, Counter]:
    """What counts towards quotas, per county id and packed attributes: received minus excluded."""
    counted: dict[int, Counter] = {}
    for key, k in counts.get("attributes", {}).items():
        county, packed = key.split("|", 1)
        counted.setdefault(int(county), Counter())[packed] += k
    for county_id, packed, k in _excluded(session, campaign, Response.county_id, Response.attributes):
        counted.setdefault(county_id, Counter())[packed] -= k
    return counted


def quota_fullness(session: Session, campaign: Campaign, zone: ZoneInfo) -> campaign_quotas.Fullness:
    """The quotas the campaign has reached (for closing them), from the counts kept for the monitor."""
    if not campaign.quotas:
        return campaign_quotas.Fullness()
    return campaign_quotas.fullness(campaign, _counted(session, campaign, refresh(session, campaign, zone)))


def _add_quotas(session: Session, campaign: Campaign, counts: dict, rows: dict) -> None:
    for quota in campaign.quotas:
        if not quota.attribute:
            rows[quota.county_id].quota = quota.target
    if not campaign.quotas:
        return
    full = campaign_quotas.fullness(campaign, _counted(session, campaign, counts))
    questionnaire = campaign.questionnaire
    for county_id in full.counties:
        rows[county_id].full = True
    for county_id, attribute, category in sorted(full.cells):
        option = next(o for o in questionnaire.attribute(attribute).options if o.id == category)
        rows[county_id].full_cells.append(option.label)


def _add_durations(durations: dict, rows: dict, pooled: bool = False) -> None:
    """Median completion time from the counts per whole second."""
    histograms: dict[int, Counter] = {}
    for key, k in durations.items():
        county, step = map(int, key.split("|"))
        histograms.setdefault(0 if pooled else county, Counter())[step] += k
    for county, histogram in histograms.items():
        total, running = sum(histogram.values()), 0
        for step in sorted(histogram):
            running += histogram[step]
            if running * 2 >= total:
                rows[county].median_duration_s = float(step)
                break


def _add_mix(campaign: Campaign, attributes: dict, rows: dict) -> list[tuple[str, str, list[str]]]:
    """For each weighting variable: the sample's share of each category beside the population's."""
    questionnaire = campaign.questionnaire
    variables = list(dict.fromkeys(t.variable for t in campaign.targets)) or \
        [a.id for a in questionnaire.attributes if not a.applies_if]
    position = {a.id: i for i, a in enumerate(questionnaire.attributes)}
    population: dict[tuple[str, str, str], float] = {(t.county_code, t.variable, t.category): t.population
                                                       for t in campaign.targets}
    sample: dict[int, Counter] = {}
    for key, k in attributes.items():
        county, packed = key.split("|", 1)
        codes = packing.unpack(packed)
        for variable in variables:
            code = codes[position[variable]]
            if code is not None:
                option = questionnaire.attribute(variable).options[code].id
                sample.setdefault(int(county), Counter())[(variable, option)] += k
    totals = campaign_targets.county_populations(campaign)
    for county_id, row in rows.items():
        counted = sample.get(county_id, Counter())
        for variable in variables:
            options = questionnaire.attribute(variable).options
            answered = sum(counted[(variable, o.id)] for o in options)
            row.mix[variable] = []
            for option in options:
                target = population.get((row.code, variable, option.id))
                row.mix[variable].append((counted[(variable, option.id)] / answered if answered else 0.0,
                                          target / totals[row.code] if target is not None and totals.get(row.code)
                                          else None))
    return [(v, questionnaire.attribute(v).question, [o.label for o in questionnaire.attribute(v).options])
            for v in variables]
