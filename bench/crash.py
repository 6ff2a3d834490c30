"""Crash test: residents submit while workers and the whole server are killed (-9) at random moments.

    python bench/crash.py [--duration 60] [--rate 20] [--seed 1]

Builds a demo campaign in a temporary folder (SQLite; PostgreSQL when DATABASE_URL is set) and
serves it on a loopback port. Residents open a link and submit; like the page script, a resident
whose submission got no answer sends the same submission again until it is acknowledged. Every
one to three seconds a worker is killed, or the master alone (its workers orphaned), or the whole
server; a killed server is started again at once. At the end every acknowledged id must be stored
exactly once and the database must pass its integrity check; the exit status is 1 otherwise.
The test suite runs a short version of this.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

from load import HOST, channel_tokens, free_port, own_database, request

SECRET = "crash-bench"
SERVE = [sys.executable, "-c", "from survey_app.cli import main; main()", "serve"]


class Server:
    """`survey serve` that can be killed in parts and started again on the same port."""

    def __init__(self, port: int, workers: int):
        self.port, self.workers, self.process = port, workers, None
        self.kills: Counter = Counter()

    def start(self) -> None:
        self.process = subprocess.Popen([*SERVE, "--bind", f"{HOST}:{self.port}", "--workers", str(self.workers)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    def wait_up(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if request(self.port, "GET", "/favicon.ico")[0] == 204:
                    return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("the server did not come up")

    def kill_something(self, rng: random.Random) -> None:
        roll = rng.random()
        workers = _children(self.process.pid)
        if roll < 0.6 and workers:
            _kill(rng.choice(workers))                       # gunicorn starts a new worker
            self.kills["worker"] += 1
            return
        if roll < 0.8:
            _kill(self.process.pid)                          # the master alone: its workers are orphaned
            self.kills["master"] += 1
        else:
            self.stop()                                      # master and workers at once
            self.kills["server"] += 1
        self.process.wait()
        self.start()

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _children(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


class Residents:
    """Residents who keep sending their submission until it is acknowledged, as the page script does."""

    def __init__(self, port: int, tokens: list[str], items: list[str], codes: list[str]):
        self.port, self.tokens, self.items, self.codes = port, tokens, items, codes
        self.lock = threading.Lock()
        self.acknowledged: list[str] = []
        self.sends = Counter()
        self.gave_up = 0

    def resident(self, rng: random.Random, deadline: float) -> None:
        token = rng.choice(self.tokens)
        page = self._until_answered("GET", f"/s/{token}", None, deadline)
        if page is None:
            return
        form_token = re.search(rb'name="form_token" value="([^"]+)"', page).group(1).decode()
        answers = {"form_token": form_token, "respondent_type": rng.choice(["parent", "student", "teacher"]),
                   "area": rng.choice(["urban", "rural"]), "stage": rng.choice(["primary", "junior"]),
                   **{item: rng.choice(self.codes) for item in self.items}}
        reply = self._until_answered("POST", f"/s/{token}", urllib.parse.urlencode(answers).encode(), deadline)
        if reply is not None:
            receipt = urllib.parse.parse_qs(urllib.parse.urlsplit(json.loads(reply)["redirect"]).query)["r"][0]
            with self.lock:
                self.acknowledged.append(receipt)

    def _until_answered(self, method: str, path: str, body: bytes | None, deadline: float) -> bytes | None:
        headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Requested-With": "fetch"}
        while time.monotonic() < deadline:
            try:
                status, data = request(self.port, method, path, body, headers)
            except (OSError, http.client.HTTPException) as exc:     # e.g. a reply cut off by a kill
                status, data = type(exc).__name__, b""
            with self.lock:
                self.sends[f"{method} {status}"] += 1
            if status == 200:
                return data
            time.sleep(0.3)
        with self.lock:
            self.gave_up += 1
        return None


def check(acknowledged: list[str]) -> tuple[int, int, str]:
    """(acknowledged ids not stored, ids stored more than once, the database's integrity verdict)."""
    from sqlalchemy import func, select, text

    from survey_app import db
    from survey_app.app import create_app
    from survey_app.models import Response

    app = create_app()
    with app.app_context(), db.session() as session:
        counts = dict(session.execute(select(Response.submission_id, func.count()).group_by(Response.submission_id)).all())
        if session.bind.dialect.name == "sqlite":
            verdict = "; ".join(session.scalars(text("PRAGMA integrity_check")))
        else:
            session.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
            indexes = session.scalars(text("SELECT indexrelid::regclass::text FROM pg_index "
                                           "WHERE indrelid = 'responses'::regclass")).all()
            for index in indexes:
                session.execute(text("SELECT bt_index_check(CAST(:index AS regclass), true)"), {"index": index})
            verdict = f"ok (amcheck of {len(indexes)} indexes)"
    lost = sum(1 for receipt in acknowledged if receipt not in counts)
    doubled = sum(1 for n in counts.values() if n > 1)
    return lost, doubled, verdict


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=60, help="seconds of load and kills (at most 600)")
    parser.add_argument("--rate", type=float, default=20, help="residents per second (at most 200)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if not (0 < args.duration <= 600 and 0 < args.rate <= 200):
        raise SystemExit("duration must be in (0, 600] and rate in (0, 200]")
    # Every resident here comes from 127.0.0.1: lift the soft limit per address.
    os.environ.update(SECRET_KEY=SECRET, SURVEY_DATA_DIR=tempfile.mkdtemp(prefix="crash-"),
                      SURVEY_ADDRESS_KEY_FILE=os.path.join(tempfile.mkdtemp(prefix="crash-key-"), "address_key"),
                      SURVEY_ADDRESS_REQUESTS_PER_HOUR=str(10**9))
    with own_database() as database:
        sys.exit(run(args, database))


def run(args, database: str) -> int:
    subprocess.run([*SERVE[:-1], "demo", "--responses", "2000", "--no-serve"], check=True, stdout=subprocess.DEVNULL)
    tokens, items, codes = channel_tokens()
    server = Server(free_port(), args.workers)
    server.start()
    rng, killer = random.Random(args.seed), random.Random(args.seed + 1)
    residents = Residents(server.port, tokens, items, codes)
    try:
        server.wait_up()
        started = time.monotonic()
        stop_at = started + args.duration
        threads = []
        next_kill = started + killer.uniform(1, 3)
        for i in range(int(args.rate * args.duration)):
            planned = started + i / args.rate
            while time.monotonic() < planned:
                if time.monotonic() >= next_kill:
                    server.kill_something(killer)
                    next_kill = time.monotonic() + killer.uniform(1, 3)
                time.sleep(min(0.01, max(0.0, planned - time.monotonic())))
            thread = threading.Thread(target=residents.resident, args=(random.Random(rng.random()), stop_at + 60))
            thread.start()
            threads.append(thread)
        for thread in threads:
            thread.join()
    finally:
        server.stop()
    lost, doubled, verdict = check(residents.acknowledged)
    print(f"{database}, {args.workers} workers; {args.rate:g} residents/s for {args.duration:g} s; "
          f"killed: {dict(server.kills)}")
    unanswered = int(args.rate * args.duration) - len(residents.acknowledged)
    print(f"acknowledged {len(residents.acknowledged)}, lost {lost}, stored twice {doubled}, "
          f"gave up {residents.gave_up}, unaccounted {unanswered - residents.gave_up}; integrity: {verdict}")
    print(f"requests: {dict(sorted(residents.sends.items()))}")
    return 0 if lost == doubled == unanswered == 0 and verdict.startswith("ok") else 1


if __name__ == "__main__":
    main()
