"""Read selected columns of a CSV file fast (Arrow's multi-threaded reader), without pandas.

Text columns come back as `Factor`s (integer codes and labels), number columns as float
arrays with NaN for empty fields. Arrow's own numpy conversion of a column with empty
fields would import pandas, so the conversion reads Arrow's buffers directly.
"""
from __future__ import annotations

import codecs
import csv
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pyarrow as pa
from pyarrow import csv as arrow_csv

from analysis.inputs import FIRST_ROW, Factor
from survey_app.errors import UserError
from survey_app.io.uploads import read_upload, sheet_rows

TEXT, NUMBER, ID = "text", "number", "id"   # ID: text whose labels need no sorting
BLOCK_BYTES = 1 << 20                        # the file is parsed in blocks of this size, in parallel


def header(path: Path, what: str) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            return next(csv.reader(stream), [])
    except UnicodeDecodeError as exc:
        raise UserError(f"{what} {path.name} 不是 UTF-8 编码的 CSV 文件") from exc


@contextmanager
def as_utf8_csv(path: Path, what: str) -> Iterator[Path]:
    """The file as a UTF-8 CSV: itself, or a temporary copy of an Excel sheet or a GB18030 (GBK) CSV."""
    excel = path.suffix.lower() == ".xlsx"
    if not excel and _encoding(path, what) == "utf-8":
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="survey-input-") as folder:
        copy = Path(folder) / path.name
        with copy.open("w", encoding="utf-8", newline="") as out:
            if excel:
                csv.writer(out).writerows(sheet_rows(path, f"{what} {path.name}"))
            else:
                with path.open(encoding="gb18030", newline="") as source:
                    shutil.copyfileobj(source, out, 1 << 20)
        yield copy


def _encoding(path: Path, what: str) -> str:
    """utf-8 or gb18030 (what Chinese Excel saves), whichever decodes the whole file."""
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as stream:
                while block := stream.read(1 << 20):
                    decoder.decode(block)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    raise UserError(f"{what} {path.name} 无法识别编码：应为 UTF-8 或 GBK/GB18030 编码的 CSV 文件，或 Excel（.xlsx）文件")


def read(path: Path, what: str, kinds: dict[str, str]) -> dict[str, Factor | np.ndarray]:
    """The columns of `kinds` that the file (CSV in UTF-8 or GB18030, or .xlsx) has ({} for an empty file).

    Rows whose every read cell is empty (Excel's trailing ",,,,") are left out; the key
    "_line" then holds each kept row's line in the file.
    """
    with as_utf8_csv(path, what) as source:
        columns = _read_columns(source, what, kinds)
    return _without_blank_rows(columns)


def _read_columns(path: Path, what: str, kinds: dict[str, str]) -> dict[str, Factor | np.ndarray]:
    present = [c for c in dict.fromkeys(kinds) if c in set(header(path, what))]
    if not present:
        return {}
    types = {c: pa.float32() if kinds[c] == NUMBER else pa.dictionary(pa.int32(), pa.string()) for c in present}
    try:
        try:
            table = _read(path, present, types)
        except pa.ArrowInvalid:
            # Text among numbers: read those columns as text so that the analysis names the row.
            table = _read(path, present, {c: pa.dictionary(pa.int32(), pa.string()) for c in present})
            return {c: _labels(table[c]) if kinds[c] == NUMBER else _factor(table[c], kinds[c] == TEXT)
                    for c in present}
    except (OSError, pa.ArrowException) as exc:
        raise UserError(f"{what} {path.name} 无法读取：{exc}") from exc
    columns = {c: _floats(table[c]) if kinds[c] == NUMBER else _factor(table[c], kinds[c] == TEXT)
               for c in present}
    del table
    pa.default_memory_pool().release_unused()   # hand the parsed file's memory back at once
    return columns


def _without_blank_rows(columns: dict) -> dict:
    if not columns:
        return columns
    blank = np.logical_and.reduce([_empty(values) for values in columns.values()])
    if not blank.any():
        return columns
    kept = np.flatnonzero(~blank)
    trimmed = {name: values.take(kept) if isinstance(values, Factor) else values[kept]
               for name, values in columns.items()}
    return {**trimmed, "_line": kept + FIRST_ROW}


def _empty(values) -> np.ndarray:
    if isinstance(values, Factor):
        return values.codes < 0
    if values.dtype == object:
        return np.array([v is None for v in values], dtype=bool)
    return np.isnan(values)


def read_small(path: Path, what: str) -> dict[str, list[str]]:
    """Every column of a small file as text (targets, item weights), read as an upload is."""
    table = read_upload(f"{what} {path.name}", path.read_bytes())
    return {name: table.column(name) for name in table.header}


def _read(path: Path, columns: list[str], types: dict) -> pa.Table:
    return arrow_csv.read_csv(path, read_options=arrow_csv.ReadOptions(block_size=BLOCK_BYTES),
                              convert_options=arrow_csv.ConvertOptions(
                                  include_columns=columns, column_types=types, strings_can_be_null=True))


def _valid(chunk: pa.Array) -> np.ndarray | None:
    """Validity of each value of a chunk, or None when nothing is empty."""
    if not chunk.null_count:
        return None
    bits = np.frombuffer(chunk.buffers()[0], dtype=np.uint8)
    return np.unpackbits(bits, count=chunk.offset + len(chunk), bitorder="little")[chunk.offset:].astype(bool)


def _values(chunk: pa.Array, dtype, empty) -> np.ndarray:
    data = np.frombuffer(chunk.buffers()[1], dtype=dtype, count=chunk.offset + len(chunk))[chunk.offset:]
    valid = _valid(chunk)
    return data if valid is None else np.where(valid, data, empty)


def _floats(column: pa.ChunkedArray) -> np.ndarray:
    """float32: exact for answer codes, flags and durations in seconds below 2^24."""
    return np.concatenate([_values(chunk, np.float32, np.nan) for chunk in column.chunks]
                          or [np.zeros(0, dtype=np.float32)])


def _factor(column: pa.ChunkedArray, sort: bool) -> Factor:
    column = column.unify_dictionaries()
    codes = np.concatenate([_values(chunk.indices, np.int32, -1) for chunk in column.chunks]
                           or [np.zeros(0, dtype=np.int32)]).astype(np.int64)
    labels = np.array(column.chunk(0).dictionary.to_pylist() if column.num_chunks else [], dtype=object)
    if sort and len(labels):
        order = np.argsort(labels.astype(str))
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        codes = np.where(codes < 0, -1, rank[np.maximum(codes, 0)])
        labels = labels[order]
    return Factor(codes, labels)


def _labels(column: pa.ChunkedArray) -> np.ndarray:
    factor = _factor(column, sort=False)
    return np.append(factor.labels, None)[factor.codes]
