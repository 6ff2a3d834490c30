"""Reports as A4 PDFs typeset by Typst (the compiler ships in the `typst` wheel): Chinese line
breaking (no line starts with closing punctuation, numbers stay whole, in tables too), a cover, a
table of contents, repeated table headers, headings kept with what follows, 第 X 页 共 Y 页.

The layout is reports/report.typ; a report's content reaches it as JSON (data.json), so no text is
ever read as Typst markup. Fonts are loaded once per batch (`Typesetter`), charts written once. A
report whose last page would hold a few lines only is set again a little tighter."""
from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path

import typst

from reports.fonts import cjk_font
from reports.report import Report

TEMPLATE = Path(__file__).with_name("report.typ")
PAGE_TOP, PAGE_BOTTOM = 62.0, 779.0      # the text area of an A4 page, points from its top (report.typ)
NEARLY_EMPTY = 0.25                      # a last page filled less than this is set again, tighter


class Typesetter:
    """Typesets reports one after another with the fonts loaded once; use as a context manager
    (its folder of charts is removed on exit)."""

    def __init__(self):
        self._folder = Path(tempfile.mkdtemp(prefix="survey-typst-"))
        shutil.copy(TEMPLATE, self._folder / "main.typ")
        self._compiler: typst.Compiler | None = None      # loads the fonts: made when first needed
        self._images: dict[bytes, str] = {}

    def __enter__(self) -> Typesetter:
        return self

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self._folder, ignore_errors=True)

    def pdf(self, report: Report) -> bytes:
        content = self._content(report)
        pdf, end = self._compile(content, tight=False)
        if end["page"] > 2 and (end["y"] - PAGE_TOP) / (PAGE_BOTTOM - PAGE_TOP) < NEARLY_EMPTY:
            tighter, tight_end = self._compile(content, tight=True)
            if tight_end["page"] < end["page"]:
                return tighter
        return pdf

    def _compile(self, content: dict, tight: bool) -> tuple[bytes, dict]:
        """The PDF and where its text ends (page, points from the top)."""
        (self._folder / "data.json").write_text(json.dumps({**content, "tight": tight}, ensure_ascii=False),
                                                encoding="utf-8")
        if self._compiler is None:
            self._compiler = typst.Compiler(str(self._folder / "main.typ"), root=str(self._folder),
                                            font_paths=[str(cjk_font().parent)], ignore_system_fonts=True)
        pdf = self._compiler.compile(format="pdf")
        return pdf, json.loads(self._compiler.query("<end>", field="value", one=True))

    def _image(self, png: bytes) -> str:
        key = hashlib.blake2b(png, digest_size=16).digest()
        if key not in self._images:
            name = f"{key.hex()}.png"
            (self._folder / name).write_bytes(png)
            self._images[key] = name
        return self._images[key]

    def _content(self, report: Report) -> dict:
        return {"title": report.title, "subtitle": report.subtitle, "running": report.running,
                "issuer": report.issuer, "mark": report.mark, "edition": report.edition,
                "cover": [list(pair) for pair in report.cover], "toc": report.toc,
                "sections": [{"heading": heading, "blocks": [self._block(b) for b in blocks]}
                             for heading, blocks in report.sections]}

    def _block(self, block) -> dict:
        kind = block[0]
        if kind == "p":
            return {"kind": "p", "text": block[1]}
        if kind == "img":
            return {"kind": "img", "file": self._image(block[1]), "width": block[2]}
        _, header, rows, *extra = block
        options = extra[0] if extra else {}
        return {"kind": "table", "header": [str(h) for h in header], "rows": [[str(c) for c in row] for row in rows],
                "widths": list(options["widths"]) if options.get("widths") else None,
                "size": options.get("size", 9), "min_height": options.get("min_height")}
