"""Benchmark: fill a campaign with N simulated responses, then time loading them into a
DataFrame and the streaming CSV export, each in its own process (so peak memory is its own),
and measure the respondent page's size.

    python bench/bench_responses.py [--responses 1000000] [--keep DIR]

Uses SQLite in a temporary directory unless DATABASE_URL is set.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time


def _peak_mb() -> float:
    """This process's own peak RSS (ru_maxrss would carry the parent's peak across exec)."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def measure(kind: str) -> None:
    """Child process: one measurement, printed as JSON."""
    from survey_app import db
    from survey_app.app import create_app
    from survey_app.services import campaigns, responses

    app = create_app()
    with app.app_context(), db.session() as session:
        campaign = campaigns.find_campaign(session, "demo")
        start = time.perf_counter()
        if kind == "load":
            frame = responses.load_frame(session.connection(), campaign)
            rows = len(frame)
        else:
            with open(os.environ["BENCH_OUT"], "w", encoding="utf-8", newline="") as out:
                rows = responses.export_csv(session.connection(), campaign, out)
        seconds = time.perf_counter() - start
    print(json.dumps({"rows": rows, "seconds": seconds, "peak_mb": _peak_mb()}))


def page_bytes() -> tuple[int, int]:
    from survey_app import db
    from survey_app.app import create_app
    from survey_app.services import campaigns

    app = create_app()
    with app.app_context(), db.session() as session:
        token = campaigns.find_campaign(session, "demo").channels[0].token
    body = app.test_client().get(f"/s/{token}").data
    return len(body), len(gzip.compress(body))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--keep", help="data directory to use and keep (re-uses an existing demo)")
    parser.add_argument("--measure", choices=["load", "export"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        return measure(args.measure)

    directory = args.keep or tempfile.mkdtemp(prefix="survey-bench-")
    os.environ["SURVEY_DATA_DIR"] = directory
    os.environ.setdefault("SECRET_KEY", "bench")
    from survey_app.app import create_app
    from survey_app.demo.build import build_demo

    start = time.perf_counter()
    build_demo(create_app(), args.responses, seed=7)
    print(f"fill {args.responses:,} responses: {time.perf_counter() - start:.1f} s (set-up, not a target)")
    env = {**os.environ, "BENCH_OUT": os.path.join(directory, "export.csv")}
    for kind in ("load", "export"):
        child = subprocess.run([sys.executable, __file__, "--measure", kind], env=env,
                               capture_output=True, text=True, check=True)
        result = json.loads(child.stdout.strip().splitlines()[-1])
        print(f"{kind:6s} {result['rows']:,} responses: {result['seconds']:.2f} s, "
              f"peak memory {result['peak_mb']:.0f} MB (whole process)")
    size = os.path.getsize(env["BENCH_OUT"]) / 1e6
    print(f"export file: {size:.0f} MB")
    raw, packed = page_bytes()
    print(f"respondent page (HTML + inline CSS + JS, no other request): {raw:,} bytes, {packed:,} gzipped")


if __name__ == "__main__":
    main()
