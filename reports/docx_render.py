"""Sections (headings, paragraphs, charts, tables) as a Word document staff can edit."""
from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

EAST_ASIAN = "Microsoft YaHei"   # Word on Chinese Windows has it; others substitute a Chinese font


def _chinese(style) -> None:
    style.font.name = EAST_ASIAN
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), EAST_ASIAN)


def render(title: str, subtitle: str, byline: str, sections: list) -> bytes:
    document = Document()
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Table Grid"):
        _chinese(document.styles[name])
    document.styles["Normal"].font.size = Pt(10.5)
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    heading = document.add_heading(title, level=0)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in (subtitle, byline):
        if line:
            paragraph = document.add_paragraph(line)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.runs[0].font.color.rgb = RGBColor(0x57, 0x60, 0x6A)
    for name, blocks in sections:
        document.add_heading(name, level=1)
        for block in blocks:
            _block(document, block)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _block(document, block) -> None:
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
        table.style = document.styles["Table Grid"]
        for cell, text in zip(table.rows[0].cells, header):
            cell.text = text
            cell.paragraphs[0].runs[0].bold = True
        for row in rows:
            added = table.add_row()
            if options.get("min_height"):
                added.height = Mm(options["min_height"])
            for cell, text in zip(added.cells, row):
                cell.text = str(text)
        _options(table, options)


def _options(table, options: dict) -> None:
    """A table block's options (see reports.documents): column widths, font size."""
    if options.get("widths"):
        width = Cm(17)      # the page's text width
        total = sum(options["widths"])
        table.autofit = False
        for c, share in enumerate(options["widths"]):
            table.columns[c].width = int(width * share / total)
            for cell in table.columns[c].cells:
                cell.width = int(width * share / total)
    if options.get("size"):
        for row in table.rows:
            for cell in row.cells:
                for run in (r for paragraph in cell.paragraphs for r in paragraph.runs):
                    run.font.size = Pt(options["size"])
