"""Read a list of counties (code, name) as evaluators prepare it."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from reports.filenames import refusal
from survey_app.errors import UserError
from survey_app.io.uploads import UploadedTable, read_upload

COUNTY_CODE = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class CountyRow:
    code: str
    name: str


def counties_from(table: UploadedTable) -> list[CountyRow]:
    """Rows of `code,name` (6-digit administrative code, Chinese name)."""
    if not {"code", "name"} <= set(table.header):
        missing = {"code", "name"} - set(table.header)
        raise UserError(f"{table.name}：缺少列 {'、'.join(sorted(missing))}（应为 code,name）")
    rows, seen = [], set()
    for line, (code, name) in enumerate(zip(table.column("code"), table.column("name")), start=2):
        if not COUNTY_CODE.match(code):
            raise UserError(f"{table.name} 第 {line} 行：区县代码“{code}”应为 6 位数字")
        if not name:
            raise UserError(f"{table.name} 第 {line} 行：缺少区县名称")
        if problem := refusal(name):
            raise UserError(f"{table.name} 第 {line} 行：区县名称“{name}”{problem}")
        if code in seen:
            raise UserError(f"{table.name} 第 {line} 行：区县代码 {code} 重复")
        seen.add(code)
        rows.append(CountyRow(code, name))
    if not rows:
        raise UserError(f"{table.name}：没有任何区县")
    return rows


def counties_typed(text: str) -> list[CountyRow]:
    """Lines of "code,name" typed into a form (a Chinese comma works too), checked like a file."""
    lines = [line.replace("，", ",").split(",", 1) for line in text.splitlines() if line.strip()]
    return counties_from(UploadedTable("输入的区县", ["code", "name"],
                                       [[cell.strip() for cell in line] + [""] * (2 - len(line)) for line in lines]))


def county_names(path: Path) -> dict[str, str]:
    """code -> name from a county list file (code,name; CSV or .xlsx)."""
    return {row.code: row.name for row in counties_from(read_upload(path.name, path.read_bytes()))}
