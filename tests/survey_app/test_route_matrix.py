"""Every route of the app, for a visitor and for each role: the status each must get.

Built from the app's URL map: a new route without an entry here fails the test.
"""
import pytest
from sqlalchemy import select

from survey_app import db
from survey_app.models import QuestionnaireVersion
from survey_app.services import campaigns, library
from tests.helpers import gen_campaign, gen_user, login, post

ANON, ADMIN, EVALUATOR, STAFF, STAFF_ELSEWHERE = "anonymous", "admin", "evaluator", "staff", "staff_elsewhere"
WHO = [ANON, ADMIN, EVALUATOR, STAFF, STAFF_ELSEWHERE]
LOGIN = "login"      # a redirect to the login page
OK = "ok"            # 200, or a redirect/422 of the action itself: allowed in any case

EVALUATOR_ONLY = {ANON: LOGIN, ADMIN: 403, EVALUATOR: OK, STAFF: 403, STAFF_ELSEWHERE: 403}
ADMIN_ONLY = {ANON: LOGIN, ADMIN: OK, EVALUATOR: 403, STAFF: 403, STAFF_ELSEWHERE: 403}
STAFF_ONLY = {ANON: LOGIN, ADMIN: 403, EVALUATOR: 403, STAFF: OK, STAFF_ELSEWHERE: OK}
PUBLIC = dict.fromkeys(WHO, OK)
KINDS = {"admin.channel_qr": "png", "admin.monitor_download": "csv", "admin.channels_zip": "qr",
         "admin.responses_download": "xlsx"}
ARGUMENTS = {"staff.county_results": {"code": "511502"}}        # a county, where other routes take a channel

# endpoint -> (method, expected status per visitor)
MATRIX = {
    "respond.index": ("GET", PUBLIC),
    "respond.favicon": ("GET", dict.fromkeys(WHO, 204)),
    "respond.questionnaire": ("GET", PUBLIC),
    "respond.submit": ("POST", dict.fromkeys(WHO, 400)),      # no form token: refused for everyone alike
    "respond.thanks": ("GET", dict.fromkeys(WHO, 404)),         # no receipt stored: no success page
    "static": ("GET", PUBLIC),
    "auth.login": ("GET", {ANON: OK, ADMIN: 302, EVALUATOR: 302, STAFF: 302, STAFF_ELSEWHERE: 302}),
    "auth.logout": ("POST", {ANON: LOGIN, ADMIN: 302, EVALUATOR: 302, STAFF: 302, STAFF_ELSEWHERE: 302}),
    "admin.accounts": ("GET", ADMIN_ONLY),
    "admin.account_edit": ("GET", ADMIN_ONLY),
    "admin.audit_log": ("GET", ADMIN_ONLY),
    "admin.campaigns": ("GET", EVALUATOR_ONLY),
    "admin.campaign_new": ("GET", EVALUATOR_ONLY),
    "admin.campaign": ("GET", EVALUATOR_ONLY),
    "admin.campaign_state": ("POST", EVALUATOR_ONLY),
    "admin.counties": ("GET", EVALUATOR_ONLY),
    "admin.counties_add": ("POST", EVALUATOR_ONLY),
    "admin.targets": ("GET", EVALUATOR_ONLY),
    "admin.targets_csv": ("GET", EVALUATOR_ONLY),
    "admin.quotas": ("GET", EVALUATOR_ONLY),
    "admin.channels": ("GET", EVALUATOR_ONLY),
    "admin.channels_add": ("POST", EVALUATOR_ONLY),
    "admin.channel_state": ("POST", EVALUATOR_ONLY),
    "admin.channel_qr": ("GET", EVALUATOR_ONLY),
    "admin.channels_zip": ("POST", EVALUATOR_ONLY),
    "admin.job": ("GET", EVALUATOR_ONLY | {EVALUATOR: 404}),          # no such job in the campaign
    "admin.job_file": ("GET", EVALUATOR_ONLY | {EVALUATOR: 404}),
    "admin.channel_poster": ("GET", EVALUATOR_ONLY),
    "admin.channel_try": ("GET", EVALUATOR_ONLY),            # a redirect to the residents' page in test mode
    "admin.tests_clear": ("POST", EVALUATOR_ONLY),
    "admin.quotas_closing": ("POST", EVALUATOR_ONLY),
    "admin.monitor": ("GET", EVALUATOR_ONLY),
    "admin.monitor_download": ("GET", EVALUATOR_ONLY),
    "admin.review": ("GET", EVALUATOR_ONLY),
    "admin.review_decide": ("POST", EVALUATOR_ONLY),
    "admin.response": ("GET", EVALUATOR_ONLY | {EVALUATOR: 404}),     # no such receipt in the campaign
    "admin.responses_download": ("GET", EVALUATOR_ONLY),
    "admin.county_rename": ("POST", EVALUATOR_ONLY),
    "admin.county_remove": ("POST", EVALUATOR_ONLY),
    "admin.questionnaires_page": ("GET", EVALUATOR_ONLY),
    "admin.questionnaire_import": ("POST", EVALUATOR_ONLY),
    "admin.questionnaire_edit": ("GET", EVALUATOR_ONLY),
    "admin.questionnaire_preview": ("GET", EVALUATOR_ONLY),
    "admin.questionnaire_phone": ("GET", EVALUATOR_ONLY),
    "admin.questionnaire_new": ("GET", EVALUATOR_ONLY),
    "admin.questionnaire_yaml": ("GET", EVALUATOR_ONLY),
    "admin.questionnaire_compare": ("GET", EVALUATOR_ONLY),
    "staff.campaigns": ("GET", STAFF_ONLY),
    "staff.campaign_results": ("GET", STAFF_ONLY),
    "staff.county_results": ("GET", {ANON: LOGIN, ADMIN: 403, EVALUATOR: 403, STAFF: OK, STAFF_ELSEWHERE: 403}),
    # A file by its id in the manifest of the newest run (none computed here: 404 for every staff member).
    "staff.file": ("GET", {ANON: LOGIN, ADMIN: 403, EVALUATOR: 403, STAFF: 404, STAFF_ELSEWHERE: 404}),
}


@pytest.fixture
def site(app, questionnaire):
    """A campaign with a channel, and one account of each kind."""
    token = gen_campaign(app, questionnaire)[0]
    with app.app_context(), db.session() as s:
        channel = campaigns.find_campaign(s, "test-2026").channels[0].code
    users = {ADMIN: gen_user(app, "root", "admin"), EVALUATOR: gen_user(app, "eva", "evaluator"),
             STAFF: gen_user(app, "cuiping", "staff", counties=["511502"]),
             STAFF_ELSEWHERE: gen_user(app, "nanxi", "staff", counties=["511503"])}
    with app.app_context(), db.session() as s:
        library.ensure_builtins(s)
        version = s.scalar(select(QuestionnaireVersion.id))
    values = {"slug": "test-2026", "code": channel, "token": token, "user_id": users[ADMIN],
              "filename": "workspace.css", "version_id": version, "submission_id": "x" * 22,
              "file_id": "0123456789abcdef", "job_id": 999}
    return values, {ADMIN: "root", EVALUATOR: "eva", STAFF: "cuiping", STAFF_ELSEWHERE: "nanxi"}


def test_every_route_has_an_entry(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(MATRIX), "add the new route to MATRIX with the status each visitor must get"


@pytest.mark.parametrize("who", WHO)
def test_each_visitor_gets_the_status_the_matrix_says(app, site, who):
    values, usernames = site
    client = app.test_client()
    if who != ANON:
        assert login(client, usernames[who]).status_code == 302
    # Logging out last: it ends the session the other routes are visited with.
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.endpoint == "auth.logout"):
        method, expected = MATRIX[rule.endpoint]
        url = rule.build({k: v for k, v in values.items() if k in rule.arguments} | (
            {"kind": KINDS[rule.endpoint]} if "kind" in rule.arguments else {}) | ARGUMENTS.get(rule.endpoint, {}))[1]
        url += {"admin.questionnaire_compare": f"?old={values['version_id']}&new={values['version_id']}",
                "admin.questionnaire_new": f"?from={values['version_id']}"}.get(rule.endpoint, "")
        response = client.get(url) if method == "GET" else post(client, url, page="/login")
        want = expected[who]
        if want == OK:
            assert response.status_code in (200, 302, 422), (rule.endpoint, who, response.status_code)
        elif want == LOGIN:
            assert response.status_code == 302 and response.headers["Location"].startswith("/login"), \
                (rule.endpoint, who, response.status_code)
        else:
            assert response.status_code == want, (rule.endpoint, who, response.status_code)


def test_staff_see_only_their_counties(app, site, client):
    login(client, "nanxi")
    page = client.get("/staff/").get_data(as_text=True)
    assert "南溪区" in page and "翠屏区" not in page


def test_every_route_carries_the_security_headers(app, site):
    values, usernames = site
    client = app.test_client()
    login(client, usernames[EVALUATOR])
    for rule in app.url_map.iter_rules():
        if MATRIX[rule.endpoint][0] != "GET" or rule.endpoint == "staff.file":
            continue
        url = rule.build({k: v for k, v in values.items() if k in rule.arguments} | (
            {"kind": KINDS[rule.endpoint]} if "kind" in rule.arguments else {}) | ARGUMENTS.get(rule.endpoint, {}))[1]
        headers = client.get(url).headers
        assert "frame-ancestors 'self'" in headers["Content-Security-Policy"], rule.endpoint
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"] == "no-referrer"


def test_the_form_page_is_never_cached_and_its_script_is_allowed_by_hash(app, site):
    values, _ = site
    page = app.test_client().get(f"/s/{values['token']}")
    assert page.headers["Cache-Control"] == "no-store"
    policy = page.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0] and "'sha256-" in policy
