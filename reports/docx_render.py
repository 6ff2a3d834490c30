"""A report (reports.report) as a Word document staff can edit.

Typesetting a reader expects of a Chinese report: a cover page, a table of contents where the report
has one, every style in the CJK font (the template's theme
fonts would otherwise win over a direct setting), East Asian text marked zh-CN, page numbers in the
footer from 1 after the cover (第 X 页, a field Word and LibreOffice update; LibreOffice cannot count a
section's pages, so no 共 Y 页), table header rows repeated on each
page, and the document's properties (title, author, dates) those of the report.
"""
from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor

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
    """A field (PAGE) whose shown value Word and LibreOffice compute when they lay out pages."""
    _field_start(paragraph, instruction)
    paragraph.add_run("1")
    _field_end(paragraph)


def _page_numbers(section) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text, field in (("第 ", "PAGE"), (" 页", None)):
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
    heading, grid = document.styles["Heading 1"], document.styles["Table Grid"].style_id     # each looked up once
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


def _block(document, block, table_style: str) -> None:
    kind = block[0]
    if kind == "p":
        document.add_paragraph(block[1])
    elif kind == "img":
        _, png, width_cm = block
        document.add_picture(io.BytesIO(png), width=Cm(width_cm))
        document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif kind == "table":
        _, header, rows, *extra = block
        document.element.body._insert_tbl(parse_xml(_table_xml(header, rows, extra[0] if extra else {}, table_style)))


TEXT_WIDTH = 9638          # the page's text width, 17 cm, in twentieths of a point
INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _table_xml(header: list, rows: list, options: dict, style: str) -> str:
    """A table block (options: see reports.report) as WordprocessingML, written directly: python-docx
    built it a cell at a time in most of the time Word reports took. The header row is shaded, bold
    and repeated on each page; no row is torn across pages; widths, font size and row height as asked."""
    shares = options.get("widths") or [1] * len(header)
    widths = [int(TEXT_WIDTH * share / sum(shares)) for share in shares]
    size = f'<w:sz w:val="{round(options["size"] * 2)}"/>' if options.get("size") else ""
    height = f'<w:trHeight w:val="{round(options["min_height"] * 56.7)}"/>' if options.get("min_height") else ""

    def cell(text, width: int, head: bool) -> str:
        shading = f'<w:shd w:val="clear" w:color="auto" w:fill="{HEADER_FILL}"/>' if head else ""
        lines = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(line)}</w:t>'
                               for line in INVALID_XML.sub("", str(text)).split("\n"))
        return (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shading}</w:tcPr><w:p><w:pPr><w:spacing w:after="0"/>'
                f'</w:pPr><w:r><w:rPr>{"<w:b/>" if head else ""}{size}</w:rPr>{lines}</w:r></w:p></w:tc>')

    def row(cells, head: bool) -> str:
        properties = "<w:tblHeader/>" if head else f"<w:cantSplit/>{height}"
        return f"<w:tr><w:trPr>{properties}</w:trPr>{''.join(cell(t, w, head) for t, w in zip(cells, widths))}</w:tr>"

    layout = '<w:tblLayout w:type="fixed"/>' if options.get("widths") else ""
    grid = "".join(f'<w:gridCol w:w="{width}"/>' for width in widths)
    return (f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="{style}"/><w:tblW w:type="auto" w:w="0"/>{layout}'
            f'<w:tblLook w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" w:noHBand="0" w:noVBand="1" '
            f'w:val="04A0"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>'
            f"{row(header, True)}{''.join(row(r, False) for r in rows)}</w:tbl>")
