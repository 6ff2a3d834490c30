"""App, client and database fixtures. DATABASE_URL selects PostgreSQL; SQLite otherwise."""
from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

import questionnaires
from survey_app import db
from survey_app.app import create_app
from survey_app.config import database_url
from survey_app.models import Base, make_engine
from survey_app.services import campaigns

COUNTIES = [campaigns.CountyRow("511502", "翠屏区"), campaigns.CountyRow("511503", "南溪区"),
            campaigns.CountyRow("511523", "江安县")]


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
def app(database):
    app = create_app({"DATABASE_URL": database, "SECRET_KEY": "test-secret", "TESTING": True})
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
def questionnaire():
    return questionnaires.load("county_education_satisfaction")


def gen_campaign(app, questionnaire, *, slug="test-2026", opens=-1, closes=30, simulated=False):
    """A campaign open from `opens` to `closes` days from now, with one channel per county."""
    now = datetime.now(timezone.utc)
    with app.app_context(), db.session() as session:
        campaign = campaigns.create_campaign(
            session, slug=slug, name="测试调查", organizer="市教育督导室", questionnaire=questionnaire,
            counties=COUNTIES, opens_at=now + timedelta(days=opens), closes_at=now + timedelta(days=closes),
            simulated=simulated)
        tokens = [campaigns.add_channel(session, campaign, c.code, f"{c.name}海报").token
                  for c in COUNTIES]
    return tokens


@pytest.fixture
def channel_token(app, questionnaire):
    return gen_campaign(app, questionnaire)[0]


def valid_answers(questionnaire, code="4", **overrides):
    answers = {"respondent_type": "parent", "area": "urban", "stage": "primary"}
    answers.update({item_id: code for item_id in questionnaire.item_ids})
    answers.update(overrides)
    return answers
