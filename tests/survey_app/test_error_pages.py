"""Error pages: in the workspace, its layout with a way back (in Chinese); residents keep their light pages."""
import pytest

from survey_app.services import audit
from tests.helpers import PASSWORD, gen_user, login

WORKSPACE = "满意度调查工作台"


@pytest.mark.parametrize("path, status, words", [
    ("/admin/", 403, "没有权限"),
    ("/admin/no-such-page", 404, "页面不存在"),
    ("/staff/c/no-such-campaign/", 404, "页面不存在"),
    ("/logout", 405, "不能直接打开"),
])
def test_a_workspace_error_is_a_workspace_page_with_a_way_back(app, client, path, status, words):
    gen_user(app, "city", "staff")
    login(client, "city")
    r = client.get(path)
    page = r.get_data(as_text=True)
    assert r.status_code == status and words in page and WORKSPACE in page
    assert '<a class="btn" href="/staff/">返回工作台</a>' in page and "返回上一页" in page


def test_a_visitor_who_is_not_logged_in_is_offered_the_login_page(app, client):
    r = client.get("/admin/no-such-page")
    page = r.get_data(as_text=True)
    assert r.status_code == 404 and WORKSPACE in page and '<a class="btn" href="/login">登录</a>' in page


def test_a_server_error_in_the_workspace_keeps_the_layout_and_the_way_back(app, client, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    gen_user(app, "root", "admin")
    login(client, "root")
    monkeypatch.setattr(audit, "recent", lambda *args: 1 / 0)
    r = client.get("/admin/audit")
    page = r.get_data(as_text=True)
    assert r.status_code == 500 and "服务器出错" in page and WORKSPACE in page
    assert '<a class="btn" href="/admin/accounts">返回工作台</a>' in page


def test_a_server_error_while_loading_the_account_still_gets_a_chinese_page(app, client, monkeypatch):
    from survey_app import db
    app.config["PROPAGATE_EXCEPTIONS"] = False
    gen_user(app, "root", "admin")
    login(client, "root")
    monkeypatch.setattr(db, "session", lambda: 1 / 0)     # the database is gone: even the account cannot load
    r = client.get("/admin/audit")
    assert r.status_code == 500 and "服务器出错" in r.get_data(as_text=True)


def test_residents_keep_their_own_light_error_page(app, client):
    page = client.get("/s/no-such-link").get_data(as_text=True)
    assert "重新扫描" in page and WORKSPACE not in page and "返回工作台" not in page


def test_the_previous_page_link_goes_back_in_the_browser(app, server, browser):
    gen_user(app, "city", "staff")
    page = browser.new_context(viewport={"width": 1024, "height": 800}).new_page()
    page.goto(f"{server}/login")
    page.fill("#username", "city")
    page.fill("#password", PASSWORD)
    page.click("button.btn")
    page.goto(f"{server}/admin/")
    assert "没有权限" in page.content()
    page.click("text=返回上一页")
    page.wait_for_url(f"{server}/staff/")
