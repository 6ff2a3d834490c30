"""Fixtures: app, client, database, CLI runner, questionnaire, the R reference case.

DATABASE_URL selects PostgreSQL; SQLite otherwise. Builders live in tests/helpers.py.
"""
from __future__ import annotations

import os
import shutil
import threading
from dataclasses import dataclass

import pandas as pd
import pytest
from click.testing import CliRunner
from sqlalchemy import text
from werkzeug.serving import make_server

import questionnaires
from survey_app import db, job_queue
from survey_app.app import create_app
from survey_app.cli import main
from survey_app.config import database_url
from survey_app.models import Base, make_engine
from tests.helpers import REFERENCE, gen_campaign


@pytest.fixture(scope="session")
def database(tmp_path_factory):
    if os.environ.get("DATABASE_URL"):
        url = database_url()
        engine = make_engine(url)
        with engine.begin() as conn:
            Base.metadata.drop_all(conn)
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        engine = make_engine(url)
    db.upgrade(engine)
    yield url
    engine.dispose()


@pytest.fixture
def app_config(database, tmp_path):
    return {"DATABASE_URL": database, "SECRET_KEY": "test-secret", "ADDRESS_KEY": "test-address-key",
            "LINK_CACHE_SECONDS": 0,
            "TESTING": True,
            "BASE_URL": "https://pj.example.cn", "SESSION_COOKIE_SECURE": False, "DATA_DIR": tmp_path / "data"}


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    yield app
    engine = app.extensions["survey_engine"]
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app, app_config):
    """Runs `survey ...` on the test database; returns the click Result."""
    cli = CliRunner()

    def invoke(*args):
        return cli.invoke(main, [str(a) for a in args], obj=app_config, catch_exceptions=False)
    return invoke


@pytest.fixture(scope="session")
def questionnaire():
    return questionnaires.load(questionnaires.DEFAULT)


@pytest.fixture
def channel_token(app, questionnaire):
    return gen_campaign(app, questionnaire)[0]


@dataclass(frozen=True)
class Reference:
    """The raking reference case (R survey, tests/analysis/reference/raking); copy before editing."""

    responses: pd.DataFrame
    targets: pd.DataFrame
    item_weights: dict[str, float]


@pytest.fixture(scope="session")
def reference():
    weights = pd.read_csv(REFERENCE / "item_weights.csv")
    return Reference(pd.read_csv(REFERENCE / "responses.csv", dtype={"county": str, "channel": str}),
                     pd.read_csv(REFERENCE / "targets.csv", dtype={"county": str}),
                     dict(zip(weights["item"], weights["weight"])))


@pytest.fixture
def server(app):
    """The app served on a free local port, for a real browser, with a worker running its job queue."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    stop = threading.Event()

    def work():
        while not stop.wait(0.2):
            job_queue.run_pending(app)
    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    stop.set()
    worker.join()
    httpd.shutdown()


@pytest.fixture
def browser():
    """Debian's headless Chromium driven by Playwright (the test is skipped without it)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("needs Debian's chromium")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic"])
        yield browser
        browser.close()
