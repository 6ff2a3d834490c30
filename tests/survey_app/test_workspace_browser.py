"""End to end in headless Chromium: an evaluator prepares a campaign, a resident answers on a phone,
the evaluator sees the response in the monitor."""
from tests.helpers import PASSWORD, gen_user, stored


def test_from_a_new_campaign_to_a_response_in_the_monitor(app, server, browser, questionnaire):
    app.config["BASE_URL"] = server                 # links point at the running server
    gen_user(app)
    laptop = browser.new_context(viewport={"width": 1366, "height": 860}).new_page()
    laptop.goto(f"{server}/login")
    laptop.fill("#username", "eva")
    laptop.fill("#password", PASSWORD)
    laptop.click("button.btn")
    laptop.click("a:text-is(\"新建调查\")")
    laptop.fill("#name", "2026年县域教育满意度调查")
    laptop.fill("#organizer", "市教育督导室")
    laptop.fill("#slug", "city-2026")
    laptop.fill("#opens", "2026-01-01T08:00")
    laptop.fill("#closes", "2099-12-31T18:00")
    laptop.fill("#counties_text", "511502,翠屏区\n511503,南溪区")
    laptop.click("button:text-is(\"创建调查\")")
    assert "已创建调查，共 2 个区县" in laptop.content()

    laptop.click("nav.tabs >> text=渠道与二维码")
    laptop.select_option("#county", "511503")
    laptop.fill("#labels", "第一中学")
    laptop.click("form.card button:text-is(\"添加\")")
    link = laptop.locator("code", has_text="/s/").first.inner_text()
    assert link.startswith(f"{server}/s/")

    phone = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True).new_page()
    phone.goto(link)
    phone.check("input[name=respondent_type][value=parent]")
    phone.check("input[name=area][value=rural]")
    phone.check("input[name=stage][value=junior]")
    for item_id in questionnaire.item_ids:
        phone.check(f"input[name={item_id}][value='4']")
    phone.click("button[type=submit]")
    phone.wait_for_url("**/thanks**")
    assert "提交成功" in phone.content()
    assert len(stored(app)) == 1

    laptop.click("nav.tabs >> text=进度监控")
    monitor = laptop.locator("table").first.inner_text()
    assert "南溪区\t1" in monitor and "全市\t1" in monitor
