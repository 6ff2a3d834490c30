"""Small tables that evaluators upload: CSV (UTF-8 or GB18030, as Chinese Excel saves it) or Excel."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from survey_app.errors import UserError

MAX_ROWS = 100_000


@dataclass(frozen=True)
class UploadedTable:
    name: str                      # the file's name, for messages
    header: list[str]
    rows: list[list[str]]          # text cells, blank rows left out
    lines: list[int]               # rows[i] is line lines[i] of the file, as the user's editor numbers it

    def column(self, name: str) -> list[str]:
        position = self.header.index(name)
        return [row[position] if position < len(row) else "" for row in self.rows]

    def require(self, *names: str) -> None:
        missing = [n for n in names if n not in self.header]
        if missing:
            raise UserError(f"{self.name}：缺少列 {'、'.join(missing)}（应有 {','.join(names)}）")


def read_upload(name: str, data: bytes) -> UploadedTable:
    """The header and rows of an uploaded .csv or .xlsx; blank rows are skipped."""
    if not data:
        raise UserError(f"{name}：文件是空的")
    if name.lower().endswith(".xlsx"):
        header, rows = _xlsx(name, data)
    elif name.lower().endswith((".csv", ".txt")):
        header, rows = _csv(name, data)
    else:
        raise UserError(f"{name}：只接受 CSV（.csv）或 Excel（.xlsx）文件")
    kept = [(line, row) for line, row in rows if any(cell.strip() for cell in row)]
    if len(kept) > MAX_ROWS:
        raise UserError(f"{name}：行数超过 {MAX_ROWS:,}")
    return UploadedTable(name, [h.strip().lstrip("\ufeff") for h in header],
                         [[c.strip() for c in row] for _, row in kept], [line for line, _ in kept])


def _csv(name: str, data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UserError(f"{name}：无法识别文件编码（应为 UTF-8 或 GBK/GB18030）")
    reader, rows = csv.reader(io.StringIO(text)), []
    line = 1
    for row in reader:
        rows.append((line, row))
        line = reader.line_num + 1      # a quoted cell may span lines
    if not rows:
        raise UserError(f"{name}：文件是空的")
    return rows[0][1], rows[1:]


def _xlsx(name: str, data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    rows = list(enumerate(sheet_rows(io.BytesIO(data), name), start=1))
    if not rows:
        raise UserError(f"{name}：第一个工作表是空的")
    return rows[0][1], rows[1:]


def sheet_rows(source, name: str) -> Iterator[list[str]]:
    """The first sheet of an .xlsx (a path or a binary stream), row by row, every cell as text."""
    import openpyxl
    try:
        book = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:   # openpyxl raises many kinds for a damaged or foreign file
        raise UserError(f"{name}：不是有效的 Excel（.xlsx）文件") from exc
    try:
        for row in book.worksheets[0].iter_rows(values_only=True):
            yield [cell_text(value) for value in row]
    finally:
        book.close()


def cell_text(value) -> str:
    """An Excel cell as the text a CSV would hold (511502.0 -> "511502")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
