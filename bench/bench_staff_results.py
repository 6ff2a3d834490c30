"""Benchmark: the staff results page of the demo while answers arrive.

Fills the demo (SQLite in a temporary directory unless --keep), then times a results run as the
job queue's worker runs it: until the page shows the new figures, and until every document is
made. Then a new answer arrives and the run is timed again; finally the page is viewed N times
while answers keep arriving (one per view) and the number of runs started is printed (one run
per campaign at a time: the views during a run start none).

    python bench/bench_staff_results.py [--responses 54340] [--views 19] [--keep DIR]
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=54_340)
    parser.add_argument("--views", type=int, default=19)
    parser.add_argument("--keep", help="data directory to use and keep (re-uses an existing demo)")
    args = parser.parse_args()
    os.environ["SURVEY_DATA_DIR"] = args.keep or tempfile.mkdtemp(prefix="survey-bench-staff-")
    os.environ.setdefault("SECRET_KEY", "bench")

    import threading

    from sqlalchemy import func, select

    from survey_app import db, job_queue
    from survey_app.app import create_app
    from survey_app.demo.build import build_demo
    from survey_app.models import ResultRun, User
    from survey_app.services import accounts, result_runs, results
    from survey_app.services.campaigns import find_campaign

    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False})
    db.upgrade(app.extensions["survey_engine"])
    started = time.perf_counter()
    demo = build_demo(app, args.responses, seed=3)
    print(f"demo of {args.responses:,} responses: {time.perf_counter() - started:.1f} s (set-up)")
    with app.app_context(), db.session() as s:
        if s.scalar(select(User).where(User.username == "bench-staff")) is None:
            accounts.create_user(s, username="bench-staff", display_name="bench", password="bench-password-1",
                                 role="staff")
    staff = app.test_client()
    staff.post("/login", data={"username": "bench-staff", "password": "bench-password-1"})
    resident = app.test_client()
    token = demo.links[0][-1].rsplit("/", 1)[-1]

    def one_answer() -> None:
        page = resident.get(f"/s/{token}").get_data(as_text=True)
        form_token = page.split('name="form_token" value="', 1)[1].split('"', 1)[0]
        answers = {f"q{i:02d}": "4" for i in range(1, 17)} | {"respondent_type": "parent", "area": "urban",
                                                               "stage": "primary"}
        resident.post(f"/s/{token}", data={"form_token": form_token, **answers})

    def timed_run(label: str) -> None:
        staff.get("/staff/c/demo/")                     # the view queues the run
        queue, begun = job_queue.queue(app), time.perf_counter()
        task = queue.dequeue()
        figures_at = []

        def watch() -> None:
            while not figures_at:
                with app.app_context(), db.session() as s:
                    run = result_runs.under_way(s, results.subject(find_campaign(s, "demo")))
                    if run is None or run.status in ("figures", "done"):
                        figures_at.append(time.perf_counter() - begun)
                time.sleep(0.05)
        watcher = threading.Thread(target=watch)
        watcher.start()
        queue.execute(task)
        total = time.perf_counter() - begun
        watcher.join()
        print(f"{label}: new figures on the page after {figures_at[0]:.1f} s, every document after {total:.1f} s")

    timed_run("first run")
    one_answer()
    timed_run("after one new answer")
    with app.app_context(), db.session() as s:
        before = s.scalar(select(func.max(ResultRun.id)))
    staff.get("/staff/c/demo/")
    for _ in range(args.views):
        one_answer()
        staff.get("/staff/c/demo/")
    with app.app_context(), db.session() as s:
        runs = s.scalar(select(func.count()).select_from(ResultRun).where(ResultRun.id > before))
    print(f"{args.views} views, each after a new answer, while a run waits or works: {runs} run(s) started")
    job_queue.run_pending(app)


if __name__ == "__main__":
    main()
