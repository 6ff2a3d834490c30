"""Database access for the app and the CLI: engine, sessions, migrations."""
from __future__ import annotations

import os
from contextlib import contextmanager, suppress
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from survey_app.models import make_engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine, connection=None):
    """Alembic's configuration (imported here: only upgrades need it, and it takes 0.4 s to import)."""
    from alembic.config import Config
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command
    with engine.begin() as connection:
        command.upgrade(alembic_config(engine, connection), revision)


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    keep_private(Path(app.config["DATA_DIR"]), engine)
    app.extensions["survey_db"] = sessionmaker(engine, expire_on_commit=False)
    app.extensions["survey_engine"] = engine


def keep_private(data_dir: Path, engine: Engine) -> None:
    """The data folder (0700) and a SQLite database with its -wal, -shm and lock files (0600) are
    this account's only: they hold password hashes and the audit log.

    A new database file is created 0600 before SQLite first opens it (its -wal and -shm take the
    database file's mode); the files of an existing one are tightened (another account's files,
    which this one may not change, are left as they are).
    """
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if path and path != ":memory:" and not path.startswith("file:"):
        database = Path(path).resolve()
        database.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT, 0o600))
        for suffix in ("", "-wal", "-shm", "-journal", "-writer.lock"):
            with suppress(FileNotFoundError, PermissionError):
                os.chmod(f"{database}{suffix}", 0o600)
    with suppress(FileNotFoundError, PermissionError):
        os.chmod(data_dir, 0o700)


def engine() -> Engine:
    return current_app.extensions["survey_engine"]


@contextmanager
def session() -> Session:
    """A session whose transaction commits on success and rolls back on error."""
    with current_app.extensions["survey_db"].begin() as s:
        yield s
