"""The cleaned responses with their final weights, for staff's own statisticians: SPSS .sav with
Chinese variable and value labels (pyreadstat), CSV and Excel."""
from __future__ import annotations

import io
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import xlsxwriter

from analysis.job import Results
from questionnaires import Questionnaire
from reports.tables import neutralised


def cleaned(responses: pd.DataFrame, results: Results, questionnaire: Questionnaire,
            names: dict[str, str]) -> pd.DataFrame:
    """The responses the analysis used (first of a repeated id), with county name and final weight.

    Attributes are coded 1..k in option order and items keep their scale codes (不了解 empty),
    so that the value labels of `labels` apply.
    """
    weights = pd.DataFrame({"response_id": results.weights["response_id"].astype(str),
                            "weight": np.asarray(results.weights["weight"], dtype=float)})
    frame = responses.assign(response_id=responses["response_id"].astype(str)).drop_duplicates("response_id")
    frame = frame.merge(weights, on="response_id", how="inner", validate="one_to_one")
    out = _coded(frame, questionnaire, names)
    out["weight"] = frame["weight"].to_numpy()
    return out.reset_index(drop=True)


def raw(responses: pd.DataFrame, questionnaire: Questionnaire, names: dict[str, str],
        flag_labels: dict[str, str]) -> pd.DataFrame:
    """Every stored response (excluded ones too), coded as `cleaned` codes them, with its quality
    flags (flag_<name> columns, 0/1) and the review's decision."""
    out = _coded(responses, questionnaire, names)
    for column in [f"flag_{name}" for name in flag_labels] + ["excluded", "exclusion_reason"]:
        out[column] = responses[column].to_numpy()
    return out


def _coded(frame: pd.DataFrame, questionnaire: Questionnaire, names: dict[str, str]) -> pd.DataFrame:
    """Ids, county and its name, attributes coded 1..k, items as scale codes, channel and times."""
    out = pd.DataFrame({"response_id": frame["response_id"], "county": frame["county"].astype(str)})
    out["county_name"] = [names.get(code, "") for code in out["county"]]
    for attribute in questionnaire.attributes:
        if attribute.id in frame:
            code = {o.id: i for i, o in enumerate(attribute.options, start=1)}
            out[attribute.id] = frame[attribute.id].astype("string").map(code).astype(float)
    for item in questionnaire.item_ids:
        out[item] = pd.to_numeric(frame[item], errors="coerce").astype(float)
    for column in ("channel", "duration_s", "submitted_at"):
        if column in frame:
            out[column] = frame[column] if column != "duration_s" else pd.to_numeric(frame[column], errors="coerce")
    return out


def labels(questionnaire: Questionnaire, flag_labels: dict[str, str] | None = None
           ) -> tuple[dict[str, str], dict[str, dict]]:
    """Variable labels and value labels (Chinese) of the cleaned (or raw) columns."""
    variables = {"response_id": "回执编号", "county": "区县代码", "county_name": "区县", "channel": "渠道",
                 "duration_s": "作答用时（秒）", "submitted_at": "提交时间", "weight": "最终权重（加权到人口）",
                 "excluded": "已剔除", "exclusion_reason": "剔除原因"}
    values: dict[str, dict] = {"excluded": {0: "否", 1: "是"}}
    for name, label in (flag_labels or {}).items():
        variables[f"flag_{name}"] = f"标记：{label}"
        values[f"flag_{name}"] = {0: "否", 1: "是"}
    for attribute in questionnaire.attributes:
        variables[attribute.id] = attribute.question
        values[attribute.id] = {float(i): o.label for i, o in enumerate(attribute.options, start=1)}
    scale = {float(p.code): p.label for p in questionnaire.scale.points if p.score is not None}
    for item in questionnaire.items:
        variables[item.id] = f"{item.id} {item.text}"[:120]
        values[item.id] = scale
    return variables, values


def sav_bytes(frame: pd.DataFrame, questionnaire: Questionnaire, flag_labels: dict[str, str] | None = None) -> bytes:
    variables, values = labels(questionnaire, flag_labels)
    # pyreadstat reads datetime64 at nanoseconds only: at seconds every time became 1970-01-01.
    frame = frame.assign(**{c: frame[c].astype("datetime64[ns]") for c in frame
                            if pd.api.types.is_datetime64_any_dtype(frame[c])})
    with tempfile.TemporaryDirectory() as directory:   # pyreadstat writes to a path only
        path = Path(directory) / "responses.sav"
        pyreadstat.write_sav(frame, str(path), column_labels=[variables.get(c, c) for c in frame.columns],
                             variable_value_labels={k: v for k, v in values.items() if k in frame},
                             variable_measure={c: "nominal" for c in values
                                               if c in frame and c not in questionnaire.item_ids})
        return path.read_bytes()


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM; text that a spreadsheet would take for a formula is made inert."""
    safe = frame.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(lambda v: neutralised(v) if isinstance(v, str) else v)
    return safe.to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame, questionnaire: Questionnaire, flag_labels: dict[str, str] | None = None) -> bytes:
    """One sheet, Chinese headers, row by row in constant memory (text stays text)."""
    variables, _ = labels(questionnaire, flag_labels)
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "constant_memory": True, "strings_to_formulas": False,
                                     "strings_to_urls": False, "strings_to_numbers": False})
    sheet = book.add_worksheet("答卷")
    sheet.freeze_panes(1, 0)
    sheet.write_row(0, 0, [variables.get(c, c) for c in frame.columns])
    columns = [frame[c].astype(object).where(frame[c].notna(), None).tolist() for c in frame.columns]
    for r, row in enumerate(zip(*columns), start=1):
        sheet.write_row(r, 0, row)
    book.close()
    return out.getvalue()
