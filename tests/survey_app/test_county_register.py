"""The county register holds every county a campaign names, by code, under its latest name."""
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from survey_app import db
from survey_app.io.counties import CountyRow
from survey_app.models import RegisteredCounty, make_engine
from survey_app.services import accounts, campaigns
from tests.helpers import COUNTIES, gen_campaign
from tests.survey_app.test_migrations import _a_row_in_every_empty_table


def _register(app) -> dict[str, str]:
    with app.app_context(), db.session() as session:
        return dict(session.execute(select(RegisteredCounty.code, RegisteredCounty.name)).all())


def test_campaigns_register_their_counties_and_the_latest_name_wins(app, questionnaire):
    gen_campaign(app, questionnaire)
    assert _register(app) == {c.code: c.name for c in COUNTIES}
    with app.app_context(), db.session() as session:
        campaign = campaigns.find_campaign(session, "test-2026")
        campaigns.add_counties(session, campaign, [CountyRow("511529", "屏山县")], by=None)
        campaigns.rename_county(session, campaign, CountyRow("511502", "翠屏区（新）"), by=None)
    now = datetime.now(UTC)
    with app.app_context(), db.session() as session:      # next year's campaign, the old name again
        campaigns.create_campaign(session, slug="test-2027", name="次年调查", organizer="市教育督导室",
                                  questionnaire=questionnaire, counties=[CountyRow("511502", "翠屏区")],
                                  opens_at=now, closes_at=now + timedelta(days=30))
    assert _register(app) == {"511502": "翠屏区", "511503": "南溪区", "511523": "江安县", "511529": "屏山县"}


def test_a_county_stays_registered_when_its_campaign_drops_it(app, questionnaire):
    gen_campaign(app, questionnaire)
    with app.app_context(), db.session() as session:
        campaign = campaigns.find_campaign(session, "test-2026")
        campaigns.add_counties(session, campaign, [CountyRow("511529", "屏山县")], by=None)
        campaigns.remove_county(session, campaign, "511529", by=None)
    with app.app_context(), db.session() as session:      # an account may still be limited to it
        user = accounts.create_user(session, username="pingshan", display_name="屏山", password="Long-pass-2026",
                                    role="staff", counties=["511529"])
        assert user.county_codes == frozenset({"511529"})


def test_the_migration_registers_existing_counties_under_their_newest_campaigns_name(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'deployed.db'}")
    db.upgrade(engine, "0006")
    _a_row_in_every_empty_table(engine)         # a campaign with county "x"
    with engine.begin() as connection:
        campaign = connection.scalar(text("SELECT id FROM campaigns"))
        connection.execute(text("INSERT INTO counties (campaign_id, code, name) VALUES (:c, '511502', '旧名'), "
                                "(:c, '511503', '南溪区')"), {"c": campaign})
        connection.execute(text("INSERT INTO campaigns (slug, name, organizer, questionnaire_id, "
                                "questionnaire_version, questionnaire_snapshot, opens_at, closes_at, simulated, "
                                "paused, close_full_quotas, created_at) SELECT 'y2', name, organizer, "
                                "questionnaire_id, questionnaire_version, questionnaire_snapshot, opens_at, "
                                "closes_at, simulated, paused, close_full_quotas, created_at FROM campaigns"))
        newer = connection.scalar(text("SELECT id FROM campaigns WHERE slug = 'y2'"))
        connection.execute(text("INSERT INTO counties (campaign_id, code, name) VALUES (:c, '511502', '翠屏区')"),
                           {"c": newer})
    db.upgrade(engine)
    with engine.connect() as connection:
        assert dict(connection.execute(text("SELECT code, name FROM county_register")).all()) == {
            "x": "x", "511502": "翠屏区", "511503": "南溪区"}
    engine.dispose()
