"""Sample-size quotas per county (optionally per category of an attribute), and a proposal
from population: proportional, with a floor for small counties, and the precision each gives."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from sqlalchemy.orm import Session

from analysis.allocation import allocate, proportional_with_floor
from survey_app.errors import UserError
from survey_app.models import Campaign, Quota
from survey_app.services import audit
from survey_app.services import targets as campaign_targets

# Planning assumptions for the precision shown beside a quota (stated on the page).
ASSUMED_DEFF = 1.5          # design effect of weighting and clustering
ASSUMED_INDEX_SD = 18.0     # standard deviation of the respondent index (0-100 points)
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Proposal:
    county_code: str
    county_name: str
    population: float
    quota: int
    by_category: dict[str, int]          # attribute category -> quota ({} without an attribute)

    @property
    def index_margin(self) -> float:
        """Half-width of the 95% interval of the county index, in points."""
        return Z95 * ASSUMED_INDEX_SD * math.sqrt(ASSUMED_DEFF / self.quota) if self.quota else math.inf

    @property
    def share_margin(self) -> float:
        """Half-width of the 95% interval of a 50% share, in percentage points (the widest)."""
        return Z95 * 100 * math.sqrt(0.25 * ASSUMED_DEFF / self.quota) if self.quota else math.inf


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


def replace(session: Session, campaign: Campaign, quotas: dict[tuple[str, str, str], int], by,
            ip_hash: str = "") -> None:
    """Quotas keyed by (county code, attribute, category); ("", "") for the whole county."""
    county_id = {c.code: c.id for c in campaign.counties}
    for (code, _, _), target in quotas.items():
        if code not in county_id:
            raise UserError(f"区县 {code} 不在本调查中")
        if target < 0:
            raise UserError(f"区县 {code} 的配额不能为负数")
    campaign.quotas = [Quota(county_id=county_id[code], attribute=attribute, category=category, target=target)
                       for (code, attribute, category), target in quotas.items()]
    audit.record(session, by, "quotas_update", campaign.slug, ip_hash, quotas=len(quotas),
                 total=sum(t for (_, a, _), t in quotas.items() if not a))
