import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import questionnaires
from analysis import job
from analysis.quality import QualitySettings
from survey_app.cli import main
from survey_app.io import csv_columns
from tests.helpers import REFERENCE


def analyze(*args):
    return CliRunner().invoke(main, ["analyze", str(REFERENCE / "responses.csv"), *map(str, args)])


def test_analyze_writes_the_documented_tables(tmp_path):
    result = analyze("--targets", REFERENCE / "targets.csv", "--item-weights", REFERENCE / "item_weights.csv",
                     "--cluster", "channel", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    county = pd.read_csv(tmp_path / "county_results.csv", encoding="utf-8-sig", dtype={"county": str})
    assert list(county.columns[:13]) == ["county", "county_name", "n", "n_effective", "index", "se", "ci_low",
                                         "ci_high", "deff", "rank", "rank_low", "rank_high", "grade"]
    assert {"psu", "df", "n_effective_kish", "imprecise"} <= set(county.columns)
    assert county["county"].iloc[-1] == "ALL" and len(county) == 11
    items = pd.read_csv(tmp_path / "item_results.csv", encoding="utf-8-sig", dtype={"county": str})
    assert {"county", "item", "n", "mean", "se", "ci_low", "ci_high", "share_satisfied",
            "share_dissatisfied"} <= set(items.columns)
    assert len(items) == 16 * 11
    weights = pd.read_csv(tmp_path / "weights.csv", encoding="utf-8-sig")
    assert len(weights) == county["n"].iloc[-1]
    record = json.loads((tmp_path / "settings.json").read_text(encoding="utf-8"))
    assert record["item_weights"]["q01"] == 8.0
    assert record["score_mapping"] == {"1": 0.0, "2": 25.0, "3": 50.0, "4": 75.0, "5": 100.0}
    assert len(record["inputs"]["targets"]["sha256"]) == 64
    assert record["design"]["clusters"] == "channel"
    assert record["notices"] and all(f"注意：{notice}" in result.output for notice in record["notices"])
    for name in ["quality.csv", "problems.csv", "breakdowns.csv", "reliability.csv", "drivers.csv", "item_distribution.csv"]:
        assert (tmp_path / name).exists()


def test_analyze_without_targets_uses_unit_weights(tmp_path):
    result = analyze("--out", tmp_path)
    assert result.exit_code == 0, result.output
    assert pd.read_csv(tmp_path / "weights.csv")["weight"].eq(1).all()


def test_analyze_reports_bad_input_in_chinese_and_writes_nothing(tmp_path):
    bad = tmp_path / "targets.csv"
    bad.write_text("county,variable,category\n511502,area,urban\n", encoding="utf-8")
    result = analyze("--targets", bad, "--out", tmp_path / "out")
    assert result.exit_code == 1 and "缺少列：population" in result.output
    assert not (tmp_path / "out").exists()
    result = analyze("--exclude", "speeder,bogus", "--out", tmp_path / "out")
    assert result.exit_code == 1 and "未知的质量规则：bogus" in result.output


def test_the_command_gives_the_figures_of_the_library_on_a_dataframe(tmp_path, reference):
    """The CLI reads with Arrow and never imports pandas; a notebook passes a DataFrame."""
    result = analyze("--targets", REFERENCE / "targets.csv", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    quality = QualitySettings(speeder_floor_s=60, min_items_answered=8)
    library = job.analyze(reference.responses, questionnaires.load(questionnaires.DEFAULT), reference.targets,
                          job.Settings(quality=quality))
    for name in ("county_results", "item_results", "breakdowns"):
        written = pd.read_csv(tmp_path / f"{name}.csv", encoding="utf-8-sig", dtype={"county": str})
        expected = getattr(library, name).to_pandas()
        assert list(written.columns.drop("county_name")) == list(expected.columns)
        for column in expected.columns:
            if expected[column].dtype.kind == "f":
                np.testing.assert_allclose(written[column], expected[column], rtol=1e-9)
            else:
                # An empty text cell (versus_city of ALL) reads back as missing.
                assert written[column].fillna("").astype(str).tolist() == expected[column].astype(str).tolist()


def test_text_among_answer_codes_names_the_row_and_column(tmp_path):
    lines = (REFERENCE / "responses.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[5].split(",")
    row[header.index("q03")] = "很好"
    lines[5] = ",".join(row)
    bad = tmp_path / "responses.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    result = CliRunner().invoke(main, ["analyze", str(bad), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and "第 6 行 q03 列：答案代码“很好”不在量表中" in result.output
    assert not (tmp_path / "out").exists()


def test_score_mapping_and_shrinkage_are_applied_and_recorded(tmp_path):
    result = analyze("--targets", REFERENCE / "targets.csv", "--scores", "5=100,4=80,3=60,2=40,1=20",
                     "--shrinkage", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "settings.json").read_text(encoding="utf-8"))
    assert record["score_mapping"] == {"1": 20.0, "2": 40.0, "3": 60.0, "4": 80.0, "5": 100.0}
    county = pd.read_csv(tmp_path / "county_results.csv", encoding="utf-8-sig", dtype={"county": str})
    assert county["index"].between(20, 100).all()
    assert {"index_shrunk", "se_shrunk", "shrinkage"} <= set(county.columns)
    result = analyze("--scores", "5=100,4=80", "--out", tmp_path / "other")
    assert result.exit_code == 1 and "分值须为每个计分选项各给一个" in result.output


def test_key_drivers_of_an_overall_item(tmp_path):
    result = analyze("--targets", REFERENCE / "targets.csv", "--driver-outcome", "q16", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    drivers = pd.read_csv(tmp_path / "drivers.csv", encoding="utf-8-sig")
    assert "q16" not in set(drivers["item"]) and len(drivers) == 15
    assert drivers["importance"].sum() == pytest.approx(1.0)
    record = json.loads((tmp_path / "settings.json").read_text(encoding="utf-8"))
    assert record["drivers"]["outcome"] == "q16" and 0 < record["drivers"]["r_squared"] < 1
    result = analyze("--driver-outcome", "q99", "--out", tmp_path / "other")
    assert result.exit_code == 1 and "总体满意度题“q99”不在问卷中" in result.output


def test_a_file_read_in_many_blocks_gives_the_same_columns(monkeypatch, reference):
    monkeypatch.setattr(csv_columns, "BLOCK_BYTES", 4096)
    kinds = {"response_id": csv_columns.ID, "county": csv_columns.TEXT, "area": csv_columns.TEXT,
             "q11": csv_columns.NUMBER}
    columns = csv_columns.read(REFERENCE / "responses.csv", "答卷文件", kinds)
    frame = reference.responses
    for name in ("response_id", "county", "area"):
        factor = columns[name]
        assert factor.labels[factor.codes].tolist() == frame[name].tolist()
    assert list(columns["county"].labels) == sorted(frame["county"].unique())
    np.testing.assert_array_equal(columns["q11"], frame["q11"].to_numpy(np.float32))


def test_lists_typed_with_a_chinese_input_method_are_read(tmp_path):
    result = analyze("--grades", "90＝优秀，80=良好，0=较差", "--exclude", "speeder，honeypot", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    county = pd.read_csv(tmp_path / "county_results.csv", encoding="utf-8-sig")
    assert set(county["grade"]) <= {"优秀", "良好", "较差"}
    record = json.loads((tmp_path / "settings.json").read_text(encoding="utf-8"))
    assert record["grades"][-1] == [None, "较差"] and record["quality"]["exclude"] == ["honeypot", "speeder"]


def test_grades_that_leave_part_of_the_scale_ungraded_are_refused(tmp_path):
    result = analyze("--grades", "90=优秀,85=良好", "--out", tmp_path / "out")
    assert result.exit_code == 1 and "没有覆盖整个分数范围" in result.output


def test_messages_name_what_is_wrong(tmp_path):
    header = (REFERENCE / "responses.csv").read_text(encoding="utf-8").splitlines()[0]
    (tmp_path / "empty.csv").write_text(header + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["analyze", str(tmp_path / "empty.csv"), "--out", str(tmp_path / "a")])
    assert result.exit_code == 1 and "没有任何答卷（只有表头）" in result.output
    result = analyze("--min-items", "17", "--out", tmp_path / "b")
    assert result.exit_code == 1 and "最少有效作答题数 17 超过了问卷的题目数 16" in result.output
    weights = (REFERENCE / "item_weights.csv").read_text(encoding="utf-8")
    (tmp_path / "twice.csv").write_text(weights + "q03,2\n", encoding="utf-8")
    result = analyze("--item-weights", tmp_path / "twice.csv", "--out", tmp_path / "c")
    assert result.exit_code == 1 and "第 18 行：题目 q03 重复" in result.output
    (tmp_path / "bad.csv").write_text(weights.replace("q05,", "q05,很重要#"), encoding="utf-8")
    result = analyze("--item-weights", tmp_path / "bad.csv", "--out", tmp_path / "d")
    assert result.exit_code == 1 and "题目 q05 的权重“很重要#" in result.output and "必须为正数" in result.output


def test_forgotten_options_are_said_on_screen(tmp_path):
    result = analyze("--out", tmp_path)
    assert "注意：没有给出人口目标" in result.output and "注意：答卷有渠道列但未按渠道整群" in result.output
    result = analyze("--targets", REFERENCE / "targets.csv", "--cluster", "channel", "--out", tmp_path / "x")
    assert "没有给出人口目标" not in result.output and "未按渠道整群" not in result.output


def test_the_output_folder_holds_one_complete_run(tmp_path):
    out = tmp_path / "results"
    out.mkdir()
    (out / "old.csv").write_text("from a run before")
    result = analyze("--out", out)
    assert result.exit_code == 0, result.output
    assert not (out / "old.csv").exists() and (out / "county_results.csv").exists()
    record = json.loads((out / "settings.json").read_text(encoding="utf-8"))
    assert record["command"] == f"survey analyze {REFERENCE / 'responses.csv'} --out {out}"
    assert len(record["questionnaire"]["sha256"]) == 64
    assert record["inputs"]["responses"]["path"].endswith("responses.csv")
    assert "加权满意度指数（名次从高到低）" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["results"]


def county_index(folder):
    return pd.read_csv(folder / "county_results.csv", encoding="utf-8-sig", dtype={"county": str})[["county", "index", "se"]]


def test_files_as_chinese_excel_saves_them_give_the_same_results(tmp_path):
    """GBK text that begins after row 1,000, an .xlsx of each input, and Excel's trailing rows of empty cells."""
    responses = pd.read_csv(REFERENCE / "responses.csv", dtype=str, keep_default_na=False)
    responses.loc[1500:, "channel"] = "第一中学" + responses.loc[1500:, "channel"]
    utf8, gbk = tmp_path / "utf8.csv", tmp_path / "gbk.csv"
    responses.to_csv(utf8, index=False, encoding="utf-8")
    responses.to_csv(gbk, index=False, encoding="gb18030")
    with gbk.open("a", encoding="gb18030") as f:
        f.write("," * (len(responses.columns) - 1) + "\n" + "," * (len(responses.columns) - 1) + "\n")
    excel = {}
    for name in ("responses", "targets", "item_weights"):
        source = utf8 if name == "responses" else REFERENCE / f"{name}.csv"
        excel[name] = tmp_path / f"{name}.xlsx"
        pd.read_csv(source, dtype=str, keep_default_na=False).to_excel(excel[name], index=False)
    runs = {
        "utf8": [utf8, "--targets", REFERENCE / "targets.csv", "--item-weights", REFERENCE / "item_weights.csv"],
        "gbk": [gbk, "--targets", REFERENCE / "targets.csv", "--item-weights", REFERENCE / "item_weights.csv"],
        "xlsx": [excel["responses"], "--targets", excel["targets"], "--item-weights", excel["item_weights"]],
    }
    for name, arguments in runs.items():
        result = CliRunner().invoke(main, ["analyze", *map(str, arguments), "--cluster", "channel",
                                           "--out", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    pd.testing.assert_frame_equal(county_index(tmp_path / "gbk"), county_index(tmp_path / "utf8"))
    pd.testing.assert_frame_equal(county_index(tmp_path / "xlsx"), county_index(tmp_path / "utf8"))


def test_rows_of_empty_cells_are_skipped_and_messages_keep_the_file_lines(tmp_path):
    lines = (REFERENCE / "responses.csv").read_text(encoding="utf-8").splitlines()
    columns = lines[0].split(",")
    row = lines[6].split(",")
    row[columns.index("q03")] = "7"
    lines[6] = ",".join(row)                                    # line 7 of the file: a code off the scale
    lines.insert(2, "," * (len(columns) - 1))                   # an empty row at line 3 pushes it to line 8
    path = tmp_path / "responses.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["analyze", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and "第 8 行 q03 列：答案代码“7”不在量表中" in result.output


def test_a_file_in_neither_utf8_nor_gbk_is_refused_by_name(tmp_path):
    path = tmp_path / "responses.csv"
    path.write_bytes((REFERENCE / "responses.csv").read_bytes() + b"\xff\xfe\xff\n")
    result = CliRunner().invoke(main, ["analyze", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and "无法识别编码" in result.output and "responses.csv" in result.output


def test_a_recorded_analysis_is_rerun_exactly_and_refused_once_an_input_changed(tmp_path, monkeypatch):
    targets = tmp_path / "targets.csv"
    targets.write_bytes((REFERENCE / "targets.csv").read_bytes())
    monkeypatch.chdir(tmp_path)                                   # relative paths, as a person types them
    first = CliRunner().invoke(main, ["analyze", str(REFERENCE / "responses.csv"), "--targets", "targets.csv",
                                      "--cluster=channel", "--grades", "85=好,0=差", "--out", "first"])
    assert first.exit_code == 0, first.output
    monkeypatch.chdir(REFERENCE)                                  # elsewhere
    again = CliRunner().invoke(main, ["analyze", "--settings", str(tmp_path / "first" / "settings.json"),
                                      "--out", str(tmp_path / "again")])
    assert again.exit_code == 0, again.output
    pd.testing.assert_frame_equal(county_index(tmp_path / "again"), county_index(tmp_path / "first"))
    recorded = json.loads((tmp_path / "again" / "settings.json").read_text(encoding="utf-8"))
    assert recorded["grades"] == [[85.0, "好"], [None, "差"]] and recorded["design"]["clusters"] == "channel"

    targets.write_text(targets.read_text(encoding="utf-8").replace("227779", "227780"), encoding="utf-8")
    changed = CliRunner().invoke(main, ["analyze", "--settings", str(tmp_path / "first" / "settings.json")])
    assert changed.exit_code == 1 and "内容与记录不符" in changed.output and "targets.csv" in changed.output


def test_county_names_stand_beside_the_codes_in_every_table_and_on_screen(tmp_path):
    counties = tmp_path / "counties.csv"
    counties.write_text("code,name\n511502,翠屏区\n511503,南溪区\n", encoding="utf-8")
    result = analyze("--targets", REFERENCE / "targets.csv", "--counties", counties, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    for table in ("county_results", "item_results", "quality", "problems", "breakdowns"):
        frame = pd.read_csv(tmp_path / "out" / f"{table}.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
        assert list(frame.columns[frame.columns.get_loc("county"):][:2]) == ["county", "county_name"], table
        named = dict(zip(frame["county"], frame["county_name"]))
        assert named.get("511502") == "翠屏区" and named.get("511504", "") == "", table
    county = pd.read_csv(tmp_path / "out" / "county_results.csv", encoding="utf-8-sig", dtype={"county": str})
    assert county["county_name"].iloc[-1] == "全市"
    assert "翠屏区" in result.output.split("加权满意度指数")[1]
