"""The respondent pages against WCAG 2.1 AA with axe-core, on a phone's screen (skipped without Chromium)."""
import pytest

from tests.helpers import read_form, valid_answers

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
              "resultTypes": ["violations"]}


@pytest.fixture
def phone(browser):
    return browser.new_context(viewport={"width": 375, "height": 667}, is_mobile=True).new_page()


def violations(page) -> str:
    axe = pytest.importorskip("axe_playwright_python.sync_playwright").Axe()
    results = axe.run(page, options=WCAG_21_AA)
    return results.generate_report() if results.violations_count else ""


def test_the_form_its_error_state_and_the_thank_you_page_have_no_violations(server, phone, channel_token,
                                                                           questionnaire):
    phone.goto(f"{server}/s/{channel_token}")
    assert violations(phone) == ""
    phone.click("button[type=submit]")                       # everything missing: messages at every question
    assert phone.get_attribute("#f-q01", "aria-invalid") == "true"
    assert violations(phone) == ""
    for name, value in valid_answers(questionnaire).items():
        phone.check(f"input[name={name}][value='{value}']")
    phone.click("button[type=submit]")
    phone.wait_for_url("**/thanks?r=*")
    assert violations(phone) == ""


def test_the_page_the_server_returns_without_javascript_after_a_refused_submit_has_no_violations(
        client, phone, channel_token):
    """What a phone without JavaScript shows: the server's page with every error marked (its script left out)."""
    page_token = read_form(client, channel_token)[1].hidden["form_token"]
    refused = client.post(f"/s/{channel_token}", data={"form_token": page_token})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    phone.set_content(html[:html.index("<script>")] + html[html.index("</script>") + len("</script>"):])
    assert phone.get_attribute("#f-q01", "aria-invalid") == "true"
    assert violations(phone) == ""


def test_the_check_finds_a_question_without_a_label(phone):
    phone.set_content('<html lang="zh-CN"><title>问卷</title><body><main><input type="radio" name="q01"></main>')
    assert "label" in violations(phone)
