"""The CJK font every document embeds (Noto Sans SC, SIL OFL), installed with the project from PyPI,
so Chinese renders on a fresh machine without system fonts.

A PDF embeds only the glyphs it uses. Cutting them out of the 8 MB font is the slow part of
writing a PDF, so documents take a subset cut once for the characters of a whole batch.
"""
from __future__ import annotations

import functools
import string
import tempfile
from pathlib import Path

import pylopdf_fonts_zh_cn
from fontTools import subset

# Always kept: what numbers, links and punctuation may need, whatever the text.
BASE = string.printable + "，。、：；？！（）“”‘’《》【】—–…·％　"


def cjk_font() -> Path:
    return pylopdf_fonts_zh_cn.sans_path()


def font_for(*texts: str) -> Path:
    """A font file holding every character of `texts` (and BASE)."""
    return _subset(frozenset("".join(texts) + BASE))


@functools.lru_cache(maxsize=32)
def _subset(characters: frozenset[str]) -> Path:
    options = subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font = subset.load_font(str(cjk_font()), options)
    cutter = subset.Subsetter(options)
    cutter.populate(text="".join(sorted(characters)))
    cutter.subset(font)
    path = Path(tempfile.mkdtemp(prefix="survey-font-")) / "NotoSansSC-subset.otf"
    subset.save_font(font, str(path), options)
    return path
