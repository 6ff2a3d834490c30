"""Small tables that evaluators upload: CSV (UTF-8 or GB18030, as Chinese Excel saves it) or Excel."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from survey_app.errors import UserError
from survey_app.io import upload_limits as limits


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
    """The header and rows of an uploaded .csv or .xlsx; blank rows are skipped. The file is bounded
    (bytes, unpacked size, rows, cells, time: see upload_limits) before and while it is read."""
    if not data:
        raise UserError(f"{name}：文件是空的")
    limits.check_size(name, data)
    if name.lower().endswith(".xlsx"):
        limits.check_archive(name, data)
        rows, empty = enumerate(sheet_rows(io.BytesIO(data), name), start=1), "第一个工作表是空的"
    elif name.lower().endswith((".csv", ".txt")):
        rows, empty = _csv(name, data), "文件是空的"
    else:
        raise UserError(f"{name}：只接受 CSV（.csv）或 Excel（.xlsx）文件")
    numbered = list(limits.bounded(name, rows))
    if not numbered:
        raise UserError(f"{name}：{empty}")
    header = numbered[0][1]
    kept = [(line, row) for line, row in numbered[1:] if any(cell.strip() for cell in row)]
    return UploadedTable(name, [h.strip().lstrip("\ufeff") for h in header],
                         [[c.strip() for c in row] for _, row in kept], [line for line, _ in kept])


def _csv(name: str, data: bytes) -> Iterator[tuple[int, list[str]]]:
    """(line, row) pairs; a quoted cell may span lines."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UserError(f"{name}：无法识别文件编码（应为 UTF-8 或 GBK/GB18030）")
    reader, line = csv.reader(io.StringIO(text)), 1
    try:
        for row in reader:
            yield line, row
            line = reader.line_num + 1
    except csv.Error as exc:
        raise UserError(f"{name}：第 {reader.line_num} 行有单元格过长（超过 {csv.field_size_limit():,} 个字符），"
                        "请检查引号是否成对") from exc


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
