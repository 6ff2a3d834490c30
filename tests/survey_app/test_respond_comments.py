"""The open question on the residents' page: a textarea with its limit, stored with the response, escaped."""
import html as html_text
import re
import threading

import pytest

from tests.helpers import read_form, stored, submit, valid_answers

QUESTION = "您对本地教育还有什么意见和建议？"


def test_the_page_ends_with_an_optional_textarea_with_its_limit(client, channel_token):
    page = client.get(f"/s/{channel_token}").get_data(as_text=True)
    assert QUESTION in page and "最后可以写下您的意见和建议（选答）" in page
    textarea = re.search(r"<textarea[^>]*>", page).group()
    assert 'name="comment"' in textarea and 'maxlength="300"' in textarea and "required" not in textarea
    assert page.index(QUESTION) > page.index("政府对教育的重视和投入")           # after the last item
    assert "<fieldset" not in page[page.index(QUESTION):]                        # not one of the required groups


def test_a_comment_is_stored_with_the_response_cleaned(app, client, channel_token, questionnaire):
    _, form = read_form(client, channel_token)
    r = client.post(f"/s/{channel_token}", data={**form.hidden, **valid_answers(questionnaire),
                                                  "comment": "  食堂饭菜太贵，\r\n\r\n希望改进。\x00\u200b  "})
    assert r.status_code == 200 and "感谢" in r.get_data(as_text=True)          # a plain form post, no script
    [response] = stored(app)
    assert response.comment == "食堂饭菜太贵， 希望改进。"


@pytest.mark.parametrize("typed", ["", "  \r\n\t\u3000 ", "\x00\x1b"])
def test_an_empty_comment_stores_nothing(app, client, channel_token, questionnaire, typed):
    assert submit(client, channel_token, valid_answers(questionnaire, comment=typed)).status_code == 200
    assert stored(app)[0].comment is None


def test_no_comment_field_at_all_is_fine(app, client, channel_token, questionnaire):
    assert submit(client, channel_token, valid_answers(questionnaire)).status_code == 200
    assert stored(app)[0].comment is None


def test_a_comment_too_long_gets_a_chinese_error_and_every_answer_is_kept(app, client, channel_token, questionnaire):
    typed = "<b>作业太多</b>" + "了" * 290                         # 301 characters
    r = submit(client, channel_token, valid_answers(questionnaire, q05="2", comment=typed))
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and stored(app) == []
    message = "意见建议最多 300 字，您写了 301 字，请删减 1 字后再提交（您填写的内容都还在）"
    assert f'<p class="msg" id="m-comment">{message}</p>' in page
    assert re.search(r'<p class="card msg" role="alert">意见建议最多 300 字', page)    # no "未完成" for it
    kept = re.search(r'<textarea id="comment"[^>]*aria-invalid="true">([^<]*)</textarea>', page).group(1)
    assert html_text.unescape(kept) == typed                                        # as typed, nothing lost
    assert 'name="q05" value="2" checked' in page and 'name="q01" value="4" checked' in page
    r = submit(client, channel_token, valid_answers(questionnaire, comment=typed), fetch=True)
    assert r.status_code == 422 and r.json["errors"] == {"comment": message} and r.json["message"] == message


def test_a_long_comment_and_a_missing_answer_are_both_named(app, client, channel_token, questionnaire):
    answers = valid_answers(questionnaire, comment="好" * 400)
    del answers["q03"]
    page = submit(client, channel_token, answers).get_data(as_text=True)
    assert "还有 1 处未完成" in page and "您写了 400 字" in page and 'id="m-q03">请选择一项' in page


def test_a_comment_at_the_limit_in_any_script_is_stored(app, client, channel_token, questionnaire):
    typed = "😀食堂" * 100                                  # 300 characters, a third outside the BMP
    assert submit(client, channel_token, valid_answers(questionnaire, comment=typed)).status_code == 200
    assert stored(app)[0].comment == typed


def test_markup_in_a_comment_is_never_markup_again(app, client, channel_token, questionnaire):
    hostile = '</textarea><script>alert("x")</script><img src=x onerror=alert(1)>' * 5
    page = submit(client, channel_token, valid_answers(questionnaire, comment=hostile)).get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page and "&lt;/textarea&gt;&lt;script&gt;" in page
    assert page.count("<script>") == 1                                     # the page's own script only
    short = '</textarea><script>alert("x")</script>'
    assert submit(client, channel_token, valid_answers(questionnaire, comment=short)).status_code == 200
    assert stored(app)[0].comment == short                                 # stored as typed, escaped when shown


def test_an_expired_form_comes_back_with_the_comment(app, client, channel_token, questionnaire):
    token = read_form(client, channel_token)[1].hidden["form_token"]
    app.config["FORM_TOKEN_MAX_AGE_S"] = 0
    page = submit(client, channel_token, valid_answers(questionnaire, comment="希望多开兴趣班"), form_token=token)
    assert page.status_code == 400 and ">希望多开兴趣班</textarea>" in page.get_data(as_text=True)


def test_a_double_tap_stores_one_response_with_its_comment(app, client, channel_token, questionnaire):
    token = read_form(client, channel_token)[1].hidden["form_token"]
    answers = valid_answers(questionnaire, comment="校门口交通太乱")
    first, second = (submit(client, channel_token, answers, token) for _ in range(2))
    assert first.status_code == second.status_code == 200 and first.data == second.data
    [response] = stored(app)
    assert response.comment == "校门口交通太乱"
    other = submit(client, channel_token, valid_answers(questionnaire, comment="改了主意"), token, fetch=True)
    assert other.status_code == 409 and stored(app)[0].comment == "校门口交通太乱"      # the first is kept


def test_concurrent_submissions_each_store_their_own_comment_once(app, channel_token, questionnaire):
    """Group commit: many at once (double taps among them) share transactions; each acknowledged
    response is stored once, with the comment it was sent with, and nothing else is."""
    client = app.test_client()
    tokens = [read_form(client, channel_token)[1].hidden["form_token"] for _ in range(6)]
    sends = [(t, f"第 {i} 位的意见：食堂要改进") for i, t in enumerate(tokens)] * 2
    replies, barrier = [], threading.Barrier(len(sends))

    def post(token, comment):
        barrier.wait()
        answers = valid_answers(questionnaire, **({"comment": comment} if comment else {}))
        replies.append((token, comment, submit(app.test_client(), channel_token, answers, token, fetch=True)))

    threads = [threading.Thread(target=post, args=send) for send in sends]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status_code for _, _, r in replies] == [200] * 12
    rows = {r.submission_id: r.comment for r in stored(app)}
    assert len(rows) == 6
    assert {r.json["redirect"].rsplit("=", 1)[1]: c for _, c, r in replies} == rows
    again = submit(client, channel_token, valid_answers(questionnaire), tokens[0], fetch=True)
    assert again.status_code == 409 and len(stored(app)) == 6             # the same id without its comment
