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
from survey_app.services import audit, changes

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
    rows, problems, seen, broken = [], [], set(), set()
    for line, values in zip(table.lines, zip(*(table.column(c) for c in COLUMNS))):
        county, variable, category, population = values
        problem, number = _row_problem(county, variable, category, population, counties, attributes, seen)
        if problem:
            problems.append(f"第 {line} 行：{problem}")
            broken.add((county, variable))      # its county's margins are left to this row's problem
            continue
        seen.add((county, variable, category))
        rows.append(TargetRow(county, variable, category, number))
    problems += _check_margins(rows, counties, attributes, broken)
    if not rows and not problems:
        problems = [f"{table.name}：没有任何人口数"]
    return rows, problems


def _row_problem(county, variable, category, population, counties, attributes, seen) -> tuple[str, float]:
    """What is wrong with one row ("" if nothing), and its population."""
    if county not in counties:
        return f"区县“{county}”不在本调查中", 0
    attribute = attributes.get(variable)
    if attribute is None:
        return f"变量“{variable}”不是问卷中的答题人属性（可用：{'、'.join(attributes)}）", 0
    if attribute.applies_if:
        return f"属性“{variable}”（{attribute.question}）只对部分答题人询问，不能用作加权变量", 0
    if category not in attribute.option_ids:
        return f"变量 {_named(attribute)} 没有类别“{category}”（可用：{_options(attribute)}）", 0
    try:
        number = float(population.replace(",", ""))
    except ValueError:
        number = float("nan")
    if not number >= 0:
        return f"人口数“{population}”无效，应为不小于 0 的数", 0
    if (county, variable, category) in seen:
        return f"{county}/{variable}/{category} 重复", 0
    return "", number


def _check_margins(rows: list[TargetRow], counties: dict[str, str], attributes, broken: set) -> list[str]:
    """Every county has every variable with all its categories, and its variables agree on the total
    (a county and variable with a bad row are left to that row's problem)."""
    problems = []
    variables = sorted({r.variable for r in rows})
    present = {(r.county, r.variable, r.category) for r in rows}
    totals: dict[str, dict[str, float]] = {}
    for r in rows:
        totals.setdefault(r.county, {}).setdefault(r.variable, 0.0)
        totals[r.county][r.variable] += r.population
    for code, name in counties.items():
        for variable in variables:
            missing = [o for o in attributes[variable].options if (code, variable, o.id) not in present]
            if missing and (code, variable) not in broken:
                problems.append(f"区县 {code}（{name}）缺少变量 {_named(attributes[variable])} 的类别："
                                f"{_options(attributes[variable], missing)}")
        by_variable = totals.get(code, {})
        if any(county == code for county, _ in broken):
            continue
        if by_variable and max(by_variable.values()) > 0:
            high, low = max(by_variable.values()), min(by_variable.values())
            if (high - low) / high > TOTAL_TOLERANCE:
                detail = "，".join(f"{_named(attributes[v])} 合计 {t:,.0f}" for v, t in by_variable.items())
                problems.append(f"区县 {code}（{name}）各变量的人口合计不一致：{detail}")
    return problems


def _named(attribute) -> str:
    return f"“{attribute.question}”（{attribute.id}）"


def _options(attribute, options=None) -> str:
    return "、".join(f"{o.label}（{o.id}）" for o in (attribute.options if options is None else options))


def replace(session: Session, campaign: Campaign, rows: list[TargetRow], by, ip_hash: str = "") -> None:
    """The campaign's targets become `rows`, in the caller's transaction (all or nothing)."""
    before = {(t.county_code, t.variable, t.category): t.population for t in campaign.targets}
    campaign.targets.clear()
    session.flush()     # the old cells are gone before the new ones (with the same keys) arrive
    campaign.targets.extend(PopulationTarget(county_code=r.county, variable=r.variable, category=r.category,
                                             population=r.population) for r in rows)
    session.flush()
    after = {(r.county, r.variable, r.category): r.population for r in rows}
    audit.record(session, by, "targets_upload", campaign.slug, ip_hash, rows=len(rows),
                 summary=changes.summary("人口目标", "个单元", before, after), sha256=fingerprint(campaign))


def remove_county(campaign: Campaign, code: str) -> None:
    """Drop a county's cells (the county left the campaign)."""
    campaign.targets = [t for t in campaign.targets if t.county_code != code]


def missing_counties(campaign: Campaign) -> list[str]:
    """Codes of the campaign's counties without targets, once any targets exist."""
    covered = {t.county_code for t in campaign.targets}
    return [c.code for c in campaign.counties if covered and c.code not in covered]


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
