"""A form or file with problems gets all of them at once, each at its field or line (as the user's
editor numbers lines), and nothing is saved."""
import io

from sqlalchemy import select

from survey_app import db
from survey_app.errors import UserError
from survey_app.io.counties import counties_typed
from survey_app.io.uploads import read_upload
from survey_app.models import Campaign
from tests.helpers import gen_campaign, post, xlsx
from tests.survey_app.test_admin_campaigns import SLUG, create, evaluator, stored_campaign

__all__ = ["evaluator"]


def test_the_campaign_form_lists_every_problem_at_its_field(app, evaluator):
    create(evaluator, slug="taken-2026", counties_text="511502,翠屏区")
    r = create(evaluator, slug="Bad Slug!", name="", opens="2026-03-01T08:00", closes="2026-02-01T08:00",
               counties_text="511502,翠屏区\n5115,南溪区\n\n511502,\n")
    page = r.get_data(as_text=True)
    for words in ["请输入调查名称", "调查编号“Bad Slug!”无效", "结束时间必须晚于开始时间",
                  "输入的区县 第 2 行：区县代码“5115”应为 6 位数字", "输入的区县 第 4 行：区县代码 511502 重复",
                  "输入的区县 第 4 行：缺少区县名称"]:
        assert words in page
    assert page.count('class="field-error"') == 6
    with app.app_context(), db.session() as s:
        assert s.scalars(select(Campaign.slug)).all() == ["taken-2026"]


def test_a_campaign_number_in_use_is_named_with_the_other_problems(app, evaluator):
    create(evaluator, slug="taken-2026", counties_text="511502,翠屏区")
    page = create(evaluator, slug="taken-2026", counties_text="x,y").get_data(as_text=True)
    assert "调查编号“taken-2026”已存在" in page and "第 1 行：区县代码“x”应为 6 位数字" in page


def test_a_channel_list_names_every_bad_line(app, evaluator, questionnaire):
    gen_campaign(app, questionnaire)
    listing = xlsx([["county", "label"], ["999999", "某校"], [None, None], ["511502", "一中"], ["511502", None],
                    ["123", "二中"]])
    r = post(evaluator, f"/admin/c/{SLUG}/channels", {"file": (io.BytesIO(listing), "学校.xlsx")},
             content_type="multipart/form-data")
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "文件有 3 处问题" in page
    for words in ["学校.xlsx 第 2 行：区县“999999”不在本调查中", "学校.xlsx 第 5 行：缺少渠道名称",
                  "学校.xlsx 第 6 行：区县“123”不在本调查中"]:
        assert words in page
    assert len(stored_campaign(app).channels) == 3


def test_line_numbers_count_blank_lines_and_multi_line_cells():
    table = read_upload("区县.csv", "code,name\n\n511502,翠屏区\n511503,\"南溪\n区\"\n\n511523,\n".encode())
    assert table.lines == [3, 4, 7]
    try:
        counties_typed("\n511502,翠屏区\n  \n5115,南溪区")
    except UserError as exc:
        assert exc.texts == ["输入的区县 第 4 行：区县代码“5115”应为 6 位数字"]
    else:
        raise AssertionError("a bad code was accepted")
