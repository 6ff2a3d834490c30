"""A report as its renderers (Typst PDF, Word) take it: what the cover says and the sections.

A section is (heading, [blocks]); a block is ("p", text), ("img", png bytes, width cm) or
("table", header, rows[, options]), options: "widths" (relative, per column), "size" (font pt),
"min_height" (mm, rows left empty to be written in)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Report:
    title: str                      # 翠屏区教育群众满意度调查报告
    subtitle: str                   # the campaign's name
    issuer: str                     # the organiser, the document's author
    sections: list
    cover: tuple[tuple[str, str], ...] = ()     # (label, value) rows under the title: 编制单位, 报告编号, 日期
    running: str = ""               # the page header's text
    mark: str = ""                  # e.g. 模拟数据 on every page of the demo's reports
    edition: str = ""               # e.g. 公开版
    toc: bool = False
