"""A campaign's population targets: checked row by row on upload, stored, and read back as the
county, variable, category, population table that `survey analyze` reads."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from analysis import targets as analysis_targets
from reports.tables import rows_csv
from survey_app.errors import UserError
from survey_app.io.uploads import UploadedTable
from survey_app.models import Campaign, PopulationTarget
from survey_app.services import audit

COLUMNS = ["county", "variable", "category", "population"]
TOTAL_TOLERANCE = 1e-6   # relative difference allowed between a county's margins


@dataclass(frozen=True)
class TargetRow:
    county: str
    variable: str
    category: str
    population: float


def check(campaign: Campaign, table: UploadedTable) -> tuple[list[TargetRow], list[str]]:
    """The rows and every problem found, each naming its line (or county)."""
    table.require(*COLUMNS)
    questionnaire = campaign.questionnaire
    counties = {c.code: c.name for c in campaign.counties}
    attributes = {a.id: a for a in questionnaire.attributes}
    rows, problems, seen = [], [], set()
    for line, values in enumerate(zip(*(table.column(c) for c in COLUMNS)), start=2):
        county, variable, category, population = values
        at = f"第 {line} 行："
        if county not in counties:
            problems.append(f"{at}区县“{county}”不在本调查中")
            continue
        attribute = attributes.get(variable)
        if attribute is None:
            problems.append(f"{at}变量“{variable}”不是问卷中的答题人属性（可用：{'、'.join(attributes)}）")
            continue
        if attribute.applies_if:
            problems.append(f"{at}属性“{variable}”只对部分答题人询问，不能用作加权变量")
            continue
        if category not in attribute.option_ids:
            problems.append(f"{at}{variable} 没有类别“{category}”（可用：{'、'.join(attribute.option_ids)}）")
            continue
        try:
            number = float(population.replace(",", ""))
        except ValueError:
            number = float("nan")
        if not number >= 0:
            problems.append(f"{at}人口数“{population}”无效，应为不小于 0 的数")
            continue
        if (county, variable, category) in seen:
            problems.append(f"{at}{county}/{variable}/{category} 重复")
            continue
        seen.add((county, variable, category))
        rows.append(TargetRow(county, variable, category, number))
    if not problems:
        problems = _check_margins(rows, counties, attributes)
    if not rows and not problems:
        problems = [f"{table.name}：没有任何人口数"]
    return rows, problems


def _check_margins(rows: list[TargetRow], counties: dict[str, str], attributes) -> list[str]:
    """Every county has every variable with all its categories, and its variables agree on the total."""
    problems = []
    variables = sorted({r.variable for r in rows})
    present = {(r.county, r.variable, r.category) for r in rows}
    totals: dict[str, dict[str, float]] = {}
    for r in rows:
        totals.setdefault(r.county, {}).setdefault(r.variable, 0.0)
        totals[r.county][r.variable] += r.population
    for code, name in counties.items():
        for variable in variables:
            missing = [c for c in attributes[variable].option_ids if (code, variable, c) not in present]
            if missing:
                problems.append(f"区县 {code}（{name}）缺少 {variable} 的类别：{'、'.join(missing)}")
        by_variable = totals.get(code, {})
        if by_variable and max(by_variable.values()) > 0:
            high, low = max(by_variable.values()), min(by_variable.values())
            if (high - low) / high > TOTAL_TOLERANCE:
                detail = "，".join(f"{v} 合计 {t:,.0f}" for v, t in by_variable.items())
                problems.append(f"区县 {code}（{name}）各变量的人口合计不一致：{detail}")
    return problems


def replace(session: Session, campaign: Campaign, rows: list[TargetRow], by, ip_hash: str = "") -> None:
    campaign.targets = [PopulationTarget(county_code=r.county, variable=r.variable, category=r.category,
                                         population=r.population) for r in rows]
    audit.record(session, by, "targets_upload", campaign.slug, ip_hash, rows=len(rows),
                 sha256=fingerprint(campaign))


def table(campaign: Campaign) -> dict[str, list]:
    """The stored targets as columns (the layout `survey analyze --targets` reads)."""
    return {"county": [t.county_code for t in campaign.targets], "variable": [t.variable for t in campaign.targets],
            "category": [t.category for t in campaign.targets],
            "population": [t.population for t in campaign.targets]}


def csv_text(campaign: Campaign) -> str:
    return rows_csv(COLUMNS, [(t.county_code, t.variable, t.category, f"{t.population:.10g}") for t in campaign.targets],
                    bom=False)


def fingerprint(campaign: Campaign) -> str:
    """The SHA-256 that `survey analyze` records for the same targets."""
    return analysis_targets.fingerprint(analysis_targets.validate(table(campaign)))


def county_populations(campaign: Campaign) -> dict[str, float]:
    """Each county's population, {} without targets."""
    if not campaign.targets:
        return {}
    return analysis_targets.county_populations(analysis_targets.validate(table(campaign)))


def require(campaign: Campaign) -> None:
    if not campaign.targets:
        raise UserError("请先上传人口目标")
