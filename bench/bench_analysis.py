"""Benchmark: `survey analyze` as a whole process, wall time and peak memory.

The job of issue 3: N simulated responses of the demo city (16 items, 10 counties),
raking to two margins, county, overall and item estimates with calibration-aware SEs,
all tables written. Inputs are generated once (the demo's simulation, no database)
and kept in --dir.

    python bench/bench_analysis.py [--sizes 54340,1000000] [--repeat 3] [--cluster] [--dir DIR]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path


def generate(path: Path, n: int) -> None:
    """The flat export layout for n simulated responses (and the demo's targets beside it)."""
    import questionnaires
    from survey_app.demo import simulation

    questionnaire = questionnaires.load(questionnaires.DEFAULT)
    table = simulation.plan_table()      # the demo's channels: one per school
    frame = simulation.simulate(questionnaire, table, n, datetime(2026, 11, 1), days=13)
    flat = simulation.flat_responses(questionnaire, frame, table)
    flat.to_csv(path, index=False, encoding="utf-8-sig")
    simulation.targets().to_csv(path.parent / "targets.csv", index=False, encoding="utf-8-sig")


def survey_command() -> list[str]:
    script = Path(sys.executable).parent / "survey"
    return [str(script)] if script.exists() else [sys.executable, "-c", "from survey_app.cli import main; main()"]


def run_once(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one whole process."""
    # As on a user's machine, the first run caches bytecode and later runs load it.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"failed: {' '.join(command)}\n{process.stderr.read().decode()}")
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="54340,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cluster", action="store_true", help="clusters = channel")
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "survey-bench-analysis")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    print(f"{'responses':>10}  {'wall s (min / median)':>22}  {'peak MB':>8}")
    for n in (int(s) for s in args.sizes.split(",")):
        data = args.dir / f"responses_{n}.csv"
        if not data.exists():
            started = time.perf_counter()
            generate(data, n)
            print(f"  (generated {data.name} in {time.perf_counter() - started:.1f} s)", file=sys.stderr)
        command = [*survey_command(), "analyze", str(data), "--targets", str(args.dir / "targets.csv"),
                   "--out", str(args.dir / f"out_{n}")]
        if args.cluster:
            command += ["--cluster", "channel"]
        runs = [run_once(command) for _ in range(args.repeat)]
        walls = [wall for wall, _ in runs]
        print(f"{n:>10}  {min(walls):>10.3f} / {statistics.median(walls):<9.3f}  "
              f"{max(peak for _, peak in runs):>8.0f}")


if __name__ == "__main__":
    main()
