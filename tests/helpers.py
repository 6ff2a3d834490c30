"""Builders and helpers that tests share: campaigns, answers, the respondent form, stored rows."""
from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
from sqlalchemy import select

import questionnaires
from survey_app import db
from survey_app.io.counties import CountyRow
from survey_app.models import Response
from survey_app.services import campaigns

REFERENCE = Path(__file__).parent / "analysis" / "reference" / "raking"   # the R reference case
COUNTIES = [CountyRow("511502", "翠屏区"), CountyRow("511503", "南溪区"), CountyRow("511523", "江安县")]


def gen_campaign(app, questionnaire, *, slug="test-2026", opens=-1, closes=30, simulated=False):
    """A campaign open from `opens` to `closes` days from now, with one channel per county;
    returns the channels' link tokens."""
    now = datetime.now(UTC)
    with app.app_context(), db.session() as session:
        campaign = campaigns.create_campaign(
            session, slug=slug, name="测试调查", organizer="市教育督导室", questionnaire=questionnaire,
            counties=COUNTIES, opens_at=now + timedelta(days=opens), closes_at=now + timedelta(days=closes),
            simulated=simulated)
        tokens = [campaigns.add_channel(session, campaign, c.code, f"{c.name}海报").token
                  for c in COUNTIES]
    return tokens


FIVE_MISTAKES = {                      # a line of the built-in file -> (that line with a mistake, the field at fault)
    "title: 县域教育群众满意度调查": ("title: \"\"", "title"),
    "estimated_minutes: 3": ("estimated_minutes: 0", "estimated_minutes"),
    "{code: 4, label: 满意, score: 75}": ("{code: 40, label: 满意, score: 75}", "scale.points[1].code"),
    "{id: q03, topic: 办学条件, weight: 1,": ("{id: q03, topic: 办学条件, weight: 0,", "items[2].weight"),
    "{id: q05, topic": ("{id: q04, topic", "items[4].id"),
}


def questionnaire_with_five_mistakes() -> tuple[str, list[tuple[str, int]]]:
    """The built-in questionnaire file with five mistakes, and (field, line) of each in the order of the file."""
    text = questionnaires.resolve(questionnaires.DEFAULT).read_text(encoding="utf-8")
    expected = []
    for good, (bad, field) in FIVE_MISTAKES.items():
        line = next(n for n, content in enumerate(text.splitlines(), 1) if good in content)
        text = text.replace(good, bad, 1)
        expected.append((field, line))
    return text, expected


def valid_answers(questionnaire, code="4", **overrides):
    """A complete form: a parent in town with a child in primary school, every item `code`."""
    answers = {"respondent_type": "parent", "area": "urban", "stage": "primary"}
    answers.update({item_id: code for item_id in questionnaire.item_ids})
    answers.update(overrides)
    return answers


class FormReader(HTMLParser):
    """Collects fieldset legends, radio options and hidden fields of the page."""

    def __init__(self):
        super().__init__()
        self.radios, self.hidden, self.legends, self.external = {}, {}, [], []
        self._in_legend = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("type") == "radio":
            self.radios.setdefault(a["name"], []).append(a["value"])
        if tag == "input" and a.get("type") == "hidden":
            self.hidden[a["name"]] = a["value"]
        if tag == "legend":
            self._in_legend = True
            self.legends.append("")
        for key in ("src", "href"):
            if a.get(key, "").startswith(("http", "//")):
                self.external.append(a[key])

    def handle_endtag(self, tag):
        if tag == "legend":
            self._in_legend = False

    def handle_data(self, data):
        if self._in_legend:
            self.legends[-1] += data


def read_form(client, token):
    page = client.get(f"/s/{token}")
    reader = FormReader()
    reader.feed(page.get_data(as_text=True))
    return page, reader


def submit(client, token, answers, form_token=None, fetch=False):
    if form_token is None:
        form_token = read_form(client, token)[1].hidden["form_token"]
    headers = {"X-Requested-With": "fetch"} if fetch else {}
    return client.post(f"/s/{token}", data={"form_token": form_token, **answers}, headers=headers)


def stored(app):
    with app.app_context(), db.session() as session:
        return session.scalars(select(Response)).all()


PASSWORD = "correct-horse-42"


def gen_user(app, username="eva", role="evaluator", counties=(), password=PASSWORD, active=True):
    from survey_app.services import accounts
    with app.app_context(), db.session() as session:
        user = accounts.create_user(session, username=username, display_name=username, password=password,
                                    role=role, counties=list(counties))
        user.active = active
        return user.id


def csrf_token(client, path="/login") -> str:
    """The CSRF token of the session, as a page of the workspace embeds it."""
    import re
    html = client.get(path, follow_redirects=True).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def login(client, username="eva", password=PASSWORD):
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_token(client)})


def post(client, path, data=None, page=None, **kwargs):
    """A workspace form post with the session's CSRF token (taken from `page`, or the login page)."""
    token = csrf_token(client, page or path)
    return client.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)


def zip_of(app, client, kind: str, county: str = "", slug: str = "test-2026"):
    """Ask for a ZIP of posters or QR codes, run the queued job as a worker would, and download it."""
    from survey_app import job_queue
    page = f"/admin/c/{slug}/channels"
    asked = post(client, f"/admin/c/{slug}/channels/{kind}.zip", {"county": county} if county else {}, page=page)
    assert asked.status_code == 302 and "/jobs/" in asked.headers["Location"], asked.headers.get("Location")
    assert job_queue.run_pending(app) == 1
    return client.get(asked.headers["Location"] + "/file")


def xlsx(rows) -> bytes:
    """An Excel file of `rows` (the first its header), as an evaluator uploads one."""
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
