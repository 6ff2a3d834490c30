"""Evaluators read residents' comments raw (escaped) in review, and filter on them."""
import re

from tests.helpers import gen_campaign, post, stored, submit, valid_answers
from tests.survey_app.test_admin_campaigns import SLUG, evaluator

__all__ = ["evaluator"]

HOSTILE = '<script>alert("x")</script>王建国老师电话13812345678'


def commented(app, questionnaire):
    tokens = gen_campaign(app, questionnaire)
    resident = app.test_client()
    submit(resident, tokens[0], valid_answers(questionnaire, comment=HOSTILE))
    submit(resident, tokens[1], valid_answers(questionnaire, comment="食堂饭菜太贵"))
    submit(resident, tokens[2], valid_answers(questionnaire))
    return {r.comment: r.submission_id for r in stored(app)}


def test_the_evaluator_reads_the_raw_comment_escaped(app, evaluator, questionnaire):
    ids = commented(app, questionnaire)
    page = evaluator.get(f"/admin/c/{SLUG}/responses/{ids[HOSTILE]}").get_data(as_text=True)
    assert "<script>alert" not in page
    assert '&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;王建国老师电话13812345678' in page    # raw: not masked
    assert questionnaire.comment.question in page
    page = evaluator.get(f"/admin/c/{SLUG}/responses/{ids[None]}").get_data(as_text=True)
    assert "（未填写）" in page


def test_only_responses_with_a_comment_are_listed_when_asked(app, evaluator, questionnaire):
    ids = commented(app, questionnaire)
    every = evaluator.get(f"/admin/c/{SLUG}/review?flag=").get_data(as_text=True)
    assert "共 3 份" in every and "只看有意见建议的答卷" in every and "<th>意见建议</th>" in every
    listed = evaluator.get(f"/admin/c/{SLUG}/review?flag=&comment=1").get_data(as_text=True)
    assert "共 2 份" in listed and ids[None] not in listed
    assert ids[HOSTILE] in listed and ids["食堂饭菜太贵"] in listed
    assert '<td class="comment">食堂饭菜太贵</td>' in listed and "<script>alert" not in listed
    assert re.search(r'name="comment" value="1"\s+checked', listed)
    # a decision over "every matching response" keeps the filter: the one without a comment is untouched
    r = post(evaluator, f"/admin/c/{SLUG}/review", {"scope": "selected", "response": ids["食堂饭菜太贵"],
                                                   "decision": "exclude", "reason": "测试", "comment": "1"},
             page=f"/admin/c/{SLUG}/review")
    assert r.status_code == 302 and "comment=1" in r.headers["Location"]
