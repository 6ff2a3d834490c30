"""Statements run on the driver's cursor bind values as SQLAlchemy does; SQLite writers take turns."""
import fcntl
import os
from contextlib import closing
from datetime import UTC

import pytest
from sqlalchemy import bindparam, select

from survey_app.models import Response, make_engine
from survey_app.services.driver_sql import DriverStatement, sqlite_write_turn
from tests.helpers import submit, valid_answers

_responses = Response.__table__


def test_a_statement_on_the_driver_finds_what_sqlalchemy_finds(app, channel_token, questionnaire):
    engine = app.extensions["survey_engine"]
    for code in "2345":
        assert submit(app.test_client(), channel_token, valid_answers(questionnaire, code)).status_code == 200
    with engine.connect() as connection:
        [(campaign_id, submitted)] = connection.execute(
            select(_responses.c.campaign_id, _responses.c.submitted_at).order_by(_responses.c.id).offset(2).limit(1)).all()
    # A timezone-aware time and a boolean go through the same conversions as in SQLAlchemy.
    query = select(_responses.c.submission_id).where(
        _responses.c.campaign_id == bindparam("campaign"), _responses.c.excluded == bindparam("excluded"),
        _responses.c.submitted_at <= bindparam("until", type_=_responses.c.submitted_at.type))
    values = {"campaign": campaign_id, "excluded": False, "until": submitted.astimezone(UTC)}
    with engine.connect() as connection:
        expected = sorted(connection.execute(query, values).scalars())
    with closing(engine.raw_connection()) as connection:
        found = sorted(row[0] for row in DriverStatement(query, engine.dialect).run(connection.cursor(), values))
    assert found == expected and found


def test_an_insert_must_be_given_the_columns_with_python_defaults(app):
    engine = app.extensions["survey_engine"]
    with pytest.raises(ValueError, match="defaults"):
        DriverStatement(_responses.insert(), engine.dialect, ["campaign_id", "submission_id"])


def test_sqlite_writers_of_every_process_take_turns(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'turns.db'}")
    other = os.open(tmp_path / "turns.db-writer.lock", os.O_RDWR | os.O_CREAT)   # another process's descriptor
    try:
        with sqlite_write_turn(engine):
            with pytest.raises(BlockingIOError):
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)      # free once the turn is over
    finally:
        os.close(other)
        engine.dispose()


def test_a_database_in_memory_needs_no_turn():
    engine = make_engine("sqlite://")
    with sqlite_write_turn(engine), engine.begin() as connection:
        assert connection.exec_driver_sql("select 1").scalar() == 1
