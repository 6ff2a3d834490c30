"""The Alembic migrations build exactly the schema the models describe."""
from datetime import datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (JSON, Boolean, DateTime, Float, Integer, LargeBinary, MetaData, func, insert, select,
                        text)

from survey_app import db
from survey_app.models import Base, make_engine


def test_migrations_match_the_models(app):
    with app.extensions["survey_engine"].connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_a_database_holding_data_upgrades_through_every_revision(tmp_path):
    """An existing deployment upgrades with rows in every table (a table rebuilt by a migration would
    break the rows of other tables that refer to it)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'deployed.db'}")
    script = ScriptDirectory.from_config(db.alembic_config(engine))
    for revision in reversed([r.revision for r in script.walk_revisions()]):
        db.upgrade(engine, revision)
        _a_row_in_every_empty_table(engine)
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM campaigns")) == 1
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    engine.dispose()


def _a_row_in_every_empty_table(engine) -> None:
    tables = MetaData()
    tables.reflect(engine)
    with engine.begin() as connection:
        for table in tables.sorted_tables:          # parents first: a row's references exist
            if connection.scalar(select(func.count()).select_from(table)) or table.name == "alembic_version":
                continue
            row = {}
            for column in table.columns:
                if column.primary_key and isinstance(column.type, Integer) and not column.foreign_keys:
                    continue
                if column.foreign_keys:
                    parent = next(iter(column.foreign_keys)).column
                    row[column.name] = connection.scalar(select(parent).limit(1))
                elif not column.nullable or column.primary_key:
                    row[column.name] = _value(column.type)
            connection.execute(insert(table).values(**row))


def _value(kind):
    for types, value in ((Boolean, False), (Integer, 1), (Float, 1.0), (DateTime, datetime(2026, 1, 1)),
                         (JSON, {}), (LargeBinary, b"x")):
        if isinstance(kind, types):
            return value
    return "x"


def test_responses_stored_before_the_open_question_keep_their_rows_and_take_a_comment(tmp_path):
    """0006 adds responses.comment: rows from before it read as no comment; a long one round-trips."""
    engine = make_engine(f"sqlite:///{tmp_path / 'deployed.db'}")
    db.upgrade(engine, "0005")
    _a_row_in_every_empty_table(engine)
    with engine.connect() as connection:
        before = connection.execute(text("SELECT id, submission_id, answers FROM responses")).one()
    db.upgrade(engine)
    words = "食堂饭菜太贵😀，" * 125                       # 1,000 characters, some outside the BMP
    with engine.begin() as connection:
        assert connection.execute(text("SELECT id, submission_id, answers, comment FROM responses")).one() == (*before, None)
        connection.execute(text("UPDATE responses SET comment = :c WHERE id = :i"), {"c": words, "i": before[0]})
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT comment FROM responses")) == words
    engine.dispose()
