"""The open question in every file: a column 意见建议 (comment), masked, inert for spreadsheets."""
import io

import openpyxl
import pandas as pd
import pyreadstat
import pytest
from sqlalchemy import update

from survey_app import db
from survey_app.models import Response
from tests.helpers import gen_campaign, submit, valid_answers
from tests.survey_app.test_admin_campaigns import SLUG, evaluator

__all__ = ["evaluator"]

WRITTEN = ['=cmd|" /C calc"!A0', "王建国老师，电话 138 1234 5678", "+1 食堂饭菜，\"太贵\"了", None]
SHOWN = ["'=cmd|\" /C calc\"!A0", "某老师，电话 【电话】", "'+1 食堂饭菜，\"太贵\"了", None]


@pytest.fixture
def commented(app, questionnaire):
    tokens = gen_campaign(app, questionnaire)
    resident = app.test_client()
    for i, text in enumerate(WRITTEN):
        answers = valid_answers(questionnaire, **({"comment": text} if text else {}))
        assert submit(resident, tokens[i % 3], answers).status_code == 200
    with app.app_context(), db.session() as session:     # answered at a resident's pace, not a test's
        session.execute(update(Response).values(duration_s=240))


def test_the_csv_carries_the_comment_last_masked_and_inert(evaluator, commented, questionnaire):
    data = evaluator.get(f"/admin/c/{SLUG}/responses.csv").data
    csv = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(csv.columns)[-3:] == ["excluded", "exclusion_reason", "comment"]
    assert csv["comment"].tolist() == [s or "" for s in SHOWN]
    assert b"13812345678" not in data and "王建国".encode() not in data


def test_excel_and_spss_carry_it_as_text_named_in_chinese(evaluator, commented, tmp_path):
    sheet = openpyxl.load_workbook(io.BytesIO(evaluator.get(f"/admin/c/{SLUG}/responses.xlsx").data))["答卷"]
    rows = list(sheet.iter_rows(values_only=False))
    header = [c.value for c in rows[0]]
    cells = [row[header.index("意见建议")] for row in rows[1:]]
    assert [c.value for c in cells] == [WRITTEN[0], "某老师，电话 【电话】", WRITTEN[2], None]
    assert all(c.data_type == "s" for c in cells[:3])                  # text cells: =cmd is no formula
    book = openpyxl.load_workbook(io.BytesIO(evaluator.get(f"/admin/c/{SLUG}/responses.xlsx").data))
    notes = {row[0]: row for row in book["变量说明"].iter_rows(min_row=2, values_only=True)}
    assert notes["comment"][1] == "意见建议" and "已遮盖" in notes["comment"][3]
    sav = tmp_path / "r.sav"
    sav.write_bytes(evaluator.get(f"/admin/c/{SLUG}/responses.sav").data)
    frame, meta = pyreadstat.read_sav(str(sav))
    assert meta.column_names_to_labels["comment"] == "意见建议" and meta.variable_measure["comment"] == "nominal"
    assert frame["comment"].tolist() == [WRITTEN[0], "某老师，电话 【电话】", WRITTEN[2], ""]


def test_the_exported_csv_still_analyses_and_reports(app, runner, commented, tmp_path):
    out = tmp_path / "responses.csv"
    assert runner("export", "responses", SLUG, "--out", out).exit_code == 0
    result = runner("analyze", out, "--out", tmp_path / "results")
    assert result.exit_code == 0, result.output
    result = runner("report", "--responses", out, "--format", "csv", "--out", tmp_path / "report")
    assert result.exit_code == 0, result.output
    cleaned = pd.read_csv(tmp_path / "report" / "数据" / "答卷_加权.csv", encoding="utf-8-sig", dtype=str)
    assert list(cleaned.columns)[-1] == "comment" and "某老师，电话 【电话】" in cleaned["comment"].tolist()


def test_the_staff_data_files_carry_the_masked_comment(app, runner, commented, tmp_path):
    result = runner("report", SLUG, "--format", "csv,sav", "--out", tmp_path / "report")
    assert result.exit_code == 0, result.output
    data = (tmp_path / "report" / "数据" / "答卷_加权.csv").read_bytes()
    assert "某老师，电话 【电话】".encode() in data and b"13812345678" not in data and b"'=cmd" in data
    frame, _ = pyreadstat.read_sav(str(tmp_path / "report" / "数据" / "答卷_加权.sav"))
    assert "某老师，电话 【电话】" in frame["comment"].tolist()
