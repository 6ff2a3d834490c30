"""Result tables: named numpy columns of one length, convertible to pandas.

The analysis returns these rather than DataFrames so that `survey analyze` never pays
for importing pandas; ``to_pandas()`` gives a DataFrame in a notebook.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np


class Table(Mapping):
    """An ordered mapping of column name -> 1-D numpy array, all of one length."""

    def __init__(self, columns: Mapping[str, object]):
        self._columns = {name: np.asarray(values) for name, values in columns.items()}
        lengths = {len(v) for v in self._columns.values()}
        if len(lengths) > 1:
            raise ValueError(f"columns of different lengths: {sorted(lengths)}")

    def __getitem__(self, name: str) -> np.ndarray:
        return self._columns[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        """Number of columns (a Mapping); `n_rows` is the number of rows."""
        return len(self._columns)

    @property
    def n_rows(self) -> int:
        return len(next(iter(self._columns.values()))) if self._columns else 0

    def take(self, rows: np.ndarray) -> Table:
        return Table({name: values[rows] for name, values in self._columns.items()})

    def to_pandas(self):
        import pandas as pd
        return pd.DataFrame(self._columns)

