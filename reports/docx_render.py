"""A report (reports.report) as a Word document staff can edit.

Typesetting a reader expects of a Chinese report: a cover page, a table of contents where the report
has one, every style in the CJK font (the template's theme
fonts would otherwise win over a direct setting), East Asian text marked zh-CN, page numbers in the
footer (第 X 页 / 共 Y 页, as fields Word and LibreOffice update), table header rows repeated on each
page, and the document's properties (title, author, dates) those of the report.
"""
from __future__ import annotations

import io
from datetime import UTC, datetime

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from reports.report import Report

EAST_ASIAN = "Microsoft YaHei"   # Word on Chinese Windows has it; others substitute a Chinese font
LANGUAGE = "zh-CN"
HEADER_FILL = "EEF2F6"
MUTED, MARK = RGBColor(0x57, 0x60, 0x6A), RGBColor(0xB4, 0x23, 0x18)
THEME_FONTS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def _fonts(rpr) -> None:
    """The CJK font for every script of a run properties element, and no theme font over it."""
    fonts = rpr.get_or_add_rFonts()
    for name in THEME_FONTS:
        fonts.attrib.pop(qn(name), None)
    for name in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(name), EAST_ASIAN)


def _child(parent, tag: str, first: bool = False):
    found = parent.find(qn(tag))
    if found is None:
        found = OxmlElement(tag)
        if first:
            parent.insert(0, found)
        else:
            parent.append(found)
    return found


def _styles(document) -> None:
    """Document defaults and every style that names a font: the CJK font, zh-CN for East Asian text."""
    styles = document.styles.element
    defaults = _child(_child(_child(styles, "w:docDefaults", first=True), "w:rPrDefault", first=True), "w:rPr")
    _fonts(defaults)
    lang = _child(defaults, "w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), LANGUAGE)
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Table Grid"):
        _fonts(document.styles[name].element.get_or_add_rPr())
    for fonts in styles.iter(qn("w:rFonts")):     # the template's other styles (heading 3, title char, ...)
        if any(fonts.get(qn(name)) for name in THEME_FONTS):
            _fonts(fonts.getparent())
    for name in ("Title", "Heading 1", "Heading 2"):
        document.styles[name].font.color.rgb = RGBColor(0x1F, 0x2A, 0x37)
    document.styles["Normal"].font.size = Pt(10.5)


def _field_start(paragraph, instruction: str) -> None:
    """The start of a field: what Word computes (`instruction`), then its shown result follows."""
    run = paragraph.add_run()
    for kind in ("begin", None, "separate"):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {instruction} "
        run._r.append(element)


def _field_end(paragraph) -> None:
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), "end")
    paragraph.add_run()._r.append(element)


def _field(paragraph, instruction: str) -> None:
    """A field (PAGE, SECTIONPAGES) whose shown value Word and LibreOffice compute when they lay out pages."""
    _field_start(paragraph, instruction)
    paragraph.add_run("1")
    _field_end(paragraph)


def _page_numbers(section) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text, field in (("第 ", "PAGE"), (" 页 / 共 ", "SECTIONPAGES"), (" 页", None)):
        paragraph.add_run(text)
        if field:
            _field(paragraph, field)
    for run in paragraph.runs:
        run.font.size = Pt(9)


def _properties(document, title: str, subject: str, author: str) -> None:
    """Title, author and dates of this report, not the template's ("python-docx", 2013); and no
    thumbnail (the template's is a blank page, which a file browser would show for the report)."""
    now = datetime.now(UTC)
    props = document.core_properties
    title, subject, author = (text[:255] for text in (title, subject, author))     # the format's limit
    props.title, props.subject, props.author, props.last_modified_by = title, subject, author, author
    props.comments = props.keywords = props.category = ""
    props.created = props.modified = now
    props.revision = 1
    props.language = LANGUAGE
    package = document.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package.rels.pop(rid)


def render(report: Report) -> bytes:
    document = Document()
    _styles(document)
    _properties(document, report.title, report.subtitle, report.issuer)
    cover = document.sections[0]
    cover.page_width, cover.page_height = Cm(21), Cm(29.7)
    cover.left_margin = cover.right_margin = Cm(2)
    _cover(document, report)
    body = document.add_section(WD_SECTION.NEW_PAGE)    # pages numbered from 1 after the cover, which has none
    body.header.is_linked_to_previous = body.footer.is_linked_to_previous = False
    _child(body._sectPr, "w:pgNumType").set(qn("w:start"), "1")
    _page_numbers(body)
    _running_header(body, report)
    heading, grid = document.styles["Heading 1"], document.styles["Table Grid"]     # each looked up once
    if report.toc:
        _contents(document, [name for name, _ in report.sections], heading)
    for name, blocks in report.sections:
        document.add_paragraph(name, heading)          # as add_heading(name, level=1)
        for block in blocks:
            _block(document, block, grid)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _muted(paragraph, size: float | None = None, colour: RGBColor = MUTED) -> None:
    for run in paragraph.runs:
        run.font.color.rgb = colour
        if size:
            run.font.size = Pt(size)


def _cover(document, report: Report) -> None:
    """Title page: mark, campaign, title, edition, then who issued it, its number and date; a page break."""
    for text, size, colour in ((report.mark, 12, MARK), (report.subtitle, 13, MUTED)):
        if text:
            paragraph = document.add_paragraph(text)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _muted(paragraph, size, colour)
    document.paragraphs[0].paragraph_format.space_before = Cm(4)
    title = document.add_heading(report.title, level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if report.edition:
        paragraph = document.add_paragraph(report.edition)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _muted(paragraph, 13)
    for i, (label, value) in enumerate(report.cover):
        paragraph = document.add_paragraph(f"{label}：{value}")
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if i == 0:
            paragraph.paragraph_format.space_before = Cm(8)


def _running_header(section, report: Report) -> None:
    paragraph = section.header.paragraphs[0]
    paragraph.text = report.running + (f"　　{report.mark}" if report.mark else "")
    _muted(paragraph, 8)


def _contents(document, headings: list[str], style) -> None:
    """目录 as a TOC field: Word fills in page numbers when it updates fields (it asks on opening,
    the settings say so); until then, and in LibreOffice, the headings are listed as its result."""
    document.add_paragraph("目录", style)
    first = document.add_paragraph()
    _field_start(first, 'TOC \\o "1-1" \\h \\z \\u')
    first.add_run(headings[0])
    for text in headings[1:]:
        document.add_paragraph(text)
    last = document.add_paragraph()
    _field_end(last)
    settings = document.settings.element
    update = _child(settings, "w:updateFields")
    update.set(qn("w:val"), "true")
    document.add_page_break()


def _header_row(row) -> None:
    """Repeated at the top of each page the table runs onto; shaded and bold."""
    trpr = row._tr.get_or_add_trPr()
    _child(trpr, "w:tblHeader")
    for cell in row.cells:
        shading = _child(cell._tc.get_or_add_tcPr(), "w:shd")
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:color"), "auto")
        shading.set(qn("w:fill"), HEADER_FILL)


def _block(document, block, grid) -> None:
    kind = block[0]
    if kind == "p":
        document.add_paragraph(block[1])
    elif kind == "img":
        _, png, width_cm = block
        document.add_picture(io.BytesIO(png), width=Cm(width_cm))
        document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif kind == "table":
        _, header, rows, *extra = block
        options = extra[0] if extra else {}
        table = document.add_table(rows=1, cols=len(header))
        table.style = grid
        for cell, text in zip(table.rows[0].cells, header):
            _cell(cell, text).runs[0].bold = True
        _header_row(table.rows[0])
        for row in rows:
            added = table.add_row()
            _child(added._tr.get_or_add_trPr(), "w:cantSplit")     # a row is never torn across pages
            if options.get("min_height"):
                added.height = Mm(options["min_height"])
            for cell, text in zip(added.cells, row):
                _cell(cell, str(text))
        _options(table, options)


def _cell(cell, text: str):
    """The cell's one paragraph holding `text`, without the body text's space after it."""
    cell.text = text
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    return paragraph


def _options(table, options: dict) -> None:
    """A table block's options (see reports.documents): column widths, font size."""
    if options.get("widths"):
        width = Cm(17)      # the page's text width
        total = sum(options["widths"])
        widths = [int(width * share / total) for share in options["widths"]]
        table.autofit = False
        for column, share in zip(table.columns, widths):
            column.width = share
        for row in table.rows:             # (a column's cells are found from the whole table each time)
            for cell, share in zip(row.cells, widths):
                cell.width = share
    if options.get("size"):
        for row in table.rows:
            for cell in row.cells:
                for run in (r for paragraph in cell.paragraphs for r in paragraph.runs):
                    run.font.size = Pt(options["size"])
