"""Sections (headings, paragraphs, charts, tables) as an A4 PDF with the Chinese font embedded."""
from __future__ import annotations

import io
import re
import struct
from collections.abc import Callable
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from reports.fonts import font_for

INK, ACCENT, MUTED, HEAD = (31, 35, 40), (31, 95, 168), (87, 96, 106), (238, 242, 246)


FOOTER = "{title}　第 {page} 页"


class _Pdf(FPDF):
    def __init__(self, running_title: str, font: Path):
        super().__init__(format="A4", unit="mm")
        self.running_title = running_title
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(True, margin=18)
        self.add_font("cjk", fname=str(font))
        # The subset's glyph bounds are right already: not recomputing them when fpdf2 writes this
        # document's own glyphs spares re-reading every outline.
        self.fonts["cjk"].ttfont.recalcBBoxes = False

    def footer(self):
        self.set_y(-12)
        self.set_font("cjk", size=8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, FOOTER.format(title=self.running_title, page=self.page_no()), align="C")


def texts(title: str, subtitle: str, byline: str, sections: list) -> str:
    """Every character the document will set (for the font's subset)."""
    parts = [title, subtitle, byline, FOOTER]
    for heading, blocks in sections:
        parts.append(heading)
        for block in blocks:
            if block[0] == "p":
                parts.append(block[1])
            elif block[0] == "table":
                parts += [*block[1], *(str(cell) for row in block[2] for cell in row)]
    return "".join(parts)


def render(title: str, subtitle: str, byline: str, sections: list, font: Path | None = None) -> bytes:
    """`font`: a subset holding every character (fonts.font_for); cut for this document if not given."""
    pdf = _Pdf(subtitle, font or font_for(texts(title, subtitle, byline, sections)))
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_text_color(*INK)
    pdf.set_font("cjk", size=20)
    pdf.multi_cell(0, 10, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=11)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(0, 6, f"{subtitle}\n{byline}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for heading, blocks in sections:
        pdf.set_text_color(*ACCENT)
        pdf.set_font("cjk", size=14)
        if pdf.get_y() + 10 + _height(pdf, blocks[0]) > pdf.page_break_trigger:
            pdf.add_page()             # a heading stays with what follows it
        pdf.multi_cell(0, 9, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(*INK)
        for block in blocks:
            _block(pdf, block)
        pdf.ln(2)
    return bytes(pdf.output())


# A line never starts with closing punctuation nor ends with opening punctuation (GB/T 15834 and the
# W3C's Chinese layout requirements), and a number, interval or code is never split.
NO_LINE_START = set("）)】」』》〉〕］]｝}，,。.、；;：:？?！!…%％·—’”")
NO_LINE_END = set("（(【「『《〈〔［[｛{‘“")
UNBROKEN = re.compile(r"[0-9A-Za-z_.,:%+\-–/<>=*]+|.", re.S)


def lines(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """`text` broken into lines no wider than `width` (as `measure` tells), by the rules above."""
    units: list[str] = []
    for unit in UNBROKEN.findall(text):
        if units and (unit[0] in NO_LINE_START or units[-1][-1] in NO_LINE_END):
            units[-1] += unit          # kept with what comes before
        else:
            units.append(unit)
    out, line = [], ""
    for unit in units:
        if line and measure(line + unit) > width:
            out.append(line)
            line = unit.lstrip(" ")
        else:
            line += unit
    return out + [line] if line or not out else out


def _width(pdf: _Pdf, width_cm: float) -> float:
    return min(width_cm * 10, pdf.epw)


def _height(pdf: _Pdf, block) -> float:
    """Room the block needs at the top of a section (a chart whole, else a few lines)."""
    if block[0] != "img":
        return 20
    width, height = struct.unpack(">II", block[1][16:24])      # the PNG header's size
    return _width(pdf, block[2]) * height / width


def _block(pdf: _Pdf, block) -> None:
    kind = block[0]
    if kind == "p":
        pdf.set_font("cjk", size=10.5)
        # Broken into lines here by Chinese rules (fpdf2 breaks between any two characters); left-aligned,
        # since justifying would stretch the spaces around numbers.
        text = "\n".join(line for paragraph in block[1].split("\n")
                         for line in lines(paragraph, pdf.epw - 2 * pdf.c_margin - 0.1, pdf.get_string_width))
        pdf.multi_cell(0, 6.2, text, align="L", wrapmode="CHAR", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)
    elif kind == "img":
        _, png, width_cm = block
        width = _width(pdf, width_cm)
        pdf.image(io.BytesIO(png), x=pdf.l_margin + (pdf.epw - width) / 2, w=width)
        pdf.ln(2)
    elif kind == "table":
        _, header, rows, *extra = block
        options = extra[0] if extra else {}
        size = options.get("size", 9)
        pdf.set_font("cjk", size=size)
        with pdf.table(headings_style=FontFace(emphasis=None, fill_color=HEAD), line_height=5.5 * size / 9,
                       text_align="LEFT", first_row_as_headings=True, repeat_headings=1,
                       col_widths=options.get("widths"), min_row_height=options.get("min_height")) as table:
            table.row(header)
            for row in rows:
                table.row([str(cell) for cell in row])
        pdf.ln(3)
