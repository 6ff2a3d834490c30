"""Group commit: the submissions that arrive while one transaction commits share the next.

SQLite writes one transaction at a time and each commit waits for the disk (fsync); a
writer that finds the database locked sleeps and polls. With every submission in its own
transaction, a crowd's writers mostly slept: seconds-long tails on 2 cores. Here the
request threads of a process queue their writes; one of them (the leader) writes all
that are queued in one transaction, every other waits for that commit, then the next
waiting thread leads the writes queued meanwhile. A reply still comes only after its
write is committed.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(eq=False)
class Write:
    """One queued write: its arguments, and its outcome once its batch has run."""

    arguments: tuple
    result: Any = None
    error: BaseException | None = None
    lead: bool = False                   # woken to lead the next batch, not with an outcome
    done: threading.Event = field(default_factory=threading.Event)


class GroupCommit:
    """Runs `write_batch(writes)` for the writes queued in this process, one batch at a time.

    `write_batch` must set each write's result or error (and not raise).
    """

    def __init__(self, write_batch: Callable[[list[Write]], None]):
        self.write_batch = write_batch
        self.lock = threading.Lock()
        self.queued: list[Write] = []
        self.leading = False

    def run(self, *arguments):
        write = Write(arguments)
        with self.lock:
            self.queued.append(write)
            lead = not self.leading
            self.leading = True
        if not lead:
            write.done.wait()
        if lead or write.lead:
            self._lead()
        if write.error is not None:
            raise write.error
        return write.result

    def _lead(self) -> None:
        with self.lock:
            batch, self.queued = self.queued, []
        try:
            self.write_batch(batch)
        except BaseException as exc:     # not expected: every write of the batch reports it
            for write in batch:
                if write.result is None and write.error is None:
                    write.error = exc
        finally:
            with self.lock:
                if self.queued:                 # hand over to a thread that is waiting anyway
                    self.queued[0].lead = True
                    self.queued[0].done.set()
                else:
                    self.leading = False
            for write in batch:
                write.done.set()


_per_process: dict[tuple[int, int], GroupCommit] = {}
_per_process_lock = threading.Lock()


def for_process(key: int, write_batch: Callable[[list[Write]], None]) -> GroupCommit:
    """This process's GroupCommit for `key` (a forked worker gets its own)."""
    with _per_process_lock:
        return _per_process.setdefault((os.getpid(), key), GroupCommit(write_batch))
