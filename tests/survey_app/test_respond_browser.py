"""The respondent page with JavaScript on, in headless Chromium (skipped without it)."""
import pytest

from survey_app.models import unpack
from tests.helpers import stored


@pytest.fixture
def page(browser):
    return browser.new_context(viewport={"width": 320, "height": 640}).new_page()


def answer_all(page, questionnaire, code="4"):
    page.check("input[name=respondent_type][value=parent]")
    page.check("input[name=area][value=urban]")
    page.check("input[name=stage][value=primary]")
    for item_id in questionnaire.item_ids:
        page.check(f"input[name={item_id}][value='{code}']")


def test_progress_and_conditional_stage(server, page, channel_token):
    page.goto(f"{server}/s/{channel_token}")
    assert page.is_hidden("#f-stage")
    assert page.inner_text("#bar-t") == "已完成 0 / 18 题"
    page.check("input[name=respondent_type][value=teacher]")
    assert page.is_visible("#f-stage")
    assert page.inner_text("#bar-t") == "已完成 1 / 19 题"
    assert page.get_by_role("group", name="4. 孩子能就近上幼儿园").count() == 1
    page.check("input[name=respondent_type][value=public]")
    assert page.is_hidden("#f-stage")
    # The page script numbers the questions shown: the hidden question leaves no gap.
    assert page.get_by_role("group", name="3. 孩子能就近上幼儿园").count() == 1


def test_answers_survive_a_reload(server, page, channel_token, questionnaire):
    page.goto(f"{server}/s/{channel_token}")
    token = page.input_value("input[name=form_token]")
    page.check("input[name=q05][value='2']")
    page.reload()
    assert page.is_checked("input[name=q05][value='2']")
    assert page.input_value("input[name=form_token]") == token


def test_missing_answers_are_marked_without_a_request(app, server, page, channel_token):
    page.goto(f"{server}/s/{channel_token}")
    page.click("button[type=submit]")
    assert page.inner_text("#m-respondent_type") == "请选择一项"
    assert page.inner_text("#m-q01") == "请选择一项（不清楚可选“不了解”）"    # the server's hint, too
    assert page.get_attribute("#f-q01", "aria-invalid") == "true"
    assert page.get_attribute("#f-q01", "aria-describedby") == "m-q01"
    assert page.evaluate("document.activeElement.name") == "respondent_type"   # focus on the first gap
    top = page.evaluate("document.getElementById('f-respondent_type').getBoundingClientRect().top")
    assert top >= page.evaluate("document.getElementById('bar').getBoundingClientRect().bottom") - 1
    assert stored(app) == []


def test_the_chosen_answer_is_highlighted_without_css_has(app, server, page, channel_token):
    """Old WebViews lack :has(); the highlight hangs on the answer's own text instead."""
    page.goto(f"{server}/s/{channel_token}")
    page.check("input[name=q02][value='5']")
    background = page.evaluate("""getComputedStyle(document.querySelector(
        "input[name=q02][value='5'] + span"), "::before").backgroundColor""")
    assert background == "rgb(232, 241, 252)"
    styles = "".join(page.evaluate("[...document.styleSheets].map(s => [...s.cssRules].map(r => r.cssText).join(''))"))
    assert ":has(" not in styles


def test_offline_submission_is_kept_and_resent_with_the_same_id(app, server, page, channel_token,
                                                                 questionnaire):
    page.goto(f"{server}/s/{channel_token}")
    answer_all(page, questionnaire)
    page.context.set_offline(True)
    page.click("button[type=submit]")
    page.wait_for_selector("#net:has-text('答案已保存在手机上')")
    assert stored(app) == []
    page.context.set_offline(False)
    page.wait_for_url("**/thanks?r=*")
    assert "提交成功" in page.content()
    [response] = stored(app)
    assert page.url.endswith(f"r={response.submission_id}")
    # The saved answers were cleared once the server acknowledged them.
    assert page.evaluate("Object.keys(localStorage).length") == 0


def test_a_refused_token_is_renewed_and_the_answers_sent_again(app, server, page, channel_token, questionnaire):
    """After a key change (or an expired page) the script reloads a fresh form and resends what was typed."""
    page.goto(f"{server}/s/{channel_token}")
    answer_all(page, questionnaire, "3")
    app.config["SECRET_KEY"] = "a-rotated-secret"
    page.click("button[type=submit]")
    page.wait_for_url("**/thanks**")
    assert "提交成功" in page.content()
    [response] = stored(app)
    assert set(unpack(response.answers)) == {3}


@pytest.mark.parametrize("width", [375, 320])
def test_the_sticky_progress_bar_is_painted_over_the_answers_it_covers(browser, server, channel_token, width):
    """Answer options are positioned (for their highlight); the bar must still stay on top of them."""
    page = browser.new_context(viewport={"width": width, "height": 640}, is_mobile=True).new_page()
    page.goto(f"{server}/s/{channel_token}")
    for code in ("5", "4", "3"):
        page.check(f"input[name=q0{code}][value='{code}']")
    # Scroll so that an answered question's options pass under the bar.
    page.evaluate("""() => {
        const option = document.querySelector("input[name=q04][value='4']").parentElement;
        const bar = document.getElementById("bar");
        window.scrollBy(0, option.getBoundingClientRect().top - bar.offsetHeight / 2 + 4);
    }""")
    covered = page.evaluate("""() => {
        const bar = document.getElementById("bar").getBoundingClientRect();
        const option = document.querySelector("input[name=q04][value='4']").parentElement.getBoundingClientRect();
        const x = option.left + option.width / 2, y = bar.top + bar.height / 2;
        const top = document.elementFromPoint(x, y);
        return {under: bar.top === 0 && option.top < y && y < option.bottom,
                onTop: document.getElementById("bar").contains(top), top: top && top.outerHTML.slice(0, 80)};
    }""")
    assert covered["under"], "the scroll did not put an option under the bar"
    assert covered["onTop"], covered["top"]


def test_the_comment_is_kept_on_the_phone_counted_and_sent(app, server, page, channel_token, questionnaire):
    page.goto(f"{server}/s/{channel_token}")
    answer_all(page, questionnaire)
    page.fill("#comment", "食堂饭菜太贵，\n希望改进'\"</textarea>")
    assert page.inner_text("#cc") == "（已写 25 / 300 字）"
    page.reload()                                                   # kept on the phone, quotes and all
    assert page.input_value("#comment") == "食堂饭菜太贵，\n希望改进'\"</textarea>"
    page.fill("#comment", "好" * 400)                               # the browser stops at the limit
    assert len(page.input_value("#comment")) == 300
    page.fill("#comment", "食堂饭菜太贵，\n希望改进")
    page.click("button[type=submit]")
    page.wait_for_url("**/thanks**")
    assert stored(app)[0].comment == "食堂饭菜太贵， 希望改进"
