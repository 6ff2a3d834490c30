"""Every document of a set of results, as {relative path: bytes}: reports per county and for the city
(PDF, Word), the workbook, the tables as CSV, the cleaned responses (SPSS, CSV, Excel), the charts."""
from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable

import pandas as pd

from reports import (
    charts,
    datafiles,
    documents,
    fonts,
    method,
    pdf_render,
    tables,
    workbook,
)

FORMATS = ("pdf", "docx", "xlsx", "sav", "csv")
# Responses above this go to CSV and SPSS only: a sheet holds 1,048,576 rows at most, and one of
# hundreds of thousands takes minutes to write and to open.
EXCEL_ROWS = 200_000


def _stem(ctx: documents.Context, code: str) -> str:
    return f"{code}_{ctx.name(code)}" if code != "ALL" else "全市"


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def documents_for(ctx: documents.Context, responses: pd.DataFrame | None, formats: Iterable[str] = FORMATS,
                  progress: Callable[[str], None] = lambda message: None) -> dict[str, bytes]:
    formats = [f for f in FORMATS if f in set(formats)]
    files: dict[str, bytes] = {}
    q = ctx.questionnaire
    codes = [*ctx.counties, "ALL"]
    font = fonts.font_for(*(pdf_render.texts(*documents.parts(ctx, code)) for code in codes)) \
        if "pdf" in formats else None
    for kind, render, label in (("pdf", lambda c, code: documents.pdf(c, code, font), "PDF"),
                                ("docx", documents.docx, "Word")):
        if kind not in formats:
            continue
        reports = {}
        for code in codes:
            progress(f"{label} 报告：{ctx.name(code)}")
            reports[f"{_stem(ctx, code)}_报告.{kind}"] = render(ctx, code)
        files |= {f"报告/{name}": data for name, data in reports.items()}
        files[f"报告/各区县报告_{label}.zip"] = _zip({k: v for k, v in reports.items() if not k.startswith("全市")})
    if "pdf" in formats:
        table = ctx.results.county_results
        ranking = charts.ranking([ctx.name(c) for c in ctx.counties], table["index"][:-1], table["ci_low"][:-1],
                                 table["ci_high"][:-1], float(table["index"][-1]), source=ctx.title,
                                 n=int(table["n"][-1]))
        files["图表/各区县排名.pdf"] = charts.render(ranking, "pdf")
        files["图表/各区县排名.png"] = documents.ranking_png(ctx, None)
        files["图表/重要性表现.png"] = documents.ipa_png(ctx)
        for code in [*ctx.counties, "ALL"]:
            files[f"图表/{_stem(ctx, code)}_各题得分.png"] = documents.items_png(ctx, code)
    if "xlsx" in formats:
        progress("Excel 工作簿")
        files["结果.xlsx"] = workbook.write(ctx.results, q, ctx.names, method.notes(ctx.results.record, q))
    if "csv" in formats:
        for name, attribute in tables.TABLES.items():
            files[f"表格/{name}"] = tables.csv_bytes(getattr(ctx.results, attribute), ctx.names)
        files["表格/settings.json"] = tables.record_json(ctx.results.record).encode()
    if responses is not None and {"sav", "csv", "xlsx"} & set(formats):
        progress("加权后的答卷数据")
        frame = datafiles.cleaned(responses, ctx.results, q, ctx.names)
        if "sav" in formats:
            files["数据/答卷_加权.sav"] = datafiles.sav_bytes(frame, q)
        if "csv" in formats:
            files["数据/答卷_加权.csv"] = datafiles.csv_bytes(frame)
        if "xlsx" in formats and len(frame) < EXCEL_ROWS:
            files["数据/答卷_加权.xlsx"] = datafiles.xlsx_bytes(frame, q)
        elif "xlsx" in formats:
            files["数据/答卷_加权_Excel说明.txt"] = (f"答卷共 {len(frame):,} 份，超过 {EXCEL_ROWS:,} 份时不生成 Excel 文件"
                                                 "（写出和打开都很慢），请使用同一目录中的 CSV 或 SPSS 文件。\n").encode()
    return files
