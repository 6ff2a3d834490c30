"""The Excel workbook holds the analysis's numbers as numbers, with Chinese headers and names beside codes."""
import io

import numpy as np
import openpyxl

from reports import method, workbook
from tests.reports.conftest import NAMES


def test_the_county_sheet_equals_the_results_in_numeric_cells(results, questionnaire):
    book = openpyxl.load_workbook(io.BytesIO(workbook.write(results, questionnaire, NAMES,
                                                            method.notes(results.record, questionnaire))))
    assert book.sheetnames[:4] == ["区县结果", "题目得分", "满意率", "不满意率"]
    sheet = book["区县结果"]
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["区县代码", "区县", "样本量", "有效样本量（样本量÷设计效应）", "满意度指数"]
    assert sheet.freeze_panes == "C2"
    table = results.county_results
    for r, row in enumerate(sheet.iter_rows(min_row=2, values_only=True)):
        assert row[0] == str(table["county"][r]) and row[1] == NAMES.get(row[0], "全市" if row[0] == "ALL" else "")
        assert isinstance(row[4], float) and abs(row[4] - table["index"][r]) < 1e-9
    index_cell = sheet.cell(row=2, column=5)
    assert index_cell.number_format == "0.0"


def test_the_item_matrix_and_shares_match_and_are_formatted(results, questionnaire):
    book = openpyxl.load_workbook(io.BytesIO(workbook.write(results, questionnaire, NAMES, [])))
    means = np.array([row[2:] for row in book["题目得分"].iter_rows(min_row=2, values_only=True)], dtype=float)
    np.testing.assert_allclose(means.ravel(), results.item_results["mean"], rtol=1e-12)
    assert book["满意率"].cell(row=2, column=3).number_format == "0.0%"
    assert book["题目得分"].cell(row=1, column=3).value == "q01 学前教育"


def test_text_that_looks_like_a_formula_stays_text(results, questionnaire):
    book = openpyxl.load_workbook(io.BytesIO(workbook.write(results, questionnaire, NAMES, [])))
    names = [cell for cell in book["区县结果"]["B"] if cell.value == "=HYPERLINK(1)"]
    assert names and all(cell.data_type == "s" for cell in names)


def test_a_name_that_xlsxwriter_would_write_as_raw_xml_stays_text(results, questionnaire):
    raw = "<r><t>x</t></r><si><t>y</t></r>"        # written as it is, this breaks sharedStrings.xml
    names = dict(NAMES) | {next(iter(NAMES)): raw}
    book = openpyxl.load_workbook(io.BytesIO(workbook.write(results, questionnaire, names, [])))
    assert "'" + raw in [cell.value for cell in book["区县结果"]["B"]]
    listing = openpyxl.load_workbook(io.BytesIO(workbook.rows_xlsx("进度", ["区县"], [[raw]])))
    assert listing.active["A2"].value == "'" + raw


def test_the_method_sheet_explains_the_weighting_and_versions(results, questionnaire):
    notes = dict(method.notes(results.record, questionnaire))
    assert "raking" in notes["加权"] and "“您的身份是”" in notes["加权"] and "respondent_type" not in notes["加权"]
    assert "按渠道整群" in notes["抽样设计与标准误"] and "channel" not in notes["抽样设计与标准误"]
    assert "整群" in notes["抽样设计与标准误"] and notes["人口目标文件指纹"].startswith("SHA-256 ")


def test_the_problem_sheet_has_columns_to_fill_in_and_the_tiers_and_answers_have_sheets(results, questionnaire):
    book = openpyxl.load_workbook(io.BytesIO(workbook.write(results, questionnaire, NAMES, [])))
    sheet = book["问题清单"]
    header = [c.value for c in sheet[1]]
    assert {"层级", "与全市比较", "列入原因", "整改措施", "责任科室"} <= set(header)
    assert header.index("整改措施") == header.index("列入原因") + 1
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == results.problems.n_rows
    assert all(row[header.index("整改措施")] in (None, "") for row in rows)
    assert {row[header.index("层级")] for row in rows} <= {"确定问题", "需关注"}
    tiers = book["问题一览"]
    assert [c.value for c in tiers[1]][2] == "q01 学前教育"
    listed = {(r[0], questionnaire.item_ids[j]) for r in tiers.iter_rows(min_row=2, values_only=True)
              for j, v in enumerate(r[2:]) if v}
    assert listed == set(zip(results.problems["county"], results.problems["item"]))
    answers = book["答案分布"]
    header = [c.value for c in answers[1]]
    assert "非常满意（%）" in header and "不了解（人数）" in header
    first = [c.value for c in answers[2]]
    assert abs(first[header.index("非常满意（%）")] - float(results.distribution["share"][0])) < 1e-12
