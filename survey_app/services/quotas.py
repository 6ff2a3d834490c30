"""Sample-size quotas per county (optionally per category of an attribute), and a proposal
from population: proportional, with a floor for small counties, and the precision each gives."""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np
from sqlalchemy.orm import Session

from analysis.allocation import allocate, proportional_with_floor
from survey_app.errors import UserError
from survey_app.models import Campaign, Quota, packing
from survey_app.services import audit, changes
from survey_app.services import targets as campaign_targets

# Planning assumptions for the precision shown beside a quota (stated on the page).
ASSUMED_DEFF = 1.5          # design effect of weighting and clustering
ASSUMED_INDEX_SD = 18.0     # standard deviation of the respondent index (0-100 points)
Z95 = 1.959963984540054


def index_margin(quota: int) -> float:
    """Half-width of the 95% interval of a county index from `quota` responses, in points."""
    return Z95 * ASSUMED_INDEX_SD * math.sqrt(ASSUMED_DEFF / quota) if quota else math.inf


def share_margin(quota: int) -> float:
    """Half-width of the 95% interval of a 50% share (the widest), in percentage points."""
    return Z95 * 100 * math.sqrt(0.25 * ASSUMED_DEFF / quota) if quota else math.inf


@dataclass(frozen=True)
class Proposal:
    county_code: str
    county_name: str
    population: float
    quota: int
    by_category: dict[str, int]          # attribute category -> quota ({} without an attribute)


Key = tuple[str, str, str]       # (county code, attribute, category); ("", "") for the whole county


def propose(campaign: Campaign, total: int, floor: int, attribute: str | None = None) -> list[Proposal]:
    campaign_targets.require(campaign)
    population = campaign_targets.county_populations(campaign)
    counties = [c for c in campaign.counties if c.code in population]
    sizes = np.array([population[c.code] for c in counties])
    if floor * len(sizes) > total:
        raise UserError(f"计划样本量 {total:,} 不够每个区县至少 {floor:,} 份（共 {len(sizes)} 个区县）")
    quotas = proportional_with_floor(sizes, total, floor)
    proposals = []
    for county, size, quota in zip(counties, sizes, quotas):
        by_category = {}
        if attribute:
            cells = [(t.category, t.population) for t in campaign.targets
                     if t.county_code == county.code and t.variable == attribute]
            if not cells:
                raise UserError(f"人口目标中没有属性“{attribute}”")
            by_category = dict(zip([c for c, _ in cells],
                                   map(int, allocate(int(quota), np.array([p for _, p in cells])))))
        proposals.append(Proposal(county.code, county.name, float(size), int(quota), by_category))
    return proposals


def check(campaign: Campaign, quotas: dict[Key, int]) -> list[str]:
    """Every problem of a set of quotas: unknown counties, attributes or categories, negative
    numbers, and categories that do not add up to their county's quota."""
    questionnaire = campaign.questionnaire
    names = {c.code: c.name for c in campaign.counties}
    attributes = {a.id: a for a in questionnaire.attributes if not a.applies_if}
    problems = []
    for (code, attribute, category), target in quotas.items():
        if code not in names:
            problems.append(f"区县 {code} 不在本调查中")
        elif attribute and attribute not in attributes:
            problems.append(f"区县 {code}（{names[code]}）：“{attribute}”不是对所有人询问的答题人属性")
        elif attribute and category not in attributes[attribute].option_ids:
            problems.append(f"区县 {code}（{names[code]}）：{attributes[attribute].question}没有类别“{category}”")
        elif target < 0:
            problems.append(f"区县 {code}（{names[code]}）的配额不能为负数")
    if problems:
        return problems
    for code, name in names.items():
        total = quotas.get((code, "", ""))
        if total is None:
            continue
        for attribute in sorted({a for (c, a, _) in quotas if c == code and a}):
            cells = {k: t for (c, a, k), t in quotas.items() if c == code and a == attribute}
            options = attributes[attribute].option_ids
            labels = dict(zip(options, (o.label for o in attributes[attribute].options)))
            parts = " + ".join(f"{labels[k]} {cells[k]:,}" for k in options if k in cells)
            if len(cells) == len(options) and sum(cells.values()) != total:
                problems.append(f"区县 {code}（{name}）按“{attributes[attribute].question}”各类别的配额 "
                                f"{parts} = {sum(cells.values()):,}，不等于区县配额 {total:,}")
            elif sum(cells.values()) > total:
                problems.append(f"区县 {code}（{name}）按“{attributes[attribute].question}”各类别的配额 "
                                f"{parts} 已超过区县配额 {total:,}")
    return problems


def replace(session: Session, campaign: Campaign, quotas: dict[Key, int], by, ip_hash: str = "") -> None:
    """The campaign's quotas become `quotas` (all or nothing); UserError lists every problem."""
    problems = check(campaign, quotas)
    if problems:
        raise UserError("；".join(problems))
    county_id = {c.code: c.id for c in campaign.counties}
    code_of = {c.id: c.code for c in campaign.counties}
    before = {(code_of[q.county_id], q.attribute, q.category): q.target for q in campaign.quotas}
    campaign.quotas.clear()
    session.flush()     # the old quotas are gone before new ones with the same keys arrive
    campaign.quotas.extend(Quota(county_id=county_id[code], attribute=attribute, category=category, target=target)
                           for (code, attribute, category), target in quotas.items())
    session.flush()
    audit.record(session, by, "quotas_update", campaign.slug, ip_hash, quotas=len(quotas),
                 total=sum(t for (_, a, _), t in quotas.items() if not a),
                 summary=changes.summary("配额", "项", before, quotas))


def saved(campaign: Campaign) -> dict[Key, int]:
    code_of = {c.id: c.code for c in campaign.counties}
    return {(code_of[q.county_id], q.attribute, q.category): q.target for q in campaign.quotas}


@dataclass(frozen=True)
class Fullness:
    """The quotas a campaign has reached, counting received minus excluded responses (test answers
    are never counted): a resident's excluded answer, e.g. one of a burst, leaves its place open."""

    counties: frozenset[int] = frozenset()                  # county ids whose quota is reached
    cells: frozenset[tuple[int, str, str]] = frozenset()    # (county id, attribute, category) reached


def fullness(campaign: Campaign, counted: dict[int, Counter]) -> Fullness:
    """Which quotas are reached, from the responses counted per county id and packed attributes.

    A county is full when its own quota is reached, or when every category of an attribute has a
    quota and all of them are reached. A quota of 0 is reached at once (nothing is wanted there).
    """
    questionnaire = campaign.questionnaire
    position = {a.id: i for i, a in enumerate(questionnaire.attributes)}
    by_category: dict[int, Counter] = {}         # county id -> (attribute, category) -> responses
    for county_id, packs in counted.items():
        tally = by_category.setdefault(county_id, Counter())
        for packed, k in packs.items():
            codes = packing.unpack(packed)
            for attribute in questionnaire.attributes:
                code = codes[position[attribute.id]] if position[attribute.id] < len(codes) else None
                if code is not None and code < len(attribute.options):
                    tally[(attribute.id, attribute.options[code].id)] += k
    counties, cells = set(), set()
    for quota in campaign.quotas:
        if not quota.attribute:
            if sum(counted.get(quota.county_id, Counter()).values()) >= quota.target:
                counties.add(quota.county_id)
        elif by_category.get(quota.county_id, Counter())[(quota.attribute, quota.category)] >= quota.target:
            cells.add((quota.county_id, quota.attribute, quota.category))
    for county_id, attribute in {(q.county_id, q.attribute) for q in campaign.quotas if q.attribute}:
        if attribute in position and all((county_id, attribute, option)
                                         in cells for option in questionnaire.attribute(attribute).option_ids):
            counties.add(county_id)
    return Fullness(frozenset(counties), frozenset(cells))


def set_closing(session: Session, campaign: Campaign, close: bool, by, ip_hash: str = "") -> None:
    """Whether residents stop being served once their county's (or cell's) quota is reached; audited."""
    if campaign.close_full_quotas == close:
        return
    campaign.close_full_quotas = close
    audit.record(session, by, "quotas_closing", campaign.slug, ip_hash, close=close)
