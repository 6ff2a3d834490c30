"""Benchmark: posters and QR codes of N channels, built as the job queue's worker builds the ZIP.

Makes a campaign with N channels (SQLite in a temporary directory), queues the ZIP of every
channel's posters and of every channel's QR codes, runs each job and prints its time, its rate
and the ZIP's size; with --separately, also the time of setting each poster as its own document
(how the ZIP was built before posters were set in batches and split).

    python bench/bench_posters.py [--channels 500] [--separately]
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--channels", type=int, default=500)
    parser.add_argument("--separately", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-posters-"))
    os.environ.update(SURVEY_DATA_DIR=str(folder), SURVEY_ADDRESS_KEY_FILE=str(folder.parent / f"{folder.name}.key"))

    import questionnaires
    from reports import posters
    from survey_app import db, job_queue
    from survey_app.app import create_app
    from survey_app.io.counties import CountyRow
    from survey_app.models import Job
    from survey_app.services import campaigns, channel_files

    app = create_app({"BASE_URL": "https://pj.example.cn"})
    db.upgrade(app.extensions["survey_engine"])
    counties = [CountyRow(f"5115{i:02d}", f"第{i}区") for i in range(1, 11)]
    now = datetime.now(UTC)
    with app.app_context(), db.session() as s:
        campaign = campaigns.create_campaign(s, slug="bench", name="2026年某市义务教育群众满意度调查", organizer="某市人民政府教育督导室",
                                             questionnaire=questionnaires.load(questionnaires.DEFAULT), counties=counties,
                                             opens_at=now, closes_at=now + timedelta(days=20))
        s.flush()
        per_county = args.channels // len(counties)
        for county in counties:
            campaigns.add_channels(s, campaign, [(county.code, f"{county.name}第{i}中心小学") for i in range(1, per_county + 1)],
                                  None)
    for kind in ("posters", "qr"):
        with app.app_context():
            with db.session() as s:
                job = channel_files.request_zip(s, campaigns.find_campaign(s, "bench"), kind, None, "bench", folder)
            job_queue.enqueue("channel_files", job.id)
        started = time.perf_counter()
        job_queue.run_pending(app)
        seconds = time.perf_counter() - started
        with app.app_context(), db.session() as s:
            job = s.get(Job, job.id)
            size = channel_files.file_path(folder, job).stat().st_size
            print(f"{kind:8s} {job.total} 个渠道：{seconds:.1f} s（{job.total / seconds:.0f} 个/秒），ZIP {size / 1e6:.1f} MB，{job.status}")
    if args.separately:
        with app.app_context(), db.session() as s:
            campaign = campaigns.find_campaign(s, "bench")
            made = [channel_files.poster(ch, "https://pj.example.cn/s/" + ch.token, "Asia/Shanghai") for ch in campaign.channels]
        font = posters._font(made)
        started = time.perf_counter()
        for poster in made:
            posters.render([poster], font)
        seconds = time.perf_counter() - started
        print(f"每张单独排版：{len(made)} 张 {seconds:.1f} s（{len(made) / seconds:.0f} 张/秒）")


if __name__ == "__main__":
    main()
