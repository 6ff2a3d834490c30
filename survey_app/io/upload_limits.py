"""Bounds on an uploaded table, checked before and while it is read.

A 6 MB .xlsx can hold a sheet that unpacks to a gigabyte, and a 0.4 MB one a single 400 MB text;
either took minutes and gigabytes to read. An .xlsx is a zip archive whose directory declares
each part's unpacked size, and Python's zipfile never unpacks a part beyond what it declares:
the declared sizes are checked first, without unpacking anything. Rows, cells and time are then
counted while the rows are read, for CSV and Excel alike.
"""
from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Iterable, Iterator

from survey_app.errors import UserError

MB = 1024 * 1024
MAX_BYTES = 20 * MB          # the file as uploaded (the app's request limit)
MAX_PARTS = 1000             # parts of an .xlsx archive; a workbook of a few sheets has about 10
MAX_UNPACKED = 20 * MB       # all parts of an .xlsx unpacked; 100,000 rows of 5 columns are about 19 MB
MAX_ROWS = 100_000           # rows read, blank ones included
MAX_CELLS = 1_000_000        # cells read
READ_SECONDS = 2.0           # a table of a few thousand rows reads in well under a second
SHORTEN = "请只保留需要的工作表和列，删除多余的行后再上传"


def check_size(name: str, data: bytes) -> None:
    if len(data) > MAX_BYTES:
        raise UserError(f"{name}：文件太大（{len(data) / MB:.1f} MB），不能超过 {MAX_BYTES // MB} MB。{SHORTEN}。")


def check_archive(name: str, data: bytes) -> None:
    """The parts an .xlsx declares, before any of them is unpacked."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise UserError(f"{name}：不是有效的 Excel（.xlsx）文件") from exc
    if len(parts) > MAX_PARTS:
        raise UserError(f"{name}：文件由 {len(parts):,} 个部分组成（Excel 表格最多 {MAX_PARTS:,} 个），不像普通的表格。"
                        "请把需要的数据复制到新的工作簿，另存为 .xlsx 后再上传。")
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_UNPACKED:
        raise UserError(f"{name}：文件太大：表格解压后超过 {MAX_UNPACKED // MB} MB（约 {unpacked / MB:,.0f} MB）。"
                        f"{SHORTEN}；也可以另存为 CSV 再上传。")


def bounded(name: str, rows: Iterable[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    """(line, row) pairs as they are read, until one bound is passed: then a UserError saying which."""
    deadline, cells = time.monotonic() + READ_SECONDS, 0
    for count, (line, row) in enumerate(rows, start=1):
        cells += len(row)
        if count > MAX_ROWS:
            raise UserError(f"{name}：超过 {MAX_ROWS:,} 行（空行也计算在内）。请删除多余的行，或分成几个文件上传。")
        if cells > MAX_CELLS:
            raise UserError(f"{name}：单元格超过 {MAX_CELLS:,} 个。{SHORTEN}。")
        if time.monotonic() > deadline:
            raise UserError(f"{name}：表格太大或太复杂，{READ_SECONDS:g} 秒内没有读完。{SHORTEN}；也可以另存为 CSV 再上传。")
        yield line, row
