"""Read a list of counties (code, name) as evaluators prepare it."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from survey_app.errors import UserError

COUNTY_CODE = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class CountyRow:
    code: str
    name: str


def read_counties_csv(text: str, source: str = "区县文件") -> list[CountyRow]:
    """Rows of `code,name` (6-digit administrative code, Chinese name)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"code", "name"} - set(reader.fieldnames or [])
    if missing:
        raise UserError(f"{source}：缺少列 {'、'.join(sorted(missing))}（应为 code,name）")
    rows, seen = [], set()
    for line, row in enumerate(reader, start=2):
        code, name = (row["code"] or "").strip(), (row["name"] or "").strip()
        if not COUNTY_CODE.match(code):
            raise UserError(f"{source} 第 {line} 行：区县代码“{code}”应为 6 位数字")
        if not name:
            raise UserError(f"{source} 第 {line} 行：缺少区县名称")
        if code in seen:
            raise UserError(f"{source} 第 {line} 行：区县代码 {code} 重复")
        seen.add(code)
        rows.append(CountyRow(code, name))
    if not rows:
        raise UserError(f"{source}：没有任何区县")
    return rows
