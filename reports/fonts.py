"""The CJK font every document embeds (Noto Sans SC, SIL OFL), installed with the project from PyPI,
so Chinese renders on a fresh machine without system fonts.

Reports (Typst) and charts (matplotlib) take the font file itself. Posters are set with fpdf2, and
a PDF embeds only the glyphs it uses: cutting them out of the 8 MB font is the slow part of writing
a poster PDF, so posters take a subset cut once for the characters of a whole batch. The subset
carries TrueType outlines: fpdf2 cuts each PDF's own glyphs out of the font it is given when it
writes the file, and cutting and writing the font's CFF outlines took ten times as long (0.4 s a
report) as TrueType's.
"""
from __future__ import annotations

import functools
import string
import tempfile
from pathlib import Path

import pylopdf_fonts_zh_cn
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

# Always kept: what numbers, links and punctuation may need, whatever the text.
BASE = string.printable + "，。、：；？！（）“”‘’《》【】—–…·％　"
# Largest distance between a cubic outline and its quadratic approximation, in font units
# (1/1000 em): 0.01 pt at 10 pt, far below what print or screen shows.
TOLERANCE = 1.0


def cjk_font() -> Path:
    return pylopdf_fonts_zh_cn.sans_path()


def font_for(*texts: str) -> Path:
    """A TrueType font file holding every character of `texts` (and BASE)."""
    return _subset(frozenset("".join(texts) + BASE))


@functools.lru_cache(maxsize=32)
def _subset(characters: frozenset[str]) -> Path:
    from fontTools import subset       # only posters cut a subset: reports do not wait for its import
    options = subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["GSUB", "GPOS", "GDEF"]       # fpdf2 sets glyphs one by one, unshaped
    font = subset.load_font(str(cjk_font()), options)
    text = "".join(sorted(characters))
    cmap = font.getBestCmap()
    _truetype(font, {".notdef", *(cmap[ord(ch)] for ch in text if ord(ch) in cmap)})
    cutter = subset.Subsetter(options)
    cutter.populate(text=text)
    cutter.subset(font)
    path = Path(tempfile.mkdtemp(prefix="survey-font-")) / "NotoSansSC-subset.ttf"
    subset.save_font(font, str(path), options)
    return path


def _truetype(font: TTFont, kept: set[str]) -> None:
    """Replace the font's cubic (CFF) outlines by quadratic (glyf) ones, in place (after fontTools'
    otf2ttf example), for the glyphs `kept` (the others left empty, to be cut away): converting them
    first spares cutting the CFF outlines, which was most of the time. Widths and character map stay."""
    order = font.getGlyphOrder()
    outlines = font.getGlyphSet()
    empty = TTGlyphPen(None).glyph()
    glyphs = dict.fromkeys(order, empty)
    for name in kept:
        pen = TTGlyphPen(outlines)
        outlines[name].draw(Cu2QuPen(pen, TOLERANCE, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    metrics = font["hmtx"]
    for name in kept:
        glyph = glyphs[name]
        glyph.recalcBounds(glyf)
        metrics[name] = (metrics[name][0], glyph.xMin if glyph.numberOfContours else 0)
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for field in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs", "maxStackElements",
                  "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, field, 0)
    font["post"].formatType = 3.0                 # no glyph names (the subsetter drops them anyway)
    font.sfntVersion = "\x00\x01\x00\x00"
    font.recalcBBoxes = True                      # maxp's counts, head's and hhea's bounds, when saved
