"""Reports, charts and data files, reopened: PDF text, Word paragraphs and tables, SPSS labels and weights."""
import dataclasses
import io
import pathlib
import shutil
import subprocess
import zipfile

import docx
import pandas as pd
import pyreadstat
import pytest

from reports import bundle, charts, datafiles, documents, manifest

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout


@needs_poppler
def test_a_county_report_pdf_names_the_county_and_its_figures(context, tmp_path):
    text = pdf_text(documents.pdf(context, "511502"), tmp_path)
    row = context.row("511502")
    assert "翠屏区教育群众满意度调查报告" in text and f"满意度指数为 {row['index']:.1f}" in text
    assert f"{row['ci_low']:.1f}–{row['ci_high']:.1f}" in text and "问题清单" in text and "方法说明" in text


@needs_poppler
def test_the_city_report_pdf_ranks_every_county(context, tmp_path):
    text = pdf_text(documents.pdf(context, "ALL"), tmp_path)
    for code, name in context.names.items():
        assert name in text
        assert f"{context.row(code)['index']:.1f}" in text


def test_the_word_report_holds_the_summary_and_tables(context):
    document = docx.Document(io.BytesIO(documents.docx(context, "511503")))
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    assert documents.summary(context, "511503") in paragraphs and "方法说明" in paragraphs
    item_table = next(t for t in document.tables if t.rows[0].cells[0].text == "题目")
    first = item_table.rows[1].cells
    assert first[0].text == "q01 学前教育" and first[1].text == f"{context.items('511503')['mean'][0]:.1f}"
    assert len(document.inline_shapes) == 3                       # ranking, items, importance-performance


def test_the_summary_says_whether_a_difference_is_real(context):
    text = documents.summary(context, "511503")
    row = context.row("511503")
    assert ("差异在统计上显著" in text) == (row["p_vs_all"] < 0.05)
    assert f"排第 {int(row['rank'])} 名" in text


@needs_poppler
def test_a_chart_pdf_embeds_the_chinese_font_and_its_text_can_be_copied(context, tmp_path):
    table = context.results.county_results
    figure = charts.ranking(["翠屏区", "南溪区"], table["index"][:2], table["ci_low"][:2], table["ci_high"][:2],
                            80.0, source="测试")
    path = tmp_path / "chart.pdf"
    path.write_bytes(charts.render(figure, "pdf"))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "NotoSansSC" in fonts and "yes yes yes" in fonts.split("NotoSansSC")[1].splitlines()[0]
    assert "翠屏区" in pdf_text(path.read_bytes(), tmp_path) and "满意度指数" in pdf_text(path.read_bytes(), tmp_path)


def test_the_spss_file_reads_back_with_chinese_labels_and_weights(context, reference, questionnaire, tmp_path):
    frame = datafiles.cleaned(reference.responses, context.results, questionnaire, context.names)
    path = tmp_path / "data.sav"
    path.write_bytes(datafiles.sav_bytes(frame, questionnaire))
    data, meta = pyreadstat.read_sav(str(path))
    assert len(data) == context.results.weights.n_rows
    assert data["weight"].sum() == pytest.approx(float(context.results.weights["weight"].sum()))
    labels = dict(zip(meta.column_names, meta.column_labels))
    assert labels["q01"].startswith("q01 孩子能就近上幼儿园") and labels["weight"].startswith("最终权重")
    assert meta.variable_value_labels["q01"][5.0] == "非常满意"
    assert meta.variable_value_labels["respondent_type"][1.0] == "家长"


def test_csv_cells_that_look_like_formulas_are_neutralised(context, reference, questionnaire):
    files = bundle.documents_for(context, reference.responses.assign(channel="=cmd|' /C calc'!A0"), ["csv"]).files
    county = pd.read_csv(io.BytesIO(files["表格/county_results.csv"]), encoding="utf-8-sig", dtype=str)
    assert "'=HYPERLINK(1)" in set(county["county_name"])
    cleaned = pd.read_csv(io.BytesIO(files["数据/答卷_加权.csv"]), encoding="utf-8-sig", dtype=str)
    assert set(cleaned["channel"]) == {"'=cmd|' /C calc'!A0"}


def test_a_county_report_says_nothing_of_other_counties_in_its_notices(context):
    def text(code):
        return "\n".join(p.text for p in docx.Document(io.BytesIO(documents.docx(context, code))).paragraphs)
    county, city = text("511523"), text("ALL")
    assert "511523（有效样本量" in county and "511525（有效样本量" not in county and "511529" not in county
    assert "511523（有效样本量" in city and "511525（有效样本量" in city


def test_a_county_name_cannot_steer_where_a_file_or_zip_entry_goes(context):
    escaping = dataclasses.replace(context, names={**context.names, "511502": "/../../../../../x"}, _charts={})
    out = bundle.documents_for(escaping, None, ["pdf", "docx"])
    names = [*out.files]
    for name in ("报告/各区县报告_PDF.zip", "报告/各区县报告_Word.zip"):
        names += zipfile.ZipFile(io.BytesIO(out.files[name])).namelist()
    assert "报告/511502__.._.._.._.._.._x_报告.pdf" in out.files and "511502__.._.._.._.._.._x_报告.docx" in names
    for name in names:
        parts = pathlib.PurePosixPath(name).parts
        assert ".." not in parts and not name.startswith("/") and "\\" not in name, name
        assert len(parts) <= 2 and not parts[-1].startswith(".")


def test_the_manifest_lists_every_file_with_its_county(context):
    out = bundle.documents_for(context, None, ["docx", "xlsx"])
    assert sorted(e.path for e in out.manifest.entries) == sorted(out.files)
    report = out.manifest.find("report", "511503", "docx")
    assert report.path == "报告/511503_南溪区_报告.docx" and out.manifest.get(report.id) == report
    assert out.manifest.find("report", None, "docx").path == "报告/全市_报告.docx"
    limited = out.manifest.readable(["511503"])
    assert [e.path for e in limited.entries] == ["报告/511503_南溪区_报告.docx"]
    assert manifest.Manifest.from_json(out.manifest.to_json()) == out.manifest
