import numpy as np
import pandas as pd

from analysis.table import Table
from reports.tables import csv_text


def test_written_csv_reads_back_with_quoting_missing_values_and_bom(tmp_path):
    table = Table({
        "county": np.array(["511502", "ALL"], dtype=object),
        "text": np.array(['学校食堂，饭菜"价格"', "第一行\n第二行"], dtype=object),
        "mean": np.array([83.123456789012, np.nan]),
        "rank": np.array([1, 2]),
        "imprecise": np.array([True, False]),
    })
    path = tmp_path / "t.csv"
    path.write_text(csv_text(table), encoding="utf-8")
    assert path.read_bytes().startswith("\ufeff".encode())
    back = pd.read_csv(path, encoding="utf-8-sig", dtype={"county": str})
    assert back["text"].tolist() == table["text"].tolist()
    assert back["mean"].iloc[0] == 83.12345679 and np.isnan(back["mean"].iloc[1])
    assert back["rank"].tolist() == [1, 2] and back["imprecise"].tolist() == [1, 0]    # 0/1, as staff read it


def test_an_empty_table_writes_its_header(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text(csv_text(Table({"county": np.array([], dtype=object), "mean": np.array([])})), encoding="utf-8")
    assert path.read_text(encoding="utf-8-sig") == "county,mean\n"


def test_tables_take_rows_and_convert_to_pandas():
    table = Table({"county": np.array(["1", "ALL"], dtype=object), "n": np.array([3, 5])})
    assert table.n_rows == 2 and table.take(np.array([1]))["n"].tolist() == [5]
    assert table.to_pandas().to_dict("list") == {"county": ["1", "ALL"], "n": [3, 5]}


def test_the_record_is_strict_json_without_infinity():
    import json

    from reports.tables import record_json
    text = record_json({"grades": [[90.0, "优秀"], [float("-inf"), "较差"]], "x": np.float64("nan")})
    assert "Infinity" not in text and "NaN" not in text
    assert json.loads(text) == {"grades": [[90.0, "优秀"], [None, "较差"]], "x": None}
