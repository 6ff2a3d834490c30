"""Logging in and out: slow hashes, throttling without lock-out, new sessions, CSRF, the audit log."""
import threading
from datetime import timedelta

from sqlalchemy import select, update

from survey_app import db
from survey_app.models import AuditEvent, LoginFailure, User, utcnow
from survey_app.services import accounts
from tests.helpers import PASSWORD, csrf_token, gen_user, login, post


def events(app, action):
    with app.app_context(), db.session() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_login_lands_on_the_roles_home_and_is_audited(app, client):
    gen_user(app)
    r = login(client)
    assert r.status_code == 302 and r.headers["Location"] == "/admin/"
    assert "调查" in client.get("/admin/").get_data(as_text=True)
    [event] = events(app, "login")
    assert event.username == "eva" and len(event.ip_hash) == 16


def test_passwords_are_stored_as_slow_salted_hashes(app):
    gen_user(app)
    with app.app_context(), db.session() as s:
        stored = s.scalar(select(User.password_hash))
    assert PASSWORD not in stored and stored.startswith(("scrypt:", "pbkdf2:"))


def test_a_wrong_password_is_refused_in_chinese_and_audited(app, client):
    gen_user(app)
    r = login(client, password="wrong-password-1")
    assert r.status_code == 401 and "用户名或密码不正确" in r.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302
    assert [e.username for e in events(app, "login_failed")] == ["eva"]


def test_failed_logins_are_throttled_per_account_then_allowed_again(app, client):
    gen_user(app)
    for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT):
        login(client, password="wrong-password-1")
    r = login(client)                                     # even the right password waits
    assert r.status_code == 429 and "分钟后再试" in r.get_data(as_text=True)
    with app.app_context(), db.session() as s:            # the window passes: no lock-out
        s.execute(update(LoginFailure).values(at=utcnow() - accounts.THROTTLE_WINDOW - timedelta(seconds=1)))
    assert login(client).status_code == 302


def test_failed_logins_are_throttled_per_address_across_accounts(app, client):
    gen_user(app)
    for i in range(accounts.MAX_FAILURES_PER_ADDRESS):
        login(client, username=f"guess{i}", password="wrong-password-1")
    assert login(client).status_code == 429
    other = app.test_client()
    assert login(other, "eva").status_code == 429         # same address (the test client's)


def test_parallel_guesses_past_the_limit_are_refused_unchecked_and_audited(app, monkeypatch):
    gen_user(app)
    checked = []
    check = accounts.check_password_hash
    monkeypatch.setattr(accounts, "check_password_hash", lambda stored, password: checked.append(1) or check(stored, password))
    guessers = [app.test_client() for _ in range(40)]
    tokens = [csrf_token(client) for client in guessers]
    start, statuses = threading.Barrier(len(guessers)), []

    def guess(client, token):
        start.wait()
        statuses.append(client.post("/login", data={"username": "eva", "password": "wrong-password-1",
                                                    "csrf_token": token}).status_code)
    threads = [threading.Thread(target=guess, args=pair) for pair in zip(guessers, tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    limit = accounts.MAX_FAILURES_PER_ACCOUNT
    assert len(checked) == limit and sorted(statuses) == [401] * limit + [429] * (40 - limit)
    assert len(events(app, "login_failed")) == limit
    assert [e.username for e in events(app, "login_refused")] == ["eva"] * (40 - limit)


def test_successful_logins_do_not_count_towards_the_limit(app, client):
    gen_user(app)
    for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT + 1):
        assert login(client).status_code == 302
        post(client, "/logout", page="/admin/")


def test_login_starts_a_new_session_and_logout_ends_it_everywhere(app, client):
    gen_user(app)
    client.get("/login")
    before = client.get_cookie("session").value
    login(client)
    after = client.get_cookie("session").value
    assert after != before
    copied = app.test_client()
    copied.set_cookie("session", after)
    assert copied.get("/admin/").status_code == 200       # a second browser with the same cookie
    r = post(client, "/logout", page="/admin/")
    assert r.status_code == 302 and r.headers["Location"] == "/login"
    assert client.get("/admin/").status_code == 302
    assert copied.get("/admin/").status_code == 302        # the copied cookie no longer works
    assert events(app, "logout")


def test_a_password_change_ends_the_accounts_sessions(app, client):
    user_id = gen_user(app)
    login(client)
    with app.app_context(), db.session() as s:
        accounts.set_password(s, s.get(User, user_id), "another-secret-7", None)
    assert client.get("/admin/").status_code == 302


def test_an_inactive_account_cannot_log_in(app, client):
    gen_user(app, active=False)
    assert login(client).status_code == 401


def test_posts_without_a_csrf_token_are_refused(app, client):
    gen_user(app)
    r = client.post("/login", data={"username": "eva", "password": PASSWORD})
    assert r.status_code == 400 and "页面已过期" in r.get_data(as_text=True)
    login(client)
    r = client.post("/logout")
    assert r.status_code == 400 and client.get("/admin/").status_code == 200


def test_logout_is_never_a_get(app, client):
    gen_user(app)
    login(client)
    assert client.get("/logout").status_code == 405
    assert client.get("/admin/").status_code == 200


# next= as it arrives in the login URL (still percent-encoded) -> where the login sends the browser.
NEXT_PAGES = [
    ("/admin/campaigns/new", "/admin/campaigns/new"),
    ("/admin/campaigns/new%3Fx%3D1", "/admin/campaigns/new?x=1"),
    ("//evil.example/x", "/admin/"),
    ("https://evil.example/", "/admin/"),
    ("http:evil.example", "/admin/"),
    ("javascript:alert(1)", "/admin/"),
    ("evil.example", "/admin/"),
    ("/%09/evil.example/", "/admin/"),             # browsers drop tabs and newlines: //evil.example/
    ("/%0A/evil.example/", "/admin/"),
    ("/%0D/evil.example/", "/admin/"),
    ("%09//evil.example/", "/admin/"),
    ("%20//evil.example/", "/admin/"),
    ("/%00/evil.example/", "/admin/"),
    ("/\\evil.example/", "/admin/"),               # browsers read a backslash as a slash
    ("/%5Cevil.example/", "/admin/"),
    ("%5C%5Cevil.example/", "/admin/"),
    ("/%2F%2Fevil.example/", "/admin/"),
    ("%2F%2Fevil.example/", "/admin/"),
    ("/%252F%252Fevil.example/", "/admin/"),        # encoded twice: decoded once more it is //evil.example
    ("%2F%5Cevil.example/", "/admin/"),
    ("https:%2F%2Fevil.example/", "/admin/"),
    ("/%E3%80%80/evil.example/", "/admin/"),        # an ideographic space
    ("", "/admin/"),
]


def test_the_next_page_after_login_stays_on_this_site(app, client):
    gen_user(app)
    for target, expected in NEXT_PAGES:
        r = client.post(f"/login?next={target}", data={"username": "eva", "password": PASSWORD,
                                                        "csrf_token": csrf_token(client)})
        assert (r.status_code, r.headers.get("Location")) == (302, expected), target
        post(client, "/logout", page="/admin/")


def test_session_cookies_are_http_only_and_same_site(app, client):
    gen_user(app)
    login(client)
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_the_session_cookie_is_secure_behind_https(app_config):
    from survey_app.app import create_app
    config = {k: v for k, v in app_config.items() if k != "SESSION_COOKIE_SECURE"}
    assert create_app(config).config["SESSION_COOKIE_SECURE"] is True           # https base URL
    assert create_app({**config, "BASE_URL": "http://10.0.0.5:8000"}).config["SESSION_COOKIE_SECURE"] is False
