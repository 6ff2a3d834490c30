"""Read selected columns of a CSV file fast (Arrow's multi-threaded reader), without pandas.

Text columns come back as `Factor`s (integer codes and labels), number columns as float
arrays with NaN for empty fields. Arrow's own numpy conversion of a column with empty
fields would import pandas, so the conversion reads Arrow's buffers directly.
"""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pyarrow as pa
from pyarrow import csv as arrow_csv

from analysis.inputs import Factor
from survey_app.errors import UserError

TEXT, NUMBER, ID = "text", "number", "id"   # ID: text whose labels need no sorting
BLOCK_BYTES = 1 << 20                        # the file is parsed in blocks of this size, in parallel


def header(path: Path, what: str) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            return next(csv.reader(stream), [])
    except UnicodeDecodeError as exc:
        raise UserError(f"{what} {path.name} 不是 UTF-8 编码的 CSV 文件") from exc


def read(path: Path, what: str, kinds: dict[str, str]) -> dict[str, Factor | np.ndarray]:
    """The columns of `kinds` that the file has ({} for an empty file)."""
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


def read_small(path: Path, what: str) -> dict[str, list[str]]:
    """Every column of a small file as text (targets, item weights)."""
    names = header(path, what)
    with path.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))[1:]
    if any(len(row) != len(names) for row in rows):
        line = next(i for i, row in enumerate(rows, start=2) if len(row) != len(names))
        raise UserError(f"{what} {path.name} 第 {line} 行的列数与表头不符")
    return {name: [row[i] for row in rows] for i, name in enumerate(names)}


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
