"""Typesetting of the files, reopened by the libraries a reader's program would use: Word's page
numbers, repeated table headers, CJK fonts and properties (python-docx); the workbook's print setup
(openpyxl); the SPSS file's times, missing values, measurement levels and flags (pyreadstat)."""
import io
from datetime import UTC, datetime, timedelta

import docx
import openpyxl
from docx.oxml.ns import qn

from reports import documents, method, workbook
from tests.reports.conftest import NAMES

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def word(context, code):
    return docx.Document(io.BytesIO(documents.docx(context, code)))


def test_the_word_footer_numbers_pages_with_page_and_numpages_fields(context):
    document = word(context, "ALL")
    footer = document.sections[0].footer
    instructions = [e.text.strip() for e in footer._element.iter(f"{W}instrText")]
    assert instructions == ["PAGE", "NUMPAGES"]
    assert [e.get(qn("w:fldCharType")) for e in footer._element.iter(f"{W}fldChar")] == [
        "begin", "separate", "end"] * 2
    assert footer.paragraphs[0].text.startswith("第 ") and "页 / 共 " in footer.paragraphs[0].text


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
    props = word(context, "511503").core_properties
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
