"""Typesetting of the files, reopened by the libraries a reader's program would use: Word's page
numbers, repeated table headers, CJK fonts and properties (python-docx); the workbook's print setup
(openpyxl); the SPSS file's times, missing values, measurement levels and flags (pyreadstat)."""
import io
from datetime import UTC, datetime, timedelta

import docx
from docx.oxml.ns import qn

from reports import documents

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
