"""Accounts on the administrators' page and the command line: what is checked before anything is saved."""
from sqlalchemy import select

from survey_app import db
from survey_app.models import User
from tests.helpers import PASSWORD, gen_campaign, gen_user, login, post

BAD_CODES = "51050x, 999999，<script>, 511502"


def account(app, username):
    with app.app_context(), db.session() as s:
        user = s.scalar(select(User).where(User.username == username))
        return user and (user.role, sorted(user.county_codes), user.password_hash)


def test_a_county_limit_names_every_unknown_code_and_creates_no_account(app, client, questionnaire):
    gen_campaign(app, questionnaire)
    gen_user(app, "root", "admin")
    login(client, "root")
    r = post(client, "/admin/accounts", {"username": "nanxi", "role": "staff", "counties": BAD_CODES,
                                         "password": "staff-secret-1"})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "51050x、999999、&lt;script&gt;" in page and "<script>," not in page
    assert account(app, "nanxi") is None


def test_a_changed_county_limit_is_checked_before_anything_changes(app, client, questionnaire):
    gen_campaign(app, questionnaire)
    gen_user(app, "root", "admin")
    user_id = gen_user(app, "nanxi", "staff", counties=["511503"])
    before = account(app, "nanxi")
    login(client, "root")
    page = f"/admin/accounts/{user_id}"
    r = post(client, page, {"display_name": "南溪", "role": "evaluator", "active": "y", "counties": BAD_CODES,
                            "password": "another-secret-2"}, page=page)
    assert "51050x、999999、&lt;script&gt;" in r.get_data(as_text=True)
    assert account(app, "nanxi") == before
    post(client, page, {"display_name": "南溪", "role": "staff", "active": "y", "counties": "511502，511503"},
         page=page)
    assert account(app, "nanxi")[:2] == ("staff", ["511502", "511503"])


def test_a_county_limit_before_any_campaign_says_to_create_one_first(app, client):
    gen_user(app, "root", "admin")
    login(client, "root")
    r = post(client, "/admin/accounts", {"username": "nanxi", "role": "staff", "counties": "511503",
                                         "password": "staff-secret-1"})
    assert "还没有任何调查" in r.get_data(as_text=True) and account(app, "nanxi") is None


def test_the_command_line_checks_county_limits_too(app, runner, questionnaire):
    gen_campaign(app, questionnaire)
    result = runner("user", "create", "nanxi", "--role", "staff", "--counties", BAD_CODES, "--password", PASSWORD)
    assert result.exit_code == 1 and "51050x、999999、<script>" in result.output
    assert account(app, "nanxi") is None
    assert runner("user", "create", "nanxi", "--role", "staff", "--counties", "511503",
                  "--password", PASSWORD).exit_code == 0
    assert account(app, "nanxi")[1] == ["511503"]
