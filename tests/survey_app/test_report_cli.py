"""`survey report`: every document from files or from a campaign, written into one folder."""
import pandas as pd
import pytest
from sqlalchemy import update

from survey_app import db
from survey_app.models import Response
from tests.helpers import REFERENCE, gen_campaign, submit, valid_answers


@pytest.fixture
def counties_csv(tmp_path):
    path = tmp_path / "counties.csv"
    path.write_text("code,name\n511502,翠屏区\n511503,南溪区\n", encoding="utf-8")
    return path


def test_documents_from_files_with_county_names(runner, tmp_path, counties_csv):
    out = tmp_path / "report"
    result = runner("report", "--responses", REFERENCE / "responses.csv", "--targets", REFERENCE / "targets.csv",
                    "--counties", counties_csv, "--format", "xlsx,csv,docx", "--out", out)
    assert result.exit_code == 0, result.output
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert {"结果.xlsx", "表格/county_results.csv", "数据/答卷_加权.csv", "数据/答卷_加权.xlsx",
            "报告/511502_翠屏区_报告.docx", "报告/全市_报告.docx", "报告/各区县报告_Word.zip"} <= names
    assert not any(n.endswith((".pdf", ".sav")) for n in names)
    county = pd.read_csv(out / "表格" / "county_results.csv", encoding="utf-8-sig", dtype={"county": str})
    assert county.set_index("county").loc["511503", "county_name"] == "南溪区"


def test_a_second_run_replaces_the_folder_whole(runner, tmp_path):
    out = tmp_path / "report"
    out.mkdir()
    (out / "old.txt").write_text("from before")
    result = runner("report", "--responses", REFERENCE / "responses.csv", "--format", "csv", "--out", out)
    assert result.exit_code == 0, result.output
    assert not (out / "old.txt").exists() and (out / "表格" / "county_results.csv").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["report"]          # nothing left beside it


def test_documents_from_a_campaign_in_the_database(app, runner, questionnaire, tmp_path):
    tokens = gen_campaign(app, questionnaire)
    resident = app.test_client()
    for i, token in enumerate(tokens * 4):
        submit(resident, token, valid_answers(questionnaire, str(1 + i % 5), q01=str(1 + (i + 1) % 5)))
    with app.app_context(), db.session() as session:     # answered at a resident's pace, not a test's
        session.execute(update(Response).values(duration_s=240))
    out = tmp_path / "report"
    result = runner("report", "test-2026", "--format", "pdf,sav", "--out", out)
    assert result.exit_code == 0, result.output
    assert (out / "报告" / "511503_南溪区_报告.pdf").read_bytes().startswith(b"%PDF")
    assert (out / "数据" / "答卷_加权.sav").stat().st_size > 0 and (out / "图表" / "各区县排名.pdf").exists()


def test_bad_requests_are_refused_in_chinese(runner, tmp_path):
    result = runner("report", "--out", tmp_path / "x")
    assert result.exit_code == 1 and "二者选一" in result.output
    result = runner("report", "--responses", REFERENCE / "responses.csv", "--format", "pdf,doc", "--out", tmp_path / "x")
    assert result.exit_code == 1 and "未知的格式：doc" in result.output
    assert not (tmp_path / "x").exists()


def test_a_gbk_responses_file_is_read_once_for_the_analysis_and_the_data_files(runner, tmp_path, counties_csv):
    gbk = tmp_path / "答卷.csv"
    frame = pd.read_csv(REFERENCE / "responses.csv", dtype=str, keep_default_na=False)
    frame.loc[0, "channel"] = "城关中学"                              # a byte that is not UTF-8 in GBK
    frame.to_csv(gbk, index=False, encoding="gb18030")
    out = tmp_path / "report"
    result = runner("report", "--responses", gbk, "--targets", REFERENCE / "targets.csv", "--counties", counties_csv,
                    "--format", "csv", "--out", out)
    assert result.exit_code == 0, result.output
    data = pd.read_csv(out / "数据" / "答卷_加权.csv", encoding="utf-8-sig", dtype=str)
    assert "城关中学" in set(data["channel"]) and len(data) > 0


def test_a_county_name_that_climbs_out_writes_nothing_outside_the_output_folder(runner, tmp_path):
    counties = tmp_path / "counties.csv"
    counties.write_text("code,name\n511502,/../../../../../x\n", encoding="utf-8")
    out = tmp_path / "a" / "b" / "report"
    out.parent.mkdir(parents=True)
    result = runner("report", "--responses", REFERENCE / "responses.csv", "--counties", counties,
                    "--format", "docx", "--out", out)
    assert result.exit_code == 1 and "区县名称“/../../../../../x”不能包含 /" in result.output
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a", "b", "counties.csv"]
