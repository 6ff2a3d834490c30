"""The audit page: every action and detail in Chinese, shown whole."""
import ast
import re
from datetime import UTC, datetime
from pathlib import Path

import survey_app
from survey_app import db
from survey_app.services import audit, campaigns, library
from tests.helpers import PASSWORD, gen_campaign, gen_user, login


def audit_calls():
    """(file, action names, detail keys) of every audit.record call in the package."""
    for path in Path(survey_app.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "audit.record":
                action = node.args[2]
                names = [action.body, action.orelse] if isinstance(action, ast.IfExp) else [action]
                yield path.name, [n.value for n in names], [k.arg for k in node.keywords if k.arg != "username"]


def test_every_audited_action_and_detail_has_a_chinese_label():
    calls = list(audit_calls())
    assert len(calls) > 20
    for file, actions, keys in calls:
        assert set(actions) <= set(audit.ACTIONS), (file, actions)
        assert set(keys) <= set(audit.DETAILS), (file, keys)


def details_column(page: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r'<td class="detail">(.*?)</td>', page, re.DOTALL)]


def test_codes_and_yes_or_no_are_shown_in_chinese(app, client, questionnaire):
    gen_campaign(app, questionnaire)
    gen_user(app, "root", "admin")
    gen_user(app, "nanxi", "staff", counties=["511503"])
    with app.app_context(), db.session() as s:
        campaign = campaigns.find_campaign(s, "test-2026")
        campaigns.change_state(s, campaign, "pause", datetime.now(UTC), None)
        campaigns.set_channel_disabled(s, campaign.channels[0], False, None)
        version = library.versions(s)[0][0]
        library.create(s, {**version.definition, "version": "2099.1"}, None)
    login(client, "root")
    details = details_column(client.get("/admin/audit").get_data(as_text=True))
    assert "操作：暂停" in details and "停用：否" in details and "另存为新版本：是" in details
    assert "角色：工作人员；区县：511503" in details and "角色：管理员；区县：—" in details
    assert not [d for d in details if re.search(r"：(True|False|open|pause|staff|admin)", d)]


def test_long_details_wrap_inside_the_page(app, server, browser):
    gen_user(app, "root", "admin")
    fingerprint, path = "f" * 64, "/home/evaluator/Downloads/county_education_satisfaction_2026_revised_final.yaml"
    with app.app_context(), db.session() as s:
        audit.record(s, None, "targets_upload", "test-2026", rows=120, sha256=fingerprint)
        audit.record(s, None, "questionnaire_import", "county_education_satisfaction 2026.1", file=path)
    page = browser.new_context(viewport={"width": 1024, "height": 800}).new_page()
    page.goto(f"{server}/login")
    page.fill("#username", "root")
    page.fill("#password", PASSWORD)
    page.click("button.btn")
    page.goto(f"{server}/admin/audit")
    table = page.locator(".scroll")
    assert table.evaluate("t => t.scrollWidth <= t.clientWidth")       # nothing hidden to the right
    text = table.inner_text().replace("\n", "")
    assert fingerprint in text and path in text
