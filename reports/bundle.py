"""Every document of a set of results, as {relative path: bytes} with the manifest that lists them:
reports per county and for the city (PDF, Word), the workbook, the tables as CSV, the cleaned responses
(SPSS, CSV, Excel), the charts. Names made from county names and codes go through safe_file_name."""
from __future__ import annotations

import contextlib
import dataclasses
import io
import multiprocessing
import zipfile
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

import pandas as pd

from reports import charts, datafiles, documents, method, tables, workbook
from reports.filenames import safe_file_name
from reports.manifest import Manifest
from reports.typst_render import Typesetter

FORMATS = ("pdf", "docx", "xlsx", "sav", "csv")
# Responses above this go to CSV and SPSS only: a sheet holds 1,048,576 rows at most, and one of
# hundreds of thousands takes minutes to write and to open.
EXCEL_ROWS = 200_000


def _stem(ctx: documents.Context, code: str) -> str:
    return safe_file_name(f"{code}_{ctx.name(code)}") if code != "ALL" else "全市"


def _county(code: str) -> str | None:
    return None if code == "ALL" else code


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


@dataclass
class Documents:
    files: dict[str, bytes] = field(default_factory=dict)      # relative path -> content
    manifest: Manifest = field(default_factory=Manifest)

    def add(self, path: str, data: bytes, kind: str, title: str, county: str | None = None,
            shared: bool = False) -> None:
        self.manifest.add(path, kind, title, county, shared)
        self.files[path] = data

    def include(self, other: Documents) -> None:
        for entry in other.manifest.entries:
            self.add(entry.path, other.files[entry.path], entry.kind, entry.title, entry.county, entry.shared)


def page_charts(ctx: documents.Context) -> Documents:
    """The charts the results pages show (the ranking, importance-performance, each county's items),
    drawn before the documents."""
    out = Documents()
    out.add("图表/各区县排名.png", documents.ranking_png(ctx, None), "ranking", "各区县排名图")
    out.add("图表/重要性表现.png", documents.ipa_png(ctx), "drivers", "重要性—表现图", shared=True)
    for code in [*ctx.counties, "ALL"]:
        out.add(f"图表/{_stem(ctx, code)}_各题得分.png", documents.items_png(ctx, code), "items",
                f"{ctx.name(code)}各题得分图", _county(code))
    return out


def _reports(ctx: documents.Context, out: Documents, kind: str, label: str, render, progress) -> None:
    """Each county's report, the city's and its public version in one format, and a ZIP of the counties'."""
    counties = {}
    for code in [*ctx.counties, "ALL"]:
        progress(f"{label} 报告：{ctx.name(code)}")
        name = f"{_stem(ctx, code)}_报告.{kind}"
        data = render(ctx, code, False)
        out.add(f"报告/{name}", data, "report", f"{ctx.name(code)}报告（{label}）", _county(code))
        if code != "ALL":
            counties[name] = data
    out.add(f"报告/全市_报告_公开版.{kind}", render(ctx, "ALL", True), "public", f"全市报告公开版（{label}）",
            shared=True)          # published: every reader may have it
    out.add(f"报告/各区县报告_{label}.zip", _zip(counties), "reports", f"全部区县报告（{label}，ZIP）")


def documents_for(ctx: documents.Context, responses: pd.DataFrame | None, formats: Iterable[str] = FORMATS,
                  progress: Callable[[str], None] = lambda message: None, drawn: Documents | None = None,
                  helper: ProcessPoolExecutor | None = None) -> Documents:
    """Every document in `formats`; `drawn`: the page charts, when they were drawn already.

    Drawing the reports' charts is the longest step: when there are data files to write too, a second
    process draws most of them meanwhile, on the machine's second core (`helper`: one started early,
    see second_process; else one is started here)."""
    formats = [f for f in FORMATS if f in set(formats)]
    data_files = responses is not None and bool({"sav", "csv", "xlsx"} & set(formats))
    out = Documents()
    aside = ASIDE if {"pdf", "docx"} & set(formats) and data_files else slice(0)
    with _charts_drawn_aside(ctx, aside, helper) as charts_drawn:
        data = _data_files(ctx, responses, formats, progress) if data_files else Documents()
        documents.draw_charts(ctx, slice(aside.stop, None))
        ctx._charts.update(charts_drawn())
        with Typesetter() as typesetter:
            for kind, render, label in (("pdf", lambda c, code, public: documents.pdf(c, code, typesetter, public), "PDF"),
                                        ("docx", documents.docx, "Word")):
                if kind in formats:
                    _reports(ctx, out, kind, label, render, progress)
    q = ctx.questionnaire
    if "pdf" in formats:
        table = ctx.results.county_results
        ranking = charts.ranking([ctx.name(c) for c in ctx.counties], table["index"][:-1], table["ci_low"][:-1],
                                 table["ci_high"][:-1], float(table["index"][-1]), source=ctx.title,
                                 n=int(table["n"][-1]))
        out.add("图表/各区县排名.pdf", charts.render(ranking, "pdf"), "ranking", "各区县排名图（PDF）")
        out.include(drawn or page_charts(ctx))
    if "xlsx" in formats:
        progress("Excel 工作簿")
        out.add("结果.xlsx", workbook.write(ctx.results, q, ctx.names, method.notes(ctx.results.record, q, names=ctx.names)),
                "workbook", "Excel 工作簿（全部表格和方法说明）")
    if "csv" in formats:
        for name, attribute in tables.TABLES.items():
            out.add(f"表格/{name}", tables.csv_bytes(tables.table_of(ctx.results, attribute), ctx.names), "table",
                    tables.TITLES[name])
        out.add("表格/settings.json", tables.record_json(ctx.results.record).encode(), "table",
                tables.TITLES["settings.json"])
    out.include(data)
    return out


# The share of the reports' charts (documents.draw_charts) a second process draws while this one writes
# the data files (at 54,340 responses: each chart 0.25 s, the data files 3 s, the process 1-2 s to start).
ASIDE = slice(18)


def _ready() -> None:
    """Nothing: sent to a second process to start it (it imports this module, and so all it needs)."""


@contextlib.contextmanager
def second_process():
    """A process to draw charts for documents_for (`helper`), started now, so that it has imported what
    it needs by the time the figures are there; None if it cannot be started."""
    try:
        pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        pool.submit(_ready)
    except (OSError, RuntimeError):
        yield None
        return
    try:
        yield pool
    finally:
        pool.shutdown(cancel_futures=True)


@contextlib.contextmanager
def _charts_drawn_aside(ctx: documents.Context, aside: slice, helper: ProcessPoolExecutor | None):
    """Yields a function that returns the charts in `aside` (documents.draw_charts) drawn by a second
    process (`helper`, or one started here): {} if there are none, or if that process cannot be started
    or dies (they are then drawn here when needed)."""
    if aside.stop == 0:
        yield dict
        return
    with contextlib.ExitStack() as stack:
        pool = helper or stack.enter_context(second_process())
        if pool is None:
            yield dict
            return
        try:
            future = pool.submit(documents.draw_charts, dataclasses.replace(ctx, _charts=dict(ctx._charts)), aside)
        except BrokenProcessPool:
            yield dict
            return

        def drawn() -> dict[str, bytes]:
            try:
                return future.result()
            except BrokenProcessPool:        # it died (memory, say): its charts are drawn here instead
                return {}
        yield drawn


def _data_files(ctx: documents.Context, responses: pd.DataFrame, formats: list[str], progress) -> Documents:
    """The responses the analysis used, with their weights, as SPSS, CSV and Excel files."""
    out, q = Documents(), ctx.questionnaire
    progress("加权后的答卷数据")
    frame = datafiles.cleaned(responses, ctx.results, q, ctx.names)
    if "sav" in formats:
        out.add("数据/答卷_加权.sav", datafiles.sav_bytes(frame, q), "data", "SPSS")
    if "csv" in formats:
        out.add("数据/答卷_加权.csv", datafiles.csv_bytes(frame, q), "data", "CSV")
    if "xlsx" in formats and len(frame) < EXCEL_ROWS:
        out.add("数据/答卷_加权.xlsx", datafiles.xlsx_bytes(frame, q), "data", "Excel")
    elif "xlsx" in formats:
        out.add("数据/答卷_加权_Excel说明.txt",
                (f"答卷共 {len(frame):,} 份，超过 {EXCEL_ROWS:,} 份时不生成 Excel 文件"
                 "（写出和打开都很慢），请使用同一目录中的 CSV 或 SPSS 文件。\n").encode(), "data", "Excel 说明")
    return out
