"""The data folder and the SQLite database hold password hashes and the audit log: this account's only."""
import os
import sqlite3
import stat

import pytest
from sqlalchemy import text

from survey_app import db
from survey_app.app import create_app

SUFFIXES = ("", "-wal", "-shm")


@pytest.fixture
def umask_022():
    old = os.umask(0o022)           # the usual umask, under which files are created 0644
    yield
    os.umask(old)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def make_app(data):
    return create_app({"DATABASE_URL": f"sqlite:///{data / 'survey.db'}", "DATA_DIR": data,
                       "SECRET_KEY": "k", "ADDRESS_KEY": "a"})


def test_a_new_database_and_its_wal_files_are_created_for_this_account_only(tmp_path, umask_022):
    data = tmp_path / "survey-data"
    engine = make_app(data).extensions["survey_engine"]
    db.upgrade(engine)
    with engine.connect() as connection:            # while it is open, the -wal and -shm files exist
        connection.execute(text("SELECT count(*) FROM users"))
        assert mode(data) == 0o700
        assert {suffix: mode(f"{data / 'survey.db'}{suffix}") for suffix in SUFFIXES} == dict.fromkeys(SUFFIXES, 0o600)
    engine.dispose()


def test_an_existing_database_is_tightened_when_the_app_starts(tmp_path, umask_022):
    data = tmp_path / "survey-data"
    data.mkdir(mode=0o755)
    left_open = sqlite3.connect(data / "survey.db")   # an older version left 0644 files behind
    left_open.execute("PRAGMA journal_mode=WAL")
    left_open.execute("CREATE TABLE t (x)")
    assert mode(data / "survey.db-wal") == 0o644
    make_app(data)
    assert mode(data) == 0o700
    assert {suffix: mode(f"{data / 'survey.db'}{suffix}") for suffix in SUFFIXES} == dict.fromkeys(SUFFIXES, 0o600)
    left_open.close()


def test_a_generated_secret_key_sits_in_a_private_data_folder(tmp_path, umask_022, monkeypatch):
    data = tmp_path / "survey-data"
    monkeypatch.setenv("SURVEY_DATA_DIR", str(data))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    create_app({"DATABASE_URL": "sqlite://", "ADDRESS_KEY": "a"})
    assert mode(data) == 0o700 and mode(data / "secret_key") == 0o600
