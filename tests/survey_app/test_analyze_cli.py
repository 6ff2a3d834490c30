import json
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from survey_app.cli import main

REFERENCE = Path(__file__).parents[1] / "analysis" / "reference" / "raking"


def analyze(*args):
    return CliRunner().invoke(main, ["analyze", str(REFERENCE / "responses.csv"), *map(str, args)])


def test_analyze_writes_the_documented_tables(tmp_path):
    result = analyze("--targets", REFERENCE / "targets.csv", "--item-weights", REFERENCE / "item_weights.csv",
                     "--cluster", "channel", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    county = pd.read_csv(tmp_path / "county_results.csv", encoding="utf-8-sig", dtype={"county": str})
    assert list(county.columns[:12]) == ["county", "n", "n_effective", "index", "se", "ci_low", "ci_high",
                                         "deff", "rank", "rank_low", "rank_high", "grade"]
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
    for name in ["quality.csv", "problems.csv", "breakdowns.csv", "reliability.csv", "drivers.csv"]:
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
