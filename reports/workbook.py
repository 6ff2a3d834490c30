"""The results as one Excel workbook: every table on its own sheet, numbers as numbers with formats
(counts with thousands separators), Chinese headers, county names beside county codes and topics beside
item codes, attributes by their questions, frozen header rows, and a sheet that explains the method.
Every sheet prints on A4 one page wide (landscape when wide), its header row repeated on each page and
page numbers in the footer.

Text is always written as text (never as a formula), so a cell such as "=1+1" stays inert.
"""
from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import xlsxwriter

from analysis.job import Results
from analysis.quality import RULES
from analysis.table import Table
from questionnaires import Questionnaire
from reports import sheetdata
from reports.labels import ALL, column
from reports.tables import FILL_IN, table_of, xlsx_text

# Number format per column; anything not listed is text or a whole number.
# A p-value as the reports print it: below 0.001 as <0.001 (Excel and Calc both read the condition).
P_VALUE = '[<0.001]"<0.001";0.000'
FORMATS = {
    "index": "0.0", "mean": "0.0", "ci_low": "0.0", "ci_high": "0.0", "se": "0.00", "se_diff": "0.00",
    "diff_vs_all": "+0.0;-0.0;0.0", "difference": "+0.0;-0.0;0.0", "se_difference": "0.00", "deff": "0.00",
    "n_effective": "#,##0", "n_effective_kish": "#,##0", "df": "0", "p_vs_all": P_VALUE, "p_value": P_VALUE, "p_adjusted": P_VALUE, "mean_all": "0.0",
    "severity": "0.0", "share_satisfied": "0.0%", "share_dissatisfied": "0.0%", "share_satisfied_se": "0.0%",
    "share_dissatisfied_se": "0.0%", "share_satisfied_ci_low": "0.0%", "share_satisfied_ci_high": "0.0%",
    "share_dissatisfied_ci_low": "0.0%", "share_dissatisfied_ci_high": "0.0%", "sample_share": "0.0%", "population_share": "0.0%", "alpha": "0.000",
    "importance": "0.000", "performance": "0.0", "index_shrunk": "0.0", "se_shrunk": "0.00", "shrinkage": "0.00",
    "weight": "0.000", "difference_ci_low": "+0.0;-0.0;0.0", "difference_ci_high": "+0.0;-0.0;0.0",
    "diff_ci_low": "+0.0;-0.0;0.0", "diff_ci_high": "+0.0;-0.0;0.0", "share": "0.0%",
}
FILL_WIDTH = 36   # the columns a county fills in (tables.FILL_IN): room to write
# Counts of responses, clusters and flags: whole numbers with thousands separators.
COUNT = "#,##0"
FORMATS |= {name: COUNT for name in ("n", "psu", "received", "excluded", "used", "n_complete", "burst", *RULES)}
LINE = 15               # points: the height of one line of text
HEADER_WIDTH = 14       # characters; a longer header wraps onto more lines
PORTRAIT_WIDTH = 95     # column widths (characters) that fit across an A4 page upright; wider prints landscape
A4 = 9


class _Book:
    def __init__(self):
        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(self.buffer, {"in_memory": True, "strings_to_formulas": False,
                                                      "strings_to_urls": False, "nan_inf_to_errors": False})
        self.header = self.book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#EEF2F6",
                                            "border": 1})
        self.wrap = self.book.add_format({"text_wrap": True, "valign": "top"})
        self.formats: dict[str, object] = {}
        self.filled: list[tuple] = []     # text_sheet's: sheet number, columns, wrapped or not, row heights

    def number_format(self, pattern: str | None):
        if pattern is None:
            return None
        if pattern not in self.formats:
            self.formats[pattern] = self.book.add_format({"num_format": pattern})
        return self.formats[pattern]

    def sheet(self, title: str, columns: list[str], rows: list[list], names: list[str] | None = None,
              freeze_columns: int = 2, patterns: list[str | None] | None = None) -> None:
        """One table: `columns` are field names (headers from reports.labels unless `names` given;
        number formats from FORMATS unless `patterns` gives one per column)."""
        sheet = self.book.add_worksheet(title)
        headers = names or [column(c) for c in columns]
        patterns = patterns if patterns is not None else [FORMATS.get(c) for c in columns]
        sheet.write_row(0, 0, headers, self.header)
        widths = [max(8, min(HEADER_WIDTH, len(h) * 2 + 2)) for h in headers]     # long headers wrap
        longest = [0] * len(headers)
        for row in rows:
            for c, value in enumerate(row):
                if isinstance(value, str):
                    longest[c] = max(longest[c], len(value) * 2 + 2)
        wrapped = [n > 60 for n in longest]          # long text wraps within a column 60 wide
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                self._cell(sheet, r, c, value, patterns[c] if c < len(patterns) else None, any(wrapped))
            if any(wrapped):                          # not every program fits a wrapped row's height
                sheet.set_row(r, LINE * max(_lines(str(v), 60) for v, w in zip(row, wrapped) if w and v is not None))
        for c, width in enumerate(widths):
            widths[c] = max(width, min(60, longest[c]))
            sheet.set_column(c, c, widths[c], self.number_format(patterns[c]) if c < len(patterns) else None)
        sheet.set_row(0, LINE * max((_lines(h, w) for h, w in zip(headers, widths)), default=1))
        sheet.freeze_panes(1, freeze_columns)
        sheet.autofilter(0, 0, max(len(rows), 1), len(headers) - 1)
        self._print_setup(sheet, sum(widths))

    @staticmethod
    def _print_setup(sheet, width: int) -> None:
        """A4, one page wide (as many pages down as it takes), the header row on every page."""
        sheet.set_paper(A4)
        if width > PORTRAIT_WIDTH:
            sheet.set_landscape()
        else:
            sheet.set_portrait()
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(0)
        sheet.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
        sheet.set_header("&C&A")
        sheet.set_footer("&C第 &P 页，共 &N 页")

    def _cell(self, sheet, r: int, c: int, value, pattern: str | None, wrap: bool = False) -> None:
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            sheet.write_blank(r, c, None)
        elif isinstance(value, (bool, np.bool_)):
            sheet.write_number(r, c, int(value))
        elif isinstance(value, (int, float, np.integer, np.floating)):
            sheet.write_number(r, c, float(value), self.number_format(pattern))
        else:
            sheet.write_string(r, c, xlsx_text(str(value)), self.wrap if wrap else None)

    def text_sheet(self, title: str, headers: list[str], texts: list[list[str]], widths: list[int]):
        """A sheet of many rows of text (residents' comments: 80,000 at a million responses, 12 s cell by
        cell): XlsxWriter writes its header and settings, `fill` its rows once the book is closed."""
        sheet = self.book.add_worksheet(title)
        sheet.write_row(0, 0, headers, self.header)
        for c, width in enumerate(widths):
            sheet.set_column(c, c, width, self.wrap if width > HEADER_WIDTH * 2 else None)
        sheet.freeze_panes(1, 2)
        sheet.autofilter(0, 0, max(len(texts[0]), 1), len(headers) - 1)
        self._print_setup(sheet, sum(widths))
        wrapped = [width > HEADER_WIDTH * 2 for width in widths]
        lines = np.ones(len(texts[0]), dtype=int)          # a row as high as its most wrapped cell (a Chinese
        for values, width, wrap in zip(texts, widths, wrapped):      # character is two columns wide)
            if wrap:
                lines = np.maximum(lines, np.ceil(pd.Series(values, dtype=object).str.len().to_numpy() * 2 / (width - 1)))
        self.filled.append((len(self.book.worksheets()), texts, wrapped, (LINE * lines).astype(int)))

    def close(self) -> bytes:
        self.book.close()
        data = self.buffer.getvalue()
        for sheet, texts, wrapped, heights in self.filled:
            columns = []
            for values, wrap in zip(texts, wrapped):
                codes, distinct = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
                columns.append(sheetdata.Column(codes, list(distinct), self.wrap.xf_index if wrap else None))
            data = sheetdata.fill(data, sheet, columns, first_row=1, heights=heights)
        return data


def _lines(text: str, width: float) -> int:
    """Lines `text` takes when wrapped in a column `width` characters wide (a Chinese character is two)."""
    return max(1, math.ceil(sum(2 if ord(ch) > 0x2E7F else 1.2 for ch in text) / (width - 1)))


def _name(names: dict[str, str], code: str) -> str:
    return ALL if code == "ALL" else names.get(code, "")


def _rows(table: Table, columns: list[str], names: dict[str, str],
          questionnaire: Questionnaire | None = None) -> tuple[list[str], list[list]]:
    """The table's columns as a reader wants them: the county name after the county code, the topic
    after an item code (unless the table has one), an attribute by its question, and a category by
    its label only (the option ids stay in the CSV tables)."""
    questions = {a.id: a.question for a in questionnaire.attributes} if questionnaire else {}
    topics = {i.id: i.topic for i in questionnaire.items} if questionnaire else {}
    if "label" in columns and questionnaire:
        columns = [c for c in columns if c != "category"]
    extra = {"county": ("county_name", lambda v: _name(names, v))}
    if topics and "topic" not in columns:
        extra["item"] = ("topic", lambda v: topics.get(v, ""))
    rows = []
    for i in range(table.n_rows):
        row = []
        for name in columns:
            value = table[name][i]
            value = value.item() if isinstance(value, np.generic) else value
            row.append(questions.get(value, value) if name == "attribute" else value)
            if name in extra:
                row.append(extra[name][1](str(value)))
        rows.append(row)
    header = [c for name in columns for c in ((name, extra[name][0]) if name in extra else (name,))]
    return header, rows


def _matrix(results: Results, field: str, questionnaire: Questionnaire, names: dict[str, str]):
    """Counties x items of one item field (mean or a share)."""
    items = results.item_results
    k = len(questionnaire.items)
    values = np.asarray(items[field], dtype=float).reshape(-1, k)
    counties = list(items["county"][::k])
    header = ["county", "county_name", *questionnaire.item_ids]
    titles = [column("county"), column("county_name"), *(f"{i.id} {i.topic}" for i in questionnaire.items)]
    rows = [[c, _name(names, c), *map(float, v)] for c, v in zip(counties, values)]
    return header, rows, titles


def _tiers(results: Results, questionnaire: Questionnaire, names: dict[str, str]):
    """Counties x items: each cell the item's tier on the county's problem list, or empty."""
    problems = results.problems
    tier = {(str(c), str(i)): str(t) for c, i, t in zip(problems["county"], problems["item"], problems["tier"])}
    counties = [str(c) for c in results.county_results["county"][:-1]]
    titles = [column("county"), column("county_name"), *(f"{i.id} {i.topic}" for i in questionnaire.items)]
    rows = [[c, _name(names, c), *(tier.get((c, i), "") for i in questionnaire.item_ids)] for c in counties]
    return ["county", "county_name", *questionnaire.item_ids], rows, titles


def _distribution(results: Results, questionnaire: Questionnaire, names: dict[str, str]):
    """One row per county (and ALL) and item: answers, then each answer's weighted share and count."""
    d = results.distribution
    points = questionnaire.scale.points
    m = len(points)
    header = ["county", "county_name", "item", "topic", "n_scored", "n_responses", *(["share"] * m), *(["n"] * m)]
    titles = [column("county"), column("county_name"), column("item"), column("topic"), column("n_scored"),
              column("n_responses"),
              *(f"{p.label}（%）" for p in points), *(f"{p.label}（人数）" for p in points)]
    rows = []
    for r in range(0, d.n_rows, m):
        code = str(d["county"][r])
        rows.append([code, _name(names, code), str(d["item"][r]), str(d["topic"][r]), int(d["n_scored"][r]),
                     int(d["n_responses"][r]),
                     *map(float, d["share"][r:r + m]), *map(int, d["n"][r:r + m])])
    return header, rows, titles


def _comments(book: _Book, results: Results, names: dict[str, str]) -> None:
    """Every comment that says something, county by county, personal details masked."""
    c = results.comments.comments
    counties = [str(county) for county in c["county"]]
    book.text_sheet("意见建议", [column("county"), column("county_name"), "回执编号", "意见建议（个人信息已隐去）", "涉及主题"],
                    [counties, [_name(names, county) for county in counties], [str(r) for r in c["response_id"]],
                     [str(t) for t in c["text"]], [str(t) for t in c["themes"]]], [10, 10, 16, 60, 20])


def rows_xlsx(title: str, header: list[str], rows: list[list], patterns: list[str | None] = (),
              freeze_columns: int = 1) -> bytes:
    """Rows under a header as a one-sheet workbook, text always as text (never a formula): the one
    writer of the lists the workspace hands out. `patterns`: number formats, column by column."""
    book = _Book()
    book.sheet(title, list(header), rows, names=list(header), freeze_columns=freeze_columns, patterns=list(patterns))
    return book.close()


def write(results: Results, questionnaire: Questionnaire, names: dict[str, str], method: list[tuple[str, str]]) -> bytes:
    """The workbook's bytes. `method` holds (topic, text) rows for the method sheet."""
    book = _Book()
    county_columns = [c for c in results.county_results if c not in ("se_diff",)]
    book.sheet("区县结果", *_rows(results.county_results, county_columns, names))
    for title, field in (("题目得分", "mean"), ("满意率", "share_satisfied"), ("不满意率", "share_dissatisfied")):
        header, rows, titles = _matrix(results, field, questionnaire, names)
        book.sheet(title, header[:2] + [field] * (len(header) - 2), rows, names=titles)
    book.sheet("题目明细", *_rows(results.item_results, list(results.item_results), names, questionnaire))
    book.sheet("分组结果", *_rows(results.breakdowns, list(results.breakdowns), names, questionnaire))
    book.sheet("样本构成", *_rows(results.composition, list(results.composition), names, questionnaire))
    problems = table_of(results, "problems")
    header, rows = _rows(problems, list(problems), names, questionnaire)
    book.sheet("问题清单", header, rows)
    for name in FILL_IN["problems"][1]:     # wide enough to write in
        book.book.get_worksheet_by_name("问题清单").set_column(header.index(name), header.index(name), FILL_WIDTH)
    header, rows, titles = _tiers(results, questionnaire, names)
    book.sheet("问题一览", header, rows, names=titles)
    header, rows, titles = _distribution(results, questionnaire, names)
    book.sheet("答案分布", header, rows, names=titles, freeze_columns=4)
    if results.comments is not None:
        _comments(book, results, names)
    book.sheet("质量", *_rows(results.quality, list(results.quality), names))
    if len(results.bursts["channel"]):
        book.sheet("集中提交的渠道", *_rows(results.bursts, list(results.bursts), names))
    book.sheet("信度", *_rows(results.reliability, list(results.reliability), names))
    book.sheet("重要性—表现", *_rows(results.drivers, list(results.drivers), names, questionnaire), freeze_columns=2)
    book.sheet("方法说明", ["topic", "text"], [list(row) for row in method], names=["项目", "说明"], freeze_columns=1)
    return book.close()
