"""Core statements compiled once and run on the database driver's own cursor.

For a statement run hundreds of times a second, SQLAlchemy's work per execution (cache
look-up, parameter processing, result set-up) costs as much as the database's; here a
statement is compiled once per dialect, and each run only puts the parameters in the
driver's form, with the same type conversions SQLAlchemy applies.
"""
from __future__ import annotations

import fcntl
import functools
import os
import threading
from contextlib import contextmanager

from sqlalchemy.engine import Dialect, Engine


class DriverStatement:
    def __init__(self, statement, dialect: Dialect, column_keys: list[str] | None = None):
        self._compiled = statement.compile(dialect=dialect, column_keys=column_keys)
        if getattr(self._compiled, "insert_prefetch", None):
            raise ValueError("columns with Python-side defaults must be given")
        self.sql = self._compiled.string
        self._order = self._compiled.positiontup       # None when the driver takes parameters by name
        self._processors = {}
        for name, bind in self._compiled.binds.items():
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self._processors[name] = processor

    def parameters(self, values: dict):
        parameters = self._compiled.construct_params(values)
        for name, processor in self._processors.items():
            parameters[name] = processor(parameters[name])
        return parameters if self._order is None else [parameters[name] for name in self._order]

    def run(self, cursor, values: dict):
        """Execute on a DB-API cursor; returns the cursor for its rows."""
        cursor.execute(self.sql, self.parameters(values))
        return cursor


@contextmanager
def sqlite_write_turn(engine: Engine):
    """Writers in all processes on one SQLite file take turns through an OS lock.

    SQLite's own wait for its write lock sleeps and polls (1, 2, 5 … 100 ms), leaving the lock
    free while the waiters sleep; the kernel hands this lock to the next waiter at once.
    Writers that do not take the turn (the CLI, evaluators' pages) still queue on SQLite's lock.
    """
    path = engine.url.database
    if not path or path == ":memory:" or path.startswith("file:"):
        yield
        return
    descriptor, in_process = _lock_file(os.getpid(), os.path.abspath(path) + "-writer.lock")
    with in_process:                       # flock is per open file: one thread of the process at a time
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)


@functools.cache
def _lock_file(_pid: int, path: str) -> tuple[int, threading.Lock]:
    """This process's descriptor of the lock file (a forked worker opens its own)."""
    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600), threading.Lock()
