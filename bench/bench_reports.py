"""Benchmark: the staff documents of the demo campaign with N responses, each format timed alone.

Fills the demo (SQLite in a temporary directory unless DATABASE_URL is set), loads and analyses
its responses once, then renders each format and prints seconds per step and in total.

    python bench/bench_reports.py [--responses 54340] [--keep DIR]
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
    args = parser.parse_args()
    os.environ["SURVEY_DATA_DIR"] = args.keep or tempfile.mkdtemp(prefix="survey-bench-reports-")
    os.environ.setdefault("SECRET_KEY", "bench")

    from analysis.job import Settings, analyze
    from analysis.quality import QualitySettings
    from reports import bundle, documents
    from survey_app import db
    from survey_app.app import create_app
    from survey_app.demo.build import build_demo
    from survey_app.services import campaigns, responses, targets

    app = create_app()
    start = time.perf_counter()
    build_demo(app, args.responses, seed=3)
    print(f"fill {args.responses:,} responses: {time.perf_counter() - start:.1f} s (set-up, not a target)")
    with app.app_context(), db.session() as session:
        start = time.perf_counter()
        campaign = campaigns.find_campaign(session, "demo")
        frame = responses.load_frame(session.connection(), campaign, app.config["TIMEZONE"])
        q = campaign.questionnaire
        results = analyze(frame, q, targets.table(campaign),
                          Settings(quality=QualitySettings.for_questionnaire(q), cluster="channel"))
        context = documents.Context(results, q, {c.code: c.name for c in campaign.counties}, campaign.name,
                                    campaign.organizer, "")
    timings = {"load and analyse": time.perf_counter() - start}
    for kind in bundle.FORMATS:
        start = time.perf_counter()
        files = bundle.documents_for(context, frame, [kind])
        timings[f"{kind} ({len(files)} files, {sum(map(len, files.values())) / 1e6:.1f} MB)"] = \
            time.perf_counter() - start
    print(f"documents of {args.responses:,} responses in {len(context.counties)} counties:")
    for step, seconds in timings.items():
        print(f"  {step:40s} {seconds:6.2f} s")
    print(f"  {'all':40s} {sum(timings.values()):6.2f} s")


if __name__ == "__main__":
    main()
