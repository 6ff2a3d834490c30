"""Benchmark: the fieldwork monitor page's server time with N responses in a campaign.

Fills the demo campaign with N simulated responses (SQLite in a temporary directory unless
DATABASE_URL is set), logs in as the demo's evaluator, and times GET of the monitor page in
the app (Flask's test client, so no network): the first view (which counts everything once
into the snapshot), then repeated views, then views after new responses arrive.

    python bench/bench_monitor.py [--responses 1000000] [--repeat 20] [--keep DIR]
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta


def timed(client, path: str) -> float:
    start = time.perf_counter()
    response = client.get(path)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, response.status_code
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--keep", help="data directory to use and keep (re-uses an existing demo)")
    args = parser.parse_args()
    os.environ["SURVEY_DATA_DIR"] = args.keep or tempfile.mkdtemp(prefix="survey-bench-monitor-")
    os.environ.setdefault("SECRET_KEY", "bench")

    import pandas as pd
    from sqlalchemy import delete

    from survey_app import db
    from survey_app.app import create_app
    from survey_app.demo import simulation
    from survey_app.demo.build import build_demo
    from survey_app.models import MonitorSnapshot
    from survey_app.services import campaigns, responses

    app = create_app()
    start = time.perf_counter()
    demo = build_demo(app, args.responses, seed=11)
    print(f"fill {args.responses:,} responses: {time.perf_counter() - start:.1f} s (set-up, not a target)")
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    username, password = demo.evaluator
    client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    path = "/admin/c/demo/monitor"
    with app.app_context(), db.session() as session:      # measure the first count from scratch
        session.execute(delete(MonitorSnapshot))

    first = timed(client, path)
    steady = [timed(client, path) for _ in range(args.repeat)]
    with app.app_context(), db.session() as session:
        campaign = campaigns.find_campaign(session, "demo")
        channels = pd.DataFrame([(ch.id, ch.county_id, ch.county.code) for ch in campaign.channels],
                                columns=["channel_id", "county_id", "county_code"])
        frame = simulation.simulate(campaign.questionnaire, channels, 500, datetime.now(UTC)
                                    - timedelta(minutes=30), days=0.02, seed=12)
        frame["submission_id"] = [f"new{i:06d}" for i in range(len(frame))]
        responses.insert_many(session.connection(), campaign, frame)
    after_new = timed(client, path)
    refresh = [timed(client, path + "?part=1") for _ in range(args.repeat)]
    print(f"monitor page, {args.responses:,} responses in the campaign ({app.config['DATABASE_URL'].split(':')[0]}):")
    print(f"  first view (counts everything into the snapshot): {first * 1000:,.0f} ms")
    print(f"  later views: median {statistics.median(steady) * 1000:.0f} ms, max {max(steady) * 1000:.0f} ms "
          f"({args.repeat} views)")
    print(f"  first view after 500 new responses: {after_new * 1000:.0f} ms")
    print(f"  the refreshing part: median {statistics.median(refresh) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
