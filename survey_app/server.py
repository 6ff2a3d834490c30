"""Run the app under gunicorn (a production WSGI server) from the CLI."""
from __future__ import annotations

import gc
from collections.abc import Callable

from flask import Flask
from gunicorn.app.base import BaseApplication
from werkzeug.exceptions import HTTPException

from survey_app import traffic


class _Server(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from survey_app import config
        from survey_app.app import create_app
        from survey_app.upload_gate import UploadGate
        app = create_app()
        # All the app has loaded lives as long as the worker: kept out of the collector's full
        # passes, which otherwise paused the workers at once for 100-250 ms under a crowd.
        gc.freeze()
        return UploadGate(app, config.upload_seconds(), body_limits(app), AT_WORK)


def body_limits(app: Flask) -> Callable[[dict], int]:
    """The largest body the app accepts at a request's address, as it decides: the residents' pages
    hold their form to far less than the workspace's uploads."""
    from survey_app.respond import bp as respond
    from survey_app.respond.routes import MAX_FORM_BYTES
    largest = app.config["MAX_CONTENT_LENGTH"]

    def limit(environ: dict) -> int:
        try:
            endpoint, _ = app.url_map.bind_to_environ(environ).match()
        except HTTPException:              # no such page (or method): the app answers without the body
            return largest
        return MAX_FORM_BYTES if endpoint.startswith(f"{respond.name}.") else largest
    return limit


AT_WORK = 4   # requests per process running the app at once; the other threads wait on slow uploads

# The access log holds no client address and no query string (a thank-you link carries a
# receipt): nothing in it ties a person to a response.
ACCESS_LOG_FORMAT = '%(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'


def run(bind: str, workers: int, threads: int) -> None:
    # A phone uploading over a weak signal holds one thread until its body has arrived; many threads
    # per worker (started only when needed) keep others served while hundreds upload slowly.
    # reuse_port: after a crash of the master, its orphaned workers keep the port while they finish
    # what they were serving; a server started at once binds beside them instead of failing.
    traffic.share_across_workers()     # before the workers fork: they count in the same memory
    _Server({"bind": bind, "workers": workers, "worker_class": "gthread", "threads": threads,
             "timeout": 60, "accesslog": "-", "access_log_format": ACCESS_LOG_FORMAT, "reuse_port": True}).run()
