import re
import threading
import time

import pytest

from sqlalchemy import update

from survey_app import db
from survey_app.models import Campaign, Flag, unpack
from survey_app.respond import links
from tests.helpers import gen_campaign, read_form, stored, submit, valid_answers


def test_page_shows_every_item_and_option(client, channel_token, questionnaire):
    page, form = read_form(client, channel_token)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "匿名" in html and "3 分钟" in html and "市教育督导室" in html and "翠屏区" in html
    for item in questionnaire.items:
        assert form.radios[item.id] == ["5", "4", "3", "2", "1", "9"]
        assert any(item.text in legend for legend in form.legends)
    assert form.radios["respondent_type"] == ["parent", "student", "teacher", "public"]
    assert form.radios["stage"] == ["kindergarten", "primary", "junior", "senior"]
    for label in ["非常满意", "非常不满意", "不了解", "其他群众", "农村"]:
        assert label in html
    assert form.external == []
    assert len(page.data) < 30_000


def test_valid_submission_is_stored_and_thanked(app, client, channel_token, questionnaire):
    answers = valid_answers(questionnaire, q03="9", q05="2")
    r = submit(client, channel_token, answers)
    assert r.status_code == 200 and "提交成功" in r.get_data(as_text=True)
    [response] = stored(app)
    assert unpack(response.answers)[2:5] == [9, 4, 2]
    assert unpack(response.attributes) == [0, 0, 1]
    assert response.duration_s >= 0 and len(response.ip_hash) == 16
    assert response.submission_id in r.get_data(as_text=True)
    assert re.fullmatch(r"r[2-9a-hjkmnp-z]{15}", response.submission_id)    # kept as text by spreadsheets


def test_javascript_off_form_post_round_trip(app, client, channel_token, questionnaire):
    """A plain browser form post: no fetch header, cookies from the page, HTML back."""
    page, form = read_form(client, channel_token)
    assert "sv_device" in page.headers.get("Set-Cookie", "")
    r = client.post(f"/s/{channel_token}", data={**form.hidden, **valid_answers(questionnaire)})
    assert r.status_code == 200 and "感谢" in r.get_data(as_text=True)
    assert len(stored(app)) == 1


def test_invalid_submission_keeps_answers_and_marks_fields(app, client, channel_token, questionnaire):
    answers = valid_answers(questionnaire, q07="8", area="")
    del answers["q02"]
    r = submit(client, channel_token, answers)
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert re.search(r'id="m-q02">请选择一项', html)
    assert re.search(r'id="m-q07">选项无效', html)
    assert re.search(r'id="m-area">请选择一项', html)
    assert 'name="q01" value="4" checked' in html  # kept
    assert 'name="respondent_type" value="parent" checked' in html
    assert stored(app) == []


def test_invalid_submission_by_fetch_gets_field_errors(app, client, channel_token, questionnaire):
    answers = valid_answers(questionnaire)
    del answers["q16"]
    r = submit(client, channel_token, answers, fetch=True)
    assert r.status_code == 422 and set(r.json["errors"]) == {"q16"}


def test_stage_is_ignored_for_the_public_and_required_for_parents(app, client, channel_token,
                                                                   questionnaire):
    r = submit(client, channel_token, valid_answers(questionnaire, respondent_type="public", stage=""))
    assert r.status_code == 200
    assert unpack(stored(app)[0].attributes) == [3, 0, None]
    r = submit(client, channel_token, valid_answers(questionnaire, stage=""), fetch=True)
    assert r.status_code == 422 and set(r.json["errors"]) == {"stage"}


def test_double_tap_stores_one_response(app, client, channel_token, questionnaire):
    token = read_form(client, channel_token)[1].hidden["form_token"]
    first = submit(client, channel_token, valid_answers(questionnaire), token)
    second = submit(client, channel_token, valid_answers(questionnaire), token)
    assert first.status_code == second.status_code == 200
    assert first.data == second.data
    assert len(stored(app)) == 1


def test_same_id_with_other_answers_is_refused_and_first_kept(app, client, channel_token,
                                                              questionnaire):
    token = read_form(client, channel_token)[1].hidden["form_token"]
    submit(client, channel_token, valid_answers(questionnaire, "5"), token)
    r = submit(client, channel_token, valid_answers(questionnaire, "1"), token, fetch=True)
    assert r.status_code == 409
    [response] = stored(app)
    assert set(unpack(response.answers)) == {5}


def test_concurrent_requests_with_one_id_store_one_response(app, channel_token, questionnaire):
    token = read_form(app.test_client(), channel_token)[1].hidden["form_token"]
    statuses, barrier = [], threading.Barrier(4)

    def post():
        barrier.wait()
        r = submit(app.test_client(), channel_token, valid_answers(questionnaire), token, fetch=True)
        statuses.append(r.status_code)

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 4
    assert len(stored(app)) == 1


def test_forged_or_foreign_token_is_refused(app, client, questionnaire):
    tokens = gen_campaign(app, questionnaire)
    other = read_form(client, tokens[1])[1].hidden["form_token"]
    assert submit(client, tokens[0], valid_answers(questionnaire), other).status_code == 400
    assert submit(client, tokens[0], valid_answers(questionnaire), "forged").status_code == 400
    mine = read_form(client, tokens[0])[1].hidden["form_token"]
    for hostile in ("a.b.c.d.e", "r1.x.y.1.签名", mine.replace(".", ".1", 1), mine[:-2] + "签名", "." * 4):
        assert submit(client, tokens[0], valid_answers(questionnaire), hostile).status_code == 400, hostile
    assert stored(app) == []


def test_quality_flags_are_stored_never_dropped(app, client, channel_token, questionnaire):
    submit(client, channel_token, {**valid_answers(questionnaire, "5"), "website": "http://spam"})
    submit(client, channel_token, valid_answers(questionnaire, q01="3"))
    first, second = sorted(stored(app), key=lambda r: r.id)
    assert Flag(first.flags) == Flag.SPEEDER | Flag.HONEYPOT | Flag.STRAIGHTLINE
    assert Flag(second.flags) == Flag.SPEEDER | Flag.REPEAT_DEVICE


@pytest.mark.parametrize("opens, closes, status, words", [
    (1, 30, 403, "尚未开始"),
    (-30, -1, 410, "已经结束"),
])
def test_closed_or_unopened_campaign(app, client, questionnaire, opens, closes, status, words):
    token = gen_campaign(app, questionnaire, opens=opens, closes=closes)[0]
    r = client.get(f"/s/{token}")
    assert r.status_code == status and words in r.get_data(as_text=True)
    r = client.post(f"/s/{token}", data=valid_answers(questionnaire))
    assert r.status_code == status and stored(app) == []


def test_unknown_link_gets_a_chinese_404(client):
    r = client.get("/s/nosuchtoken")
    assert r.status_code == 404 and "链接不存在" in r.get_data(as_text=True)


def test_simulated_campaign_says_so(app, client, questionnaire):
    token = gen_campaign(app, questionnaire, simulated=True)[0]
    assert "模拟" in client.get(f"/s/{token}").get_data(as_text=True)


def test_a_thank_you_page_needs_a_stored_submission(app, client, channel_token, questionnaire):
    r = client.get(f"/s/{channel_token}/thanks?r=made-up")
    assert r.status_code == 404 and "没有找到" in r.get_data(as_text=True) and "提交成功" not in r.get_data(as_text=True)
    submit(client, channel_token, valid_answers(questionnaire))
    [response] = stored(app)
    r = client.get(f"/s/{channel_token}/thanks?r={response.submission_id}")
    assert r.status_code == 200 and "提交成功" in r.get_data(as_text=True)


def test_a_body_far_larger_than_a_form_is_refused(app, client, channel_token, questionnaire):
    token = read_form(client, channel_token)[1].hidden["form_token"]
    r = client.post(f"/s/{channel_token}", data={**valid_answers(questionnaire), "form_token": token,
                                                   "padding": "x" * 300_000})
    assert r.status_code == 413 and "过大" in r.get_data(as_text=True)
    many = {f"field{i}": "1" for i in range(100)}
    r = client.post(f"/s/{channel_token}", data={**valid_answers(questionnaire), "form_token": token, **many},
                    content_type="multipart/form-data")
    assert r.status_code == 413
    r = client.post(f"/s/{channel_token}", data={**valid_answers(questionnaire), "form_token": token, **many})
    assert r.status_code == 413
    assert stored(app) == []


def test_an_expired_form_comes_back_filled_in_with_a_fresh_token(app, client, channel_token, questionnaire,
                                                                  monkeypatch):
    token = read_form(client, channel_token)[1].hidden["form_token"]
    app.config["FORM_TOKEN_MAX_AGE_S"] = 0                      # the page has been open too long
    r = submit(client, channel_token, valid_answers(questionnaire, q05="2"), form_token=token)
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "问卷页面已过期" in html
    assert 'name="q05" value="2" checked' in html
    assert stored(app) == []
    r = submit(client, channel_token, valid_answers(questionnaire), form_token=token, fetch=True)
    assert r.status_code == 400 and r.json["renew"] is True
    app.config["FORM_TOKEN_MAX_AGE_S"] = 3600
    fresh = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    assert submit(client, channel_token, valid_answers(questionnaire, q05="2"), form_token=fresh).status_code == 200


def test_the_page_is_gzipped_for_phones_that_accept_it(client, channel_token):
    import gzip
    plain = client.get(f"/s/{channel_token}")
    packed = client.get(f"/s/{channel_token}", headers={"Accept-Encoding": "gzip, deflate"})
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    body = gzip.decompress(packed.data)
    assert len(packed.data) < len(body) / 2 and b"</html>" in body and len(plain.data) == len(body)
    assert client.get("/favicon.ico").status_code == 204


def test_a_paused_campaign_reaches_every_worker_within_the_seconds_links_are_held(app, client, channel_token,
                                                                                  monkeypatch):
    monkeypatch.setitem(app.extensions, "links", links.Links(2))
    now = [time.time()]
    monkeypatch.setattr(time, "time", lambda: now[0])
    assert client.get(f"/s/{channel_token}").status_code == 200
    with app.app_context(), db.session() as session:                 # paused by another worker
        session.execute(update(Campaign).values(paused=True))
    now[0] += 1
    assert client.get(f"/s/{channel_token}").status_code == 200       # this worker still holds the link
    now[0] += 1.5
    assert client.get(f"/s/{channel_token}").status_code == 403
