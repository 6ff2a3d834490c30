"""Reports, charts and data files, reopened: PDF text, Word paragraphs and tables, SPSS labels and weights."""
import dataclasses
import io
import pathlib
import shutil
import subprocess
import zipfile

import docx
import numpy as np
import pandas as pd
import pyreadstat
import pytest

from reports import bundle, charts, datafiles, documents, fonts, manifest

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
    assert f"{row['ci_low']:.1f}–{row['ci_high']:.1f}" in text and "问题清单" in text and "方法与技术说明" in text


@needs_poppler
def test_the_city_report_pdf_ranks_every_county(context, tmp_path):
    text = pdf_text(documents.pdf(context, "ALL"), tmp_path)
    for code, name in context.names.items():
        assert name in text
        assert f"{context.row(code)['index']:.1f}" in text


def test_the_word_report_holds_the_summary_and_tables(context):
    document = docx.Document(io.BytesIO(documents.docx(context, "511503")))
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    assert documents.summary(context, "511503") in paragraphs and documents.APPENDIX in paragraphs
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
    names = context.names
    assert f"{names['511523']}（有效样本量" in county and "511525" not in county and names["511525"] not in county
    assert "511529" not in county and names["511529"] not in county
    assert f"{names['511523']}（有效样本量" in city and f"{names['511525']}（有效样本量" in city


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
    limited = out.manifest.readable(["511503"])           # its own report and the published city report
    assert [e.path for e in limited.entries] == ["报告/511503_南溪区_报告.docx", "报告/全市_报告_公开版.docx"]
    assert manifest.Manifest.from_json(out.manifest.to_json()) == out.manifest


def _table(document, first: str, column: int = 0):
    """The Word table whose header row has `first` in its `column`."""
    return next(t for t in document.tables if len(t.columns) > column and t.rows[0].cells[column].text == first)


def test_a_county_report_lists_its_problems_by_tier_with_a_form_to_fill_in(context):
    problems = context.results.problems.to_pandas()
    code = problems.loc[problems.tier == "确定问题", "county"].iloc[0]
    mine = problems[problems.county == code]
    document = docx.Document(io.BytesIO(documents.docx(context, code)))
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    counts = mine["tier"].value_counts()
    assert (f"列入问题清单 {len(mine)} 项：确定问题 {counts.get('确定问题', 0)} 项，"
            f"需关注 {counts.get('需关注', 0)} 项") in paragraphs
    evidence = _table(document, "与全市比较", 6)
    assert [c.text for c in evidence.rows[0].cells][:2] == ["层级", "题目"]
    first, row = evidence.rows[1].cells, mine.iloc[0]
    assert first[0].text == "● 确定问题" and first[1].text.startswith(f"{row['item']} {row['topic']}\n{row['text']}")
    assert first[2].text == f"{row['mean']:.1f}\n{row['ci_low']:.1f}–{row['ci_high']:.1f}"
    assert first[6].text == row["certainty"] and len(evidence.rows) == len(mine) + 1
    form = _table(document, "整改措施", 2)
    assert [c.text for c in form.rows[0].cells] == ["层级", "题目", "整改措施", "责任科室"]
    assert len(form.rows) == len(mine) + 1 and all(r.cells[2].text == r.cells[3].text == "" for r in form.rows[1:])


def test_a_county_report_shows_each_items_answer_distribution(context, questionnaire):
    document = docx.Document(io.BytesIO(documents.docx(context, "511503")))
    table = _table(document, "有效作答", len(questionnaire.scale.points) + 1)
    assert [c.text for c in table.rows[0].cells][1:-1] == [p.label for p in questionnaire.scale.points]
    d = context.results.distribution.to_pandas()
    q01 = d[(d.county == "511503") & (d["item"] == "q01")].set_index("code")
    assert [c.text for c in table.rows[1].cells] == [
        "q01 学前教育", *(f"{100 * q01.loc[p.code, 'share']:.1f}" for p in questionnaire.scale.points),
        f"{q01['n_scored'].iloc[0]:,}"]


def test_the_city_report_marks_every_countys_problems_and_scores(context, questionnaire):
    document = docx.Document(io.BytesIO(documents.docx(context, "ALL")))
    problems = context.results.problems.to_pandas()
    tiers = {(c, i): t for c, i, t in zip(problems.county, problems["item"], problems.tier)}
    by_name = {context.name(c): c for c in context.counties}
    matrices = [t for t in document.tables if t.rows[0].cells[0].text == "题目"
                and t.rows[0].cells[1].text in by_name]
    marks, scores = matrices[0], matrices[1]
    header = [c.text for c in marks.rows[0].cells][1:]
    assert sorted(header) == sorted(by_name) and header[0] == context.name(str(
        context.results.county_results["county"][int(np.argmin(context.results.county_results["rank"][:-1]))]))
    symbol = {"确定问题": "●", "需关注": "○"}
    for r, item in enumerate(questionnaire.items, start=1):
        cells = [c.text for c in marks.rows[r].cells]
        assert cells[0] == f"{item.id} {item.topic}"
        assert cells[1:] == [symbol.get(tiers.get((by_name[n], item.id)), "") for n in header]
    assert marks.rows[-2].cells[0].text == "确定问题（项）"
    assert [c.text for c in scores.rows[0].cells][-1] == "全市"
    for r, item in enumerate(questionnaire.items, start=1):
        cells = [c.text for c in scores.rows[r].cells]
        assert cells[1:] == [f"{context.items(by_name[n])['mean'][r - 1]:.1f}" for n in header] + \
            [f"{context.items('ALL')['mean'][r - 1]:.1f}"]


@needs_poppler
def test_the_pdf_reports_carry_the_problem_tables(context, tmp_path):
    county = pdf_text(documents.pdf(context, "511502"), tmp_path)
    assert "整改落实表" in county and "整改措施" in county and "责任科室" in county and "与全市比较" in county
    city = pdf_text(documents.pdf(context, "ALL"), tmp_path)
    assert "各区县问题清单一览" in city and "各区县各题得分" in city and "确定问题（项）" in city


def report_text(report) -> str:
    """Every character a report sets."""
    parts = [report.title, report.subtitle, report.running, report.mark, report.edition,
             *(text for row in report.cover for text in row)]
    for heading, blocks in report.sections:
        parts.append(heading)
        for block in blocks:
            if block[0] == "p":
                parts.append(block[1])
            elif block[0] == "table":
                parts += [*block[1], *(str(cell) for row in block[2] for cell in row)]
    return "".join(parts)


@needs_poppler
def test_every_pdf_of_a_set_embeds_its_font_subset_and_every_character_it_sets_can_be_copied(context, tmp_path):
    """A character the font lacked would print as a box and copy as nothing."""
    documents_ = bundle.documents_for(context, None, ["pdf"])
    reports = [e for e in documents_.manifest.entries if e.kind in ("report", "public") and e.path.endswith(".pdf")]
    assert len(reports) == len(context.counties) + 2                          # and the city's public version
    for entry in reports:
        path = tmp_path / "report.pdf"
        path.write_bytes(documents_.files[entry.path])
        embedded = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                                  check=True).stdout.splitlines()[2:]
        assert embedded and all("NotoSansSC" in line for line in embedded)
        assert all(line.split()[-5:-2] == ["yes", "yes", "yes"] for line in embedded)   # embedded, subset, ToUnicode
        report = documents.report(context, entry.county or "ALL", public="公开版" in entry.path)
        sets = {ch for ch in report_text(report) if not ch.isspace()}
        assert sets <= set(pdf_text(documents_.files[entry.path], tmp_path))


def test_the_font_subset_has_truetype_outlines_for_every_character_asked(questionnaire):
    from fontTools.ttLib import TTFont
    text = "".join(item.text for item in questionnaire.items) + "翠屏区−±"
    font = TTFont(fonts.font_for(text))
    assert "glyf" in font and "CFF " not in font
    assert {ord(ch) for ch in text + fonts.BASE if not ch.isspace()} <= set(font.getBestCmap())
    assert all(font["glyf"][font.getBestCmap()[ord(ch)]].numberOfContours > 0 for ch in "翠屏区")


def test_problems_csv_has_the_tier_and_empty_columns_to_fill_in(context):
    files = bundle.documents_for(context, None, ["csv"]).files
    problems = pd.read_csv(io.BytesIO(files["表格/problems.csv"]), encoding="utf-8-sig", dtype=str,
                           keep_default_na=False)
    columns = list(problems.columns)
    assert columns.index("reason") + 1 == columns.index("measures") == columns.index("department") - 1
    assert set(problems["tier"]) == {"确定问题", "需关注"} and (problems[["measures", "department"]] == "").all().all()
    assert len(problems) == context.results.problems.n_rows
    distribution = pd.read_csv(io.BytesIO(files["表格/item_distribution.csv"]), encoding="utf-8-sig")
    assert {"county", "county_name", "item", "label", "n", "share", "n_scored"} <= set(distribution.columns)
    out = bundle.documents_for(context, None, ["csv"])
    assert out.manifest.find("table", None, "csv") is not None
    assert {e.title for e in out.manifest.entries} >= {"问题清单", "答案分布"}


@pytest.mark.parametrize("p, text", [(0.0499, "p=0.0499"), (0.05, "p=0.0500"), (0.0504, "p=0.0504"),
                                     (0.0506, "p=0.051"), (0.0004, "p<0.001"), (0.001, "p=0.001"),
                                     (0.1234, "p=0.123"), (float("nan"), "p=—")])
def test_p_values_never_print_the_significance_line_beside_their_verdict(p, text):
    assert documents.p_text(p) == text


def test_the_words_about_the_city_agree_with_the_interval_printed_beside_them(context):
    for code in context.counties:
        row, text = context.row(code), documents.summary(context, code)
        significant = row["p_vs_all"] < 0.05
        assert ("差异在统计上显著" in text) == significant == ("不含 0" in text)
        assert ("包含 0" in text) == (not significant) == ("与全市持平" in text)
        assert f"{row['diff_ci_low']:.1f}".replace("-", "−") in text
        assert f"“{row['grade_span']}”" in text


def test_a_difference_interval_bound_near_zero_keeps_its_sign():
    assert documents._bound(0.004) == "0.004" and documents._bound(-0.03) == "−0.03" and documents._bound(1.26) == "1.3"


def test_the_ranking_shows_tiers_marks_imprecise_counties_and_unreliable_groups(context):
    sections = dict(documents.city_sections(context))
    ranking = next(b for b in sections["一、各区县排名"] if b[0] == "table")
    header, rows = ranking[1], ranking[2]
    assert header[5] == "与全市比较"
    imprecise = {context.name(c) for c in context.counties if context.row(c)["imprecise"]}
    assert imprecise and {r[1][:-1] for r in rows if r[1].endswith("*")} == imprecise
    assert {r[5] for r in rows} <= {"高于全市", "持平", "低于全市", "无法检验"}
    assert ("p", documents.IMPRECISE_NOTE) in sections["一、各区县排名"]
    summary = documents.city_summary(context)
    for code, tier in zip(context.results.county_results["county"][:-1], context.results.county_results["versus_city"]):
        assert documents.marked(context, str(code)) in summary.split(tier.replace("持平", "与全市持平") + "的有")[1]
    # 511523 has two channels: each of its groups comes from two clusters.
    county = dict(documents.county_sections(context, "511523"))["四、不同人群的评价"]
    assert all(row[4].endswith("（不可靠）") for row in county[0][2])
    assert county[1] == ("p", documents.unreliable_note(context.results.record))


def test_the_city_report_and_the_method_state_what_weighting_did(context, questionnaire):
    weighting = context.results.record["weighting"]
    sentence = f"未加权时（每份答卷同等计入）全市满意度指数为 {weighting['unweighted_index']:.1f}，按人口加权后为 " \
               f"{weighting['weighted_index']:.1f}"
    assert sentence in documents.city_summary(context)
    [row] = [text for topic, text in documents.method.notes(context.results.record, questionnaire) if topic == "加权"]
    assert sentence in row and ("偏多" in row or "偏少" in row)


def test_charts_drawn_by_a_second_process_are_the_charts_drawn_here(context, reference, monkeypatch):
    """With data files to write, a second process draws most of the charts meanwhile."""
    shares = []

    class Pool(bundle.ProcessPoolExecutor):
        def submit(self, fn, *args, **kwargs):
            if fn is documents.draw_charts:
                shares.append(args[1])
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(bundle, "ProcessPoolExecutor", Pool)
    aside = dataclasses.replace(context, _charts={})
    files = bundle.documents_for(aside, reference.responses, ["pdf", "sav"])
    assert shares == [bundle.ASIDE]
    here = documents.draw_charts(dataclasses.replace(context, _charts={}))
    assert aside._charts.keys() == here.keys() and len(here) == 2 * len(context.counties) + 3
    assert all(aside._charts[key] == here[key] for key in here)
    assert "数据/答卷_加权.sav" in files.files and "报告/全市_报告.pdf" in files.files


def test_the_charts_are_drawn_here_when_the_second_process_dies(context, reference):
    import os
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as dying:
        dying.submit(os._exit, 1)          # broken before, or while, it is asked for the charts
        files = bundle.documents_for(dataclasses.replace(context, _charts={}), reference.responses, ["pdf", "sav"],
                                     helper=dying)
    assert "报告/全市_报告.pdf" in files.files and "数据/答卷_加权.sav" in files.files
