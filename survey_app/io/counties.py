"""Read a list of counties (code, name) as evaluators prepare it."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from reports.filenames import refusal
from survey_app.errors import Problem, UserError
from survey_app.io.uploads import UploadedTable, read_upload

COUNTY_CODE = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class CountyRow:
    code: str
    name: str


def counties_from(table: UploadedTable) -> list[CountyRow]:
    """Rows of `code,name` (6-digit administrative code, Chinese name); UserError lists every problem."""
    if not {"code", "name"} <= set(table.header):
        missing = {"code", "name"} - set(table.header)
        raise UserError(f"{table.name}：缺少列 {'、'.join(sorted(missing))}（应为 code,name）")
    rows, problems, seen = [], [], set()
    for line, code, name in zip(table.lines, table.column("code"), table.column("name")):
        at = "" if table.name == ONE_COUNTY else f"{table.name} 第 {line} 行："
        if not COUNTY_CODE.match(code):
            problems.append(f"{at}区县代码“{code}”应为 6 位数字")
        elif code in seen:
            problems.append(f"{at}区县代码 {code} 重复")
        if not name:
            problems.append(f"{at}缺少区县名称")
        elif problem := refusal(name):
            problems.append(f"{at}区县名称“{name}”{problem}")
        seen.add(code)
        rows.append(CountyRow(code, name))
    if problems:
        raise UserError(problems=[Problem(p) for p in problems])
    if not rows:
        raise UserError(f"{table.name}：没有任何区县")
    return rows


ONE_COUNTY = "区县"          # one county typed into its fields: no line to point at


def county_typed(code: str, name: str) -> CountyRow:
    """One county typed into its two fields; problems told without a line number."""
    return counties_from(UploadedTable(ONE_COUNTY, ["code", "name"], [[code.strip(), name.strip()]], [1]))[0]


def counties_typed(text: str) -> list[CountyRow]:
    """Lines of "code,name" typed into a form (a Chinese comma works too), checked like a file; line
    numbers count the typed lines."""
    numbered = [(number, line.replace("，", ",").split(",", 1))
                for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    return counties_from(UploadedTable("输入的区县", ["code", "name"],
                                       [[cell.strip() for cell in cells] + [""] * (2 - len(cells))
                                        for _, cells in numbered], [number for number, _ in numbered]))


def county_names(path: Path) -> dict[str, str]:
    """code -> name from a county list file (code,name; CSV or .xlsx)."""
    return {row.code: row.name for row in counties_from(read_upload(path.name, path.read_bytes()))}
