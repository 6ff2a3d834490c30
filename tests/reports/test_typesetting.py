"""Typesetting of the files, reopened by the libraries a reader's program would use: Word's page
numbers, repeated table headers, CJK fonts and properties (python-docx); the workbook's print setup
(openpyxl); the SPSS file's times, missing values, measurement levels and flags (pyreadstat)."""
import io
import zipfile
from datetime import UTC, datetime, timedelta

import docx
import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
from docx.enum.section import WD_SECTION
from docx.oxml.ns import qn

from reports import datafiles, documents, method, workbook
from tests.reports.conftest import NAMES

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def word(context, code):
    return docx.Document(io.BytesIO(documents.docx(context, code)))


def test_the_word_footer_numbers_pages_from_one_after_the_cover(context):
    document = word(context, "ALL")
    cover, body = document.sections
    assert cover.footer.is_linked_to_previous                   # the first section's: none, the cover has no number
    assert body.start_type == WD_SECTION.NEW_PAGE and body._sectPr.find(qn("w:pgNumType")).get(qn("w:start")) == "1"
    footer = body.footer
    instructions = [e.text.strip() for e in footer._element.iter(f"{W}instrText")]
    assert instructions == ["PAGE"]
    assert [e.get(qn("w:fldCharType")) for e in footer._element.iter(f"{W}fldChar")] == [
        "begin", "separate", "end"]
    assert footer.paragraphs[0].text == "第 1 页"


def test_every_word_table_repeats_its_header_row_on_each_page(context):
    document = word(context, "511503")
    assert len(document.tables) >= 3
    for table in document.tables:
        rows = table._tbl.tr_lst
        assert rows[0].trPr is not None and rows[0].trPr.find(qn("w:tblHeader")) is not None
        assert all(r.trPr is None or r.trPr.find(qn("w:tblHeader")) is None for r in rows[1:])


def test_word_styles_use_the_cjk_font_not_the_theme_and_mark_text_zh_cn(context):
    document = word(context, "511503")
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    for fonts in [defaults.find(qn("w:rFonts")),
                  *(document.styles[name].element.rPr.rFonts for name in ("Normal", "Title", "Heading 1",
                                                                          "Heading 2"))]:
        for script in ("w:eastAsia", "w:ascii", "w:hAnsi"):
            assert fonts.get(qn(script)) == "Microsoft YaHei"
        assert not [name for name in fonts.attrib if name.endswith("Theme") or name.endswith("theme")]
    for fonts in styles.iter(qn("w:rFonts")):          # no style anywhere falls back to a theme font
        assert not [name for name in fonts.attrib if name.lower().endswith("theme")]


def test_word_properties_are_the_reports_not_python_docx_defaults(context):
    data = documents.docx(context, "511503")
    assert not [n for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if "thumbnail" in n]   # a blank page
    props = docx.Document(io.BytesIO(data)).core_properties
    assert props.title == "南溪区教育群众满意度调查报告" and props.author == "市教育督导室"
    assert props.last_modified_by == "市教育督导室" and props.subject == context.title
    assert "python-docx" not in (props.comments + props.author + props.last_modified_by)
    assert abs(props.created.replace(tzinfo=UTC) - datetime.now(UTC)) < timedelta(minutes=5)
    assert props.modified == props.created and props.language == "zh-CN"


def results_workbook(results, questionnaire):
    return openpyxl.load_workbook(io.BytesIO(workbook.write(results, questionnaire, NAMES,
                                                            method.notes(results.record, questionnaire))))


def test_every_sheet_prints_one_page_wide_with_its_header_row_on_each_page(results, questionnaire):
    book = results_workbook(results, questionnaire)
    for sheet in book:
        setup = sheet.page_setup
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert (setup.fitToWidth or 1) == 1 and setup.fitToHeight == 0     # 1 is the default, left out
        assert sheet.print_title_rows == "$1:$1" and setup.paperSize == 9
        assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text
    assert book["题目得分"].page_setup.orientation == "landscape"        # 18 columns
    assert book["信度"].page_setup.orientation == "portrait"             # 4 columns


def test_counts_carry_thousands_separators_and_long_text_wraps(results, questionnaire):
    book = results_workbook(results, questionnaire)
    for title, header in (("区县结果", "样本量"), ("质量", "收到"), ("质量", "过快"), ("信度", "答全所有题的样本量"),
                          ("样本构成", "样本量")):
        sheet = book[title]
        c = [cell.value for cell in sheet[1]].index(header) + 1
        assert sheet.cell(row=2, column=c).number_format == "#,##0", (title, header)
    assert book["方法说明"].cell(row=2, column=2).alignment.wrap_text
    county = book["区县结果"]
    headers = [cell.value for cell in county[1]]
    assert county.cell(row=2, column=headers.index("与全市比较的p值") + 1).number_format == workbook.P_VALUE
    for header in (h for h in headers if h and "置信区间" in h and "差" in h):     # the difference's interval
        assert county.cell(row=2, column=headers.index(header) + 1).number_format == "+0.0;-0.0;0.0", header


def test_topics_stand_beside_item_codes_and_attributes_read_as_questions(results, questionnaire):
    book = results_workbook(results, questionnaire)
    drivers = book["重要性—表现"]
    assert [c.value for c in drivers[1]][:2] == ["题号", "主题"]
    topic = {i.id: i.topic for i in questionnaire.items}
    assert all(row[1] == topic[row[0]] for row in drivers.iter_rows(min_row=2, values_only=True))
    for title in ("分组结果", "样本构成"):
        sheet = book[title]
        header = [c.value for c in sheet[1]]
        assert "类别" not in header and "类别名称" in header
        attributes = {row[header.index("属性")] for row in sheet.iter_rows(min_row=2, values_only=True)}
        assert attributes <= {a.question for a in questionnaire.attributes} and "您的身份是" in attributes


def with_flags_and_not_known(reference, questionnaire):
    """The reference responses as the database hands them over: stored flags, times as datetimes,
    and a few 不了解 (code 9) beside the skipped items the file has."""
    frame = reference.responses.copy()
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"]).astype("datetime64[s]")
    frame.loc[frame.index[:40], "q02"] = questionnaire.scale.not_applicable
    frame["flag_straightline"] = np.int8(0)
    frame.loc[frame.index[1::7], "flag_straightline"] = np.int8(1)
    frame["flag_repeat_device"] = np.int8(0)
    return frame


def sav(tmp_path, data: bytes, **options):
    path = tmp_path / "data.sav"
    path.write_bytes(data)
    return pyreadstat.read_sav(str(path), **options)


def test_the_spss_file_keeps_times_flags_levels_and_tells_not_known_from_skipped(
        context, reference, questionnaire, tmp_path):
    responses = with_flags_and_not_known(reference, questionnaire)
    frame = datafiles.cleaned(responses, context.results, questionnaire, context.names)
    data, meta = sav(tmp_path, datafiles.sav_bytes(frame, questionnaire), user_missing=True)
    times = pd.to_datetime(reference.responses.set_index("response_id")["submitted_at"])
    assert data["submitted_at"].min().year == 2019                     # real times, not 1970-01-01
    assert (data.set_index("response_id")["submitted_at"] == times.reindex(data["response_id"])).all()
    assert meta.original_variable_types["submitted_at"].startswith("DATETIME")
    skipped = responses.drop_duplicates("response_id").set_index("response_id")["q01"].isna()
    assert (data.set_index("response_id")["q01"].isna() == skipped.reindex(data["response_id"])).all()
    assert (data["q02"] == 9).sum() > 0 and skipped.any()              # 不了解 and skipped, apart
    assert meta.missing_ranges["q02"] == [{"lo": 9.0, "hi": 9.0}]
    assert meta.variable_value_labels["q02"][9.0] == "不了解"
    plain, _ = sav(tmp_path, datafiles.sav_bytes(frame, questionnaire))
    assert plain["q02"].isna().sum() == data["q02"].isna().sum() + (data["q02"] == 9).sum()
    assert meta.variable_measure["q01"] == "ordinal" and meta.variable_measure["respondent_type"] == "nominal"
    assert meta.variable_measure["weight"] == "scale" and meta.variable_measure["county"] == "nominal"
    assert meta.variable_value_labels["flag_straightline"] == {0.0: "否", 1.0: "是"}
    assert meta.column_names_to_labels["flag_straightline"] == "标记：答案全部相同"
    assert set(data["flag_straightline"]) == {0.0, 1.0}
    assert "weight" in meta.file_label and any("WEIGHT BY weight" in note for note in meta.notes)


def test_a_responses_file_with_times_as_text_still_gives_spss_datetimes(context, reference, questionnaire, tmp_path):
    frame = datafiles.cleaned(reference.responses, context.results, questionnaire, context.names)
    data, meta = sav(tmp_path, datafiles.sav_bytes(frame, questionnaire))
    assert str(data["submitted_at"].dtype).startswith("datetime64") and data["submitted_at"].min().year == 2019


def test_the_data_workbook_has_date_cells_labels_and_a_codebook(context, reference, questionnaire):
    responses = with_flags_and_not_known(reference, questionnaire)
    frame = datafiles.cleaned(responses, context.results, questionnaire, context.names)
    book = openpyxl.load_workbook(io.BytesIO(datafiles.xlsx_bytes(frame, questionnaire)))
    assert book.sheetnames == ["答卷", "变量说明"]
    sheet = book["答卷"]
    header = [c.value for c in sheet[1]]
    first = {name: cell for name, cell in zip(frame.columns, sheet[2])}
    assert first["submitted_at"].is_date and isinstance(first["submitted_at"].value, datetime)
    assert first["submitted_at"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert first["respondent_type"].value in {o.label for o in questionnaire.attributes[0].options}
    assert first["flag_straightline"].value in ("是", "否") and header[list(frame.columns).index("q01")].startswith("q01 ")
    q02 = [row[list(frame.columns).index("q02")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "不了解" in q02 and None in q02 and {v for v in q02 if not isinstance(v, str) and v is not None} <= {1, 2, 3, 4, 5}
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == "$1:$1"
    codebook = {row[0]: row for row in book["变量说明"].iter_rows(min_row=2, values_only=True)}
    assert codebook["respondent_type"][3].startswith("1 = 家长") and codebook["q01"][2] == "定序"


def test_the_data_csv_leaves_not_known_empty_and_writes_codes_as_whole_numbers(context, reference, questionnaire):
    responses = with_flags_and_not_known(reference, questionnaire)
    frame = datafiles.cleaned(responses, context.results, questionnaire, context.names)
    data = pd.read_csv(io.BytesIO(datafiles.csv_bytes(frame, questionnaire)), encoding="utf-8-sig", dtype=str)
    assert "9" not in set(data["q02"]) and set(data["q01"].dropna()) <= {"1", "2", "3", "4", "5"}
    assert set(data["flag_straightline"]) == {"0", "1"}
