"""Database access for the app and the CLI: engine, sessions, migrations."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from flask import Flask, current_app
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from survey_app.models import make_engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine, connection=None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        command.upgrade(alembic_config(engine, connection), revision)


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["survey_db"] = sessionmaker(engine, expire_on_commit=False)
    app.extensions["survey_engine"] = engine


def engine() -> Engine:
    return current_app.extensions["survey_engine"]


@contextmanager
def session() -> Session:
    """A session whose transaction commits on success and rolls back on error."""
    with current_app.extensions["survey_db"].begin() as s:
        yield s
