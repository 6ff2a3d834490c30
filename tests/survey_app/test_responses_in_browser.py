"""Evaluators read one response in review and download all responses (CSV, Excel, SPSS) as
`survey export responses` writes them; every download is audited."""
import io

import openpyxl
import pandas as pd
import pyreadstat
from sqlalchemy import select

from survey_app import db
from survey_app.models import AuditEvent
from tests.helpers import gen_campaign, post, stored, submit, valid_answers
from tests.survey_app.test_admin_campaigns import SLUG, evaluator

__all__ = ["evaluator"]


def answered(app, client, questionnaire):
    tokens = gen_campaign(app, questionnaire)
    submit(client, tokens[0], valid_answers(questionnaire, q03="2", area="rural"))
    submit(client, tokens[1], valid_answers(questionnaire, q01="5"))
    return sorted(stored(app), key=lambda r: r.id)


def test_one_response_shows_the_answers_the_resident_gave(app, evaluator, client, questionnaire):
    first, _ = answered(app, client, questionnaire)
    page = evaluator.get(f"/admin/c/{SLUG}/responses/{first.submission_id}").get_data(as_text=True)
    assert "翠屏区" in page and "农村" in page and "家长" in page
    q03 = questionnaire.items[2].text
    label_of = {p.code: p.label for p in questionnaire.scale.points}
    assert f"3. {q03}</th><td>{label_of[2]}</td>" in page
    review = evaluator.get(f"/admin/c/{SLUG}/review?flag=").get_data(as_text=True)
    assert f"/admin/c/{SLUG}/responses/{first.submission_id}" in review
    assert evaluator.get(f"/admin/c/{SLUG}/responses/nosuchreceipt").status_code == 404


def test_a_response_is_excluded_from_its_own_page(app, evaluator, client, questionnaire):
    first, _ = answered(app, client, questionnaire)
    page = f"/admin/c/{SLUG}/responses/{first.submission_id}"
    r = post(evaluator, f"/admin/c/{SLUG}/review", {"response": first.submission_id, "decision": "exclude",
                                                   "reason": "测试剔除", "back": "response"}, page=page)
    assert r.headers["Location"] == page
    assert "已剔除：测试剔除" in evaluator.get(page).get_data(as_text=True)


def test_all_responses_download_in_three_formats_and_are_audited(app, evaluator, client, questionnaire, tmp_path):
    answered(app, client, questionnaire)
    csv = pd.read_csv(io.BytesIO(evaluator.get(f"/admin/c/{SLUG}/responses.csv").data), encoding="utf-8-sig",
                      dtype=str)
    assert len(csv) == 2 and {"flag_speeder", "excluded"} <= set(csv.columns)
    r = evaluator.get(f"/admin/c/{SLUG}/responses.xlsx")
    assert "filename*=UTF-8''" in r.headers["Content-Disposition"] and "%E7%AD%94%E5%8D%B7" in r.headers[
        "Content-Disposition"]                                      # 答卷, after the campaign's name
    rows = list(openpyxl.load_workbook(io.BytesIO(r.data)).active.iter_rows(values_only=True))
    assert len(rows) == 3 and "回执编号" in rows[0] and "标记：过快" in rows[0] and "已剔除" in rows[0]
    sav = tmp_path / "r.sav"
    sav.write_bytes(evaluator.get(f"/admin/c/{SLUG}/responses.sav").data)
    frame, meta = pyreadstat.read_sav(str(sav))
    assert len(frame) == 2 and meta.variable_value_labels["area"] == {1.0: "城镇", 2.0: "农村"}
    assert frame["submitted_at"].min().year >= 2026                 # real times, not 1970-01-01
    assert evaluator.get(f"/admin/c/{SLUG}/responses.json").status_code == 404
    with app.app_context(), db.session() as s:
        files = [e.detail["file"] for e in s.scalars(select(AuditEvent).where(AuditEvent.action == "export"))]
    assert files == ["csv", "xlsx", "sav"]


def test_the_command_line_writes_the_same_formats(app, runner, client, questionnaire, tmp_path):
    answered(app, client, questionnaire)
    for suffix in ("csv", "xlsx", "sav"):
        result = runner("export", "responses", SLUG, "--out", tmp_path / f"r.{suffix}")
        assert result.exit_code == 0 and "已导出 2 份答卷" in result.output, result.output
    result = runner("export", "responses", SLUG, "--out", tmp_path / "r.json")
    assert result.exit_code != 0 and "扩展名应为 .csv、.xlsx 或 .sav" in result.output


def test_the_spss_download_keeps_not_known_as_a_user_missing_code(app, evaluator, client, questionnaire, tmp_path):
    tokens = gen_campaign(app, questionnaire)
    submit(client, tokens[0], valid_answers(questionnaire, "5", q16="9"))      # 不了解
    sav = tmp_path / "r.sav"
    sav.write_bytes(evaluator.get(f"/admin/c/{SLUG}/responses.sav").data)
    frame, meta = pyreadstat.read_sav(str(sav), user_missing=True)
    assert frame["q16"].tolist() == [9.0] and meta.missing_ranges["q16"] == [{"lo": 9.0, "hi": 9.0}]
    assert meta.variable_value_labels["flag_straightline"] == {0.0: "否", 1.0: "是"}
    assert frame["flag_straightline"].tolist() == [1.0]                          # 15 x 非常满意 + 不了解
    assert meta.variable_measure["q16"] == "ordinal" and meta.variable_measure["excluded"] == "nominal"
    plain, _ = pyreadstat.read_sav(str(sav))
    assert plain["q16"].isna().all()
    sheet = openpyxl.load_workbook(io.BytesIO(evaluator.get(f"/admin/c/{SLUG}/responses.xlsx").data))["答卷"]
    header, row = (list(r) for r in sheet.iter_rows(max_row=2, values_only=True))
    assert row[header.index("q16 " + questionnaire.items[-1].text)] == "不了解"
    assert row[header.index("您的身份是")] == "家长" and row[header.index("已剔除")] == "否"
