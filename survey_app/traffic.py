"""Requests per client address in sliding windows, counted across every worker process.

Redis when SURVEY_REDIS_URL is set (several machines share it); otherwise counters in memory
that the master of `survey serve` creates before its workers start, so they share them. A Redis
that cannot be reached falls back to those counters: residents are never refused for it.
"""
from __future__ import annotations

import hashlib
import logging
import mmap
import os
import time
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CrowdLimits:
    """What one address may do before it is slowed down or its responses flagged.

    200 genuine residents behind one school network in an hour make some 600 requests (form
    page, submission, a double tap or a reload), and at a parents' meeting where all answer within
    20 minutes, some 30 form pages a minute and 100 responses in 10 minutes: below each figure.
    """

    requests_per_hour: int = 1500          # form pages and submissions; beyond it: 429, answers kept
    forms_per_minute: int = 60             # form pages fetched; beyond it the response is flagged form_burst
    responses_per_10_minutes: int = 150    # responses stored; from it on they are flagged address_burst

    @classmethod
    def from_environment(cls) -> CrowdLimits:
        names = {"requests_per_hour": "SURVEY_ADDRESS_REQUESTS_PER_HOUR",
                 "forms_per_minute": "SURVEY_ADDRESS_FORMS_PER_MINUTE",
                 "responses_per_10_minutes": "SURVEY_ADDRESS_RESPONSES_PER_10_MINUTES"}
        return cls(**{field: int(os.environ[name]) for field, name in names.items() if os.environ.get(name)})


class SharedWindows:
    """Sliding-window counts in anonymous shared memory, bounded in size.

    A count-min sketch of two rows: each slot holds (window number, count in it, count in the
    one before). Two keys sharing a slot only ever raise a count, and the smaller of the two
    rows is taken, so a collision needs both rows to collide. There is no lock: a process holding
    one while the busy machine pauses it would stall every worker. Two processes counting the
    same address at the same instant may lose one count, which errs on the resident's side.
    """

    ROWS = 2

    def __init__(self, window_s: int, slots: int = 1 << 15):
        self.window_s, self.slots = window_s, slots
        self._memory = mmap.mmap(-1, self.ROWS * slots * 3 * 8)   # MAP_SHARED: seen by forked workers
        self._cells = memoryview(self._memory).cast("q")           # int64 triples, row after row

    def add(self, key: str, now: float | None = None) -> float:
        """Count one event for `key`; return the events in the last window, this one included."""
        number, into = divmod(time.time() if now is None else now, self.window_s)
        number = int(number)
        digest = hashlib.blake2b(key.encode(), digest_size=16).digest()
        starts = (int.from_bytes(digest[:8], "big") % self.slots * 3,
                  (self.slots + int.from_bytes(digest[8:], "big") % self.slots) * 3)
        cells, counts = self._cells, []
        for at in starts:
            if cells[at] != number:
                cells[at + 2] = cells[at + 1] if cells[at] == number - 1 else 0
                cells[at], cells[at + 1] = number, 0
            cells[at + 1] += 1
            counts.append(_sliding(cells[at + 1], cells[at + 2], into / self.window_s))
        return min(counts)


class RedisWindows:
    """The same counts kept in Redis, for workers on several machines."""

    def __init__(self, client, window_s: int, prefix: str, fallback: SharedWindows):
        self.client, self.window_s, self.prefix, self.fallback = client, window_s, prefix, fallback
        self._down_until = 0.0

    def add(self, key: str, now: float | None = None) -> float:
        now = time.time() if now is None else now
        if now < self._down_until:
            return self.fallback.add(key, now)
        number, into = divmod(now, self.window_s)
        current, previous = f"{self.prefix}:{key}:{int(number)}", f"{self.prefix}:{key}:{int(number) - 1}"
        try:
            pipe = self.client.pipeline(transaction=False)
            pipe.incr(current).expire(current, 2 * self.window_s).get(previous)
            count, _, before = pipe.execute()
        except Exception as exc:      # any Redis failure: count here for a minute, then try again
            log.warning("Redis unreachable (%s); counting in this server's memory for a minute", exc)
            self._down_until = now + 60
            return self.fallback.add(key, now)
        return _sliding(int(count), int(before or 0), into / self.window_s)


def _sliding(current: int, previous: int, elapsed_fraction: float) -> float:
    """The usual sliding-window estimate: all of this window and the unexpired part of the last."""
    return current + previous * (1.0 - elapsed_fraction)


# Created by the master of `survey serve` before it forks its workers (share_across_workers).
_shared: dict[str, SharedWindows] = {}
WINDOWS = {"requests": 3600, "forms": 60}


def share_across_workers() -> None:
    """Create the in-memory counters now, in the process whose children will serve."""
    for name, window_s in WINDOWS.items():
        _shared.setdefault(name, SharedWindows(window_s))


def counters(redis_url: str | None) -> dict[str, SharedWindows | RedisWindows]:
    """One counter per window: Redis-backed when a URL is given, else the shared or a private one."""
    local = {name: _shared.get(name) or SharedWindows(window_s) for name, window_s in WINDOWS.items()}
    if not redis_url:
        return local
    import redis
    client = redis.Redis.from_url(redis_url, socket_timeout=0.25, socket_connect_timeout=0.25)
    return {name: RedisWindows(client, WINDOWS[name], f"survey:{name}", local[name]) for name in WINDOWS}
