"""Background work on a kept queue (huey): what an evaluator asks for survives a restarted web
worker, and every machine running `survey worker` shares the work.

The queue lives in DATA_DIR/jobs.db (SQLite) by default, or in Redis at SURVEY_REDIS_URL when
several servers share one deployment. `survey serve` and `survey demo` start a worker process
beside the web server; `survey worker` runs one on its own.
"""
from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey

from survey_app.services import channel_files

QUEUE_FILE = "jobs.db"
POLL_S = 1.0                 # the longest an idle worker waits before looking at the queue again


def init_app(app: Flask) -> None:
    app.extensions["survey_jobs"] = None      # opened on first use: most commands never queue anything


def queue(app: Flask) -> Huey:
    """The app's queue with the tasks it runs, registered by name alike on the web and the worker side."""
    with _opening:
        if app.extensions["survey_jobs"] is None:
            app.extensions["survey_jobs"] = _with_tasks(app, _queue(app))
    return app.extensions["survey_jobs"]


_opening = threading.Lock()


def _with_tasks(app: Flask, jobs: Huey) -> Huey:
    sessions = app.extensions["survey_db"]

    @jobs.task(retries=1, retry_delay=5, name="channel_files")
    def channel_files_task(job_id: int) -> None:
        channel_files.build(sessions, job_id, app.config["DATA_DIR"], app.config["BASE_URL"], app.config["TIMEZONE"])

    jobs.tasks = {"channel_files": channel_files_task}
    return jobs


def enqueue(task: str, *args) -> bool:
    """Queue a task; False when the queue cannot be reached (Redis down), which the caller reports."""
    try:
        queue(current_app._get_current_object()).tasks[task](*args)
    except Exception:
        current_app.logger.exception("could not queue %s%s", task, args)
        return False
    return True


def _queue(app: Flask) -> Huey:
    if app.config["REDIS_URL"]:
        return RedisHuey("county-survey", url=app.config["REDIS_URL"], results=False)
    path = Path(app.config["DATA_DIR"]) / QUEUE_FILE
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))     # private before SQLite first opens it
    return SqliteHuey("county-survey", filename=str(path), results=False)


def run_pending(app: Flask) -> int:
    """Run what is queued, here and now (tests and `survey worker --once`); the number run."""
    jobs, count = queue(app), 0
    while (task := jobs.dequeue()) is not None:
        jobs.execute(task)
        count += 1
    return count


def work(app: Flask, workers: int, parent: int | None = None) -> None:
    """Run queued tasks until stopped (Ctrl-C or SIGTERM finish the running tasks first). With
    `parent`, stop also when that process has gone (a worker started by `survey serve`)."""
    consumer = queue(app).create_consumer(workers=workers, worker_type="thread", periodic=False, max_delay=POLL_S)
    if parent is not None:
        threading.Thread(target=_stop_when_gone, args=(parent,), daemon=True).start()
    consumer.run()


def _stop_when_gone(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os.kill(os.getpid(), signal.SIGTERM)
