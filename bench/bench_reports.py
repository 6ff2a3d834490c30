"""Benchmark: the staff documents of the demo campaign with N responses, as `survey report demo` makes them.

Fills the demo (SQLite in a temporary directory unless DATABASE_URL is set), reads and analyses its
responses as `survey report` does, then times each format alone (charts drawn afresh each time) and
the whole set (`reports.bundle.documents_for` with every format) with its steps.

    python bench/bench_reports.py [--responses 54340] [--keep DIR] [--formats pdf,docx] [--no-alone]
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=54_340)
    parser.add_argument("--keep", help="data directory to use and keep (re-uses an existing demo)")
    parser.add_argument("--formats", default="pdf,docx,xlsx,sav,csv", help="formats of the whole set")
    parser.add_argument("--no-alone", action="store_true", help="time the whole set only")
    args = parser.parse_args()
    os.environ["SURVEY_DATA_DIR"] = args.keep or tempfile.mkdtemp(prefix="survey-bench-reports-")
    os.environ.setdefault("SECRET_KEY", "bench")

    from dataclasses import replace

    from analysis import comments
    from reports import bundle
    from survey_app.app import create_app
    from survey_app.demo.build import build_demo
    from survey_app.services.report_files import campaign_context

    app = create_app()
    start = time.perf_counter()
    build_demo(app, args.responses, seed=3)
    print(f"fill {args.responses:,} responses: {time.perf_counter() - start:.1f} s (set-up, not a target)")
    with app.app_context():
        start = time.perf_counter()
        context, frame = campaign_context("demo", app.config["TIMEZONE"], None, lambda message: None)
        analysed = time.perf_counter() - start
    print(f"documents of {len(frame):,} responses in {len(context.counties)} counties "
          f"(read and analyse {analysed:.2f} s):")
    if comments.segmenter_load_seconds is not None:       # the digest of residents' comments loaded it
        print(f"  of which jieba's dictionary (once per process, for the comments' digest): "
              f"{comments.segmenter_load_seconds:.2f} s")

    def fresh():           # a context whose charts are not drawn yet
        return replace(context, _charts={})

    def size(files: bundle.Documents) -> str:
        return f"{len(files.files)} files, {sum(map(len, files.files.values())) / 1e6:.1f} MB"

    if not args.no_alone:
        for kind in bundle.FORMATS:
            start = time.perf_counter()
            files = bundle.documents_for(fresh(), frame, [kind])
            print(f"  {kind} alone ({size(files)})".ljust(44) + f"{time.perf_counter() - start:6.2f} s")

    steps, last = [], [time.perf_counter()]

    def progress(message: str) -> None:
        now = time.perf_counter()
        steps.append((message, now - last[0]))
        last[0] = now

    start = last[0] = time.perf_counter()
    files = bundle.documents_for(fresh(), frame, args.formats.split(","), progress)
    total = time.perf_counter() - start
    steps.append(("(after the last step)", time.perf_counter() - last[0]))
    grouped: dict[str, float] = {"(before the first step)": 0.0}
    previous = "(before the first step)"
    for message, seconds in steps:          # a step's time is spent after its message
        grouped[previous] = grouped.get(previous, 0.0) + seconds
        previous = message.split("：")[0]
    print(f"  whole set {args.formats} ({size(files)})".ljust(44) + f"{total:6.2f} s")
    for step, seconds in grouped.items():
        print(f"    {step:38s} {seconds:6.2f} s")
    print("  read, analyse and whole set".ljust(44) + f"{analysed + total:6.2f} s")


if __name__ == "__main__":
    main()
