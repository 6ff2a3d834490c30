"""Many rows of plain cells put into a worksheet that XlsxWriter wrote, made a column at a time.

XlsxWriter spends some microseconds of Python on each cell: the 1.7 million cells of 54,340
responses took 9 s. A responses file has few distinct values in most columns (codes, labels), so
here each distinct value's XML is made once and the cells are put together with array operations.
XlsxWriter still writes everything else (header, column widths and formats, print setup, other
sheets); its worksheet gets the rows below the ones it wrote, its shared strings the new texts,
escaped as it escapes them.
"""
from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import xlsxwriter.utility

MAX_ROWS = 1_048_576                 # a sheet's rows; cells below are dropped, as XlsxWriter drops them
MAX_TEXT = 32_767
CHUNK = 20_000                       # rows made at once (memory)
# zlib's fastest level for the rows: 0.4 s instead of 1.6 s for the 54 MB of XML of 54,340 responses,
# the file 8.3 MB instead of 6.4 MB.
FAST = 1
_ESCAPE_OF_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")


@dataclass(frozen=True)
class Column:
    """One column's cells: codes[i] is row i's index into `values` (-1: no cell); a value is a
    number (float or int) or a text; `style` is the cell format's index (Format.xf_index)."""
    codes: np.ndarray
    values: Sequence
    style: int | None = None


def fill(book: bytes, sheet: int, columns: list[Column], first_row: int, heights: np.ndarray | None = None) -> bytes:
    """The workbook with the columns' cells from row `first_row` (0-based) of sheet `sheet` (1-based),
    below whatever XlsxWriter wrote there; `heights`: each row's height in points (wrapped text)."""
    n = min(len(columns[0].codes) if columns else 0, MAX_ROWS - first_row)
    source = zipfile.ZipFile(io.BytesIO(book))
    strings = _Strings(source.read("xl/sharedStrings.xml").decode("utf-8"))
    tails = [_tails(column, strings, n) for column in columns]
    sheet_path = f"xl/worksheets/sheet{sheet}.xml"
    head, end = source.read(sheet_path).decode("utf-8").split("</sheetData>")
    if n:
        last = f"{xlsxwriter.utility.xl_col_to_name(len(columns) - 1)}{first_row + n}"
        head = re.sub(r'<dimension ref="([A-Z]+[0-9]+)(:[A-Z]+[0-9]+)?"/>',
                      lambda m: f'<dimension ref="{m.group(1)}:{last}"/>', head, count=1)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=FAST) as target:
        for info in source.infolist():
            if info.filename == sheet_path:
                with target.open(sheet_path, "w") as stream:           # at the archive's level, FAST
                    stream.write(head.encode("utf-8"))
                    for start in range(0, n, CHUNK):
                        stream.write(_rows(columns, tails, first_row, start, min(start + CHUNK, n),
                                           heights).encode("utf-8"))
                    stream.write(("</sheetData>" + end).encode("utf-8"))
            elif info.filename == "xl/sharedStrings.xml":
                target.writestr(_like(info), strings.xml().encode("utf-8"))
            else:
                target.writestr(_like(info), source.read(info))
    return out.getvalue()


def _like(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A new entry like XlsxWriter's, deflated at zlib's default level."""
    copy = zipfile.ZipInfo(info.filename, info.date_time)
    copy.compress_type = zipfile.ZIP_DEFLATED
    copy.external_attr = info.external_attr
    return copy


def _tails(column: Column, strings: _Strings, n: int) -> np.ndarray:
    """Each value's cell XML after the cell reference, and "" for no cell (the last entry, code -1)."""
    style = f' s="{column.style}"' if column.style is not None else ""
    codes = column.codes[:n]
    cells = np.bincount(codes[codes >= 0], minlength=len(column.values))
    tails = []
    for value, count in zip(column.values, cells):
        if value is None or (isinstance(value, float) and not np.isfinite(value)):
            tails.append("")
        elif isinstance(value, str):
            tails.append(f'{style} t="s"><v>{strings.index(value, int(count))}</v></c>' if value and count else "")
        else:
            tails.append(f"{style}><v>{value:.16G}</v></c>")
    return np.array([*tails, ""], dtype=object)


def _rows(columns: list[Column], tails: list[np.ndarray], first_row: int, start: int, stop: int,
          heights: np.ndarray | None = None) -> str:
    numbers = np.arange(first_row + start + 1, first_row + stop + 1).astype(str).astype(object)
    cells = []
    for c, (column, tail) in enumerate(zip(columns, tails)):
        ends = tail[column.codes[start:stop]]
        starts = f'<c r="{xlsxwriter.utility.xl_col_to_name(c)}' + numbers + '"'
        cells.append(np.where(ends == "", "", starts + ends))
    opens = '<row r="' + numbers + ('">' if heights is None else
                                    '" ht="' + np.asarray(heights[start:stop]).astype(str).astype(object)
                                    + '" customHeight="1">')
    return "".join(opening + "".join(row) + "</row>" for opening, *row in zip(opens, *cells))


class _Strings:
    """XlsxWriter's shared strings, to which new texts are added (each once)."""

    def __init__(self, xml: str):
        match = re.search(r'<sst [^>]*count="(\d+)" uniqueCount="(\d+)">', xml)
        end = xml.rindex("</sst>")
        self.head, self.tail = xml[:end], xml[end:]
        self.count, self.unique = int(match.group(1)), int(match.group(2))
        self.added: dict[str, int] = {}

    def index(self, text: str, cells: int) -> int:
        self.count += cells
        if text not in self.added:
            self.added[text] = self.unique + len(self.added)
        return self.added[text]

    def xml(self) -> str:
        head = re.sub(r'count="\d+" uniqueCount="\d+"', f'count="{self.count}" '
                      f'uniqueCount="{self.unique + len(self.added)}"', self.head, count=1)
        return head + "".join(map(_si, self.added)) + self.tail


def _si(text: str) -> str:
    """A shared string as XlsxWriter writes it."""
    text = text[:MAX_TEXT]
    text = _ESCAPE_OF_ESCAPE.sub(r"_x005F\1", text)
    text = _CONTROL.sub(lambda match: f"_x{ord(match.group(1)):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    preserve = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"<si><t{preserve}>{text}</t></si>"
