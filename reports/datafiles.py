"""The cleaned responses with their final weights, for staff's own statisticians: SPSS .sav with
Chinese variable and value labels (pyreadstat), CSV and Excel.

Codes, as every file carries them: attributes 1..k in option order; items their scale codes, with
不了解 its own code (SPSS: a user-missing value) where the responses carry it and a skipped or
not-asked item empty (system-missing); quality flags 0/1 (否/是). The CSV leaves 不了解 empty, as
the flat export does; the Excel file shows attributes and flags as their labels. The answer to the open
question (comment, 意见建议) is text with personal details masked (analysis.comments.mask).
"""
from __future__ import annotations

import io
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import xlsxwriter

from analysis.comments import mask
from analysis.job import Results
from questionnaires import Questionnaire
from reports import sheetdata
from reports.labels import FLAGS
from reports.tables import neutralised, xlsx_text

YES_NO = {0: "否", 1: "是"}
DATETIME = "yyyy-mm-dd hh:mm:ss"
# pyreadstat cannot write SPSS's weight record, so the file says which variable weighs, and how.
FILE_LABEL = "教育满意度答卷（权重变量 weight）"
WEIGHT_NOTE = ("权重变量 weight：最终权重，加权到人口，合计为人口数。",
               "本文件未设定 SPSS 的加权状态（写出它的程序库不支持）。",
               "求均值和比例前请先执行 WEIGHT BY weight.",
               "标准误和检验请用复杂样本模块（CSPLAN）：",
               "权重 weight，分层 county，整群按分析设置（默认 channel）。",
               "WEIGHT BY 之下的个案数是人口数，不是答卷数。")


def cleaned(responses: pd.DataFrame, results: Results, questionnaire: Questionnaire,
            names: dict[str, str]) -> pd.DataFrame:
    """The responses the analysis used (first of a repeated id), with county name, quality flags
    (where the responses carry them) and final weight, coded as the module docstring says."""
    weights = pd.DataFrame({"response_id": results.weights["response_id"].astype(str),
                            "weight": np.asarray(results.weights["weight"], dtype=float)})
    frame = responses.assign(response_id=responses["response_id"].astype(str)).drop_duplicates("response_id")
    frame = frame.merge(weights, on="response_id", how="inner", validate="one_to_one")
    out = _coded(frame, questionnaire, names)
    for column in _flag_columns(frame):
        out[column] = _flag(frame[column])
    out["weight"] = frame["weight"].to_numpy()
    return _with_comment(out, frame).reset_index(drop=True)


def raw(responses: pd.DataFrame, questionnaire: Questionnaire, names: dict[str, str],
        flag_labels: dict[str, str]) -> pd.DataFrame:
    """Every stored response (excluded ones too), coded as `cleaned` codes them, with its quality
    flags (flag_<name> columns, 0/1) and the review's decision."""
    out = _coded(responses, questionnaire, names)
    for column in [f"flag_{name}" for name in flag_labels] + ["excluded", "exclusion_reason"]:
        out[column] = responses[column].to_numpy()
    return _with_comment(out, responses)


def _flag_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c.startswith("flag_")]


def _flag(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values, errors="coerce").astype(float).to_numpy()


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
    if "channel" in frame:
        out["channel"] = frame["channel"]
    if "duration_s" in frame:
        out["duration_s"] = pd.to_numeric(frame["duration_s"], errors="coerce")
    if "submitted_at" in frame:
        out["submitted_at"] = _times(frame["submitted_at"])
    return out


COMMENT = "comment"       # the open question's column


def _with_comment(out: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """The comments, last, with personal details masked; None where there is none (empty in every file)."""
    if COMMENT in frame:
        out[COMMENT] = _each_distinct(frame[COMMENT], lambda v: mask(v) or None if isinstance(v, str) else None
                                      ).to_numpy()
    return out


def _times(values: pd.Series) -> pd.Series:
    """Local times as datetimes (a responses file holds them as text): never text in the files."""
    if pd.api.types.is_datetime64_any_dtype(values):
        times = values
    else:
        text = values.astype("string")
        times = pd.to_datetime(text, errors="coerce", format="ISO8601")
        if (times.isna() & text.notna()).any():          # 2026/11/21 08:30 and the like
            times = pd.to_datetime(text, errors="coerce", format="mixed")
    if getattr(times.dt, "tz", None) is not None:
        times = times.dt.tz_localize(None)               # the wall-clock time written in the file
    return times.astype("datetime64[ns]")


def labels(questionnaire: Questionnaire, flag_labels: dict[str, str] | None = None
           ) -> tuple[dict[str, str], dict[str, dict]]:
    """Variable labels and value labels (Chinese) of the cleaned (or raw) columns."""
    variables = {"response_id": "回执编号", "county": "区县代码", "county_name": "区县", "channel": "渠道",
                 "duration_s": "作答用时（秒）", "submitted_at": "提交时间", "weight": "最终权重（加权到人口）",
                 "excluded": "已剔除", "exclusion_reason": "剔除原因", COMMENT: "意见建议"}
    values: dict[str, dict] = {"excluded": YES_NO}
    for name, label in (FLAGS | (flag_labels or {})).items():
        variables[f"flag_{name}"] = f"标记：{label}"
        values[f"flag_{name}"] = YES_NO
    for attribute in questionnaire.attributes:
        variables[attribute.id] = attribute.question
        values[attribute.id] = {float(i): o.label for i, o in enumerate(attribute.options, start=1)}
    scale = {float(p.code): p.label for p in questionnaire.scale.points}
    for item in questionnaire.items:
        variables[item.id] = f"{item.id} {item.text}"[:120]
        values[item.id] = scale
    return variables, values


def measures(frame: pd.DataFrame, questionnaire: Questionnaire) -> dict[str, str]:
    """SPSS measurement level of each column: items ordinal, weight, duration and time scale, the
    rest (ids, county, attributes, channel, flags) nominal."""
    items = set(questionnaire.item_ids)
    return {c: "ordinal" if c in items else "scale" if c in ("weight", "duration_s", "submitted_at") else "nominal"
            for c in frame.columns}


def sav_bytes(frame: pd.DataFrame, questionnaire: Questionnaire, flag_labels: dict[str, str] | None = None) -> bytes:
    variables, values = labels(questionnaire, flag_labels)
    # pyreadstat reads datetime64 at nanoseconds only: at seconds every time became 1970-01-01.
    frame = frame.assign(**{c: frame[c].astype("datetime64[ns]") for c in frame
                            if pd.api.types.is_datetime64_any_dtype(frame[c])})
    # Text as Python objects: pyreadstat reads cell by cell, and a cell of pandas' Arrow-backed text
    # column took 20 times as long to read (4 of 13 s for a million responses).
    frame = frame.assign(**{c: frame[c].astype(object).where(frame[c].notna(), None) for c in frame
                            if pd.api.types.is_string_dtype(frame[c]) and not pd.api.types.is_object_dtype(frame[c])})
    na = questionnaire.scale.not_applicable
    items = [c for c in questionnaire.item_ids if c in frame]
    formats = {c: "F2.0" for c in items + [a.id for a in questionnaire.attributes if a.id in frame]}
    formats |= {c: "F1.0" for c in frame if c.startswith("flag_") or c == "excluded"}
    formats |= {c: f for c, f in (("weight", "F12.4"), ("duration_s", "F8.0")) if c in frame}
    notes = list(WEIGHT_NOTE)
    if na is not None:
        notes += [f"满意度题：{na} = 不了解（用户缺失值）；", "空 = 未作答或未问（系统缺失值）。"]
    with tempfile.TemporaryDirectory() as directory:   # pyreadstat writes to a path only
        path = Path(directory) / "responses.sav"
        # Row compression (SPSS's own default, "COMPRESSED"): a text column such as the comments is as wide in
        # every row as its longest value; compressed, its blank runs take a byte each (14.6 -> 6 MB for the demo).
        pyreadstat.write_sav(frame, str(path), file_label=FILE_LABEL, row_compress=True, note=[line for note in notes for line in _lines(note)],
                             column_labels=[variables.get(c, c) for c in frame.columns],
                             variable_value_labels={k: v for k, v in values.items() if k in frame},
                             missing_ranges={c: [float(na)] for c in items} if na is not None else None,
                             variable_measure=measures(frame, questionnaire), variable_format=formats)
        return path.read_bytes()


def _lines(text: str, size: int = 80) -> list[str]:
    """A note as SPSS document lines of at most `size` bytes (UTF-8), cut after a punctuation mark
    where the line has one."""
    lines, line = [], ""
    for ch in text:
        if len((line + ch).encode("utf-8")) > size:
            cut = max(line.rfind(p) for p in "，。；、") + 1 or len(line)
            lines.append(line[:cut])
            line = line[cut:]
        line += ch
    return [*lines, line] if line else lines


def csv_bytes(frame: pd.DataFrame, questionnaire: Questionnaire | None = None) -> bytes:
    """UTF-8 with BOM; text that a spreadsheet would take for a formula is made inert. With the
    questionnaire, 不了解 is left empty as in the flat export."""
    safe = frame.copy()
    if questionnaire is not None and questionnaire.scale.not_applicable is not None:
        for item in questionnaire.item_ids:
            if item in safe:
                safe[item] = safe[item].mask(safe[item] == questionnaire.scale.not_applicable)
    for column in safe.columns:
        values = safe[column]
        if pd.api.types.is_float_dtype(values) and column != "weight":
            whole = values.dropna()
            if (whole == np.round(whole)).all():
                safe[column] = _each_distinct(values, lambda v: str(int(v)))     # codes as 4, not 4.0
        elif not pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_datetime64_any_dtype(values):
            safe[column] = _each_distinct(values, lambda v: neutralised(v) if isinstance(v, str) else v)
    return safe.to_csv(index=False).encode("utf-8-sig")


def _each_distinct(values: pd.Series, change) -> pd.Series:
    """`change` applied to each distinct value once (a column holds few: codes, names, labels), as
    Python objects (pandas would turn text into Arrow's and back for the CSV); missing values None."""
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    changed = np.array([*(change(v) for v in distinct), None], dtype=object)
    return pd.Series(changed[codes], index=values.index, dtype=object)


def _shown(frame: pd.DataFrame, column: str, questionnaire: Questionnaire, values: dict[str, dict],
           style: int | None) -> sheetdata.Column:
    """A column's cells as the Excel file shows them: attributes and flags as their labels, items as
    codes (不了解 as its label, so that no sum or mean takes it), times as date cells."""
    series = frame[column]
    if column == "submitted_at" or pd.api.types.is_datetime64_any_dtype(series):
        return _date_cells(pd.to_datetime(series, errors="coerce"), style)
    codes, distinct = pd.factorize(series, use_na_sentinel=True)
    shown = [v.item() if isinstance(v, np.generic) else v for v in distinct]
    if column in questionnaire.item_ids:
        na = questionnaire.scale.not_applicable
        label = values[column].get(float(na)) if na is not None else None
        shown = [label if na is not None and v == na else v for v in shown]
    elif column in values:                                # attributes, flags, excluded
        shown = [values[column].get(v, v) for v in shown]
    return sheetdata.Column(codes, shown, style)


def _date_cells(times: pd.Series, style: int | None) -> sheetdata.Column:
    """Local times as Excel date numbers (days since 1899-12-30), computed as XlsxWriter computes them."""
    if getattr(times.dt, "tz", None) is not None:
        times = times.dt.tz_localize(None)
    micro = (times.to_numpy("datetime64[us]") - np.datetime64("1899-12-31", "us")).astype(np.int64)
    days, rest = np.divmod(micro, 86_400_000_000)
    seconds, micro = np.divmod(rest, 1_000_000)
    serial = days + (seconds.astype(float) + micro.astype(float) / 1e6) / (60 * 60 * 24)
    serial = np.where(serial > 59, serial + 1, serial)          # Excel's 1900-02-29
    missing = times.isna().to_numpy()
    return sheetdata.Column(np.where(missing, -1, np.arange(len(times))), serial.tolist(), style)


def xlsx_bytes(frame: pd.DataFrame, questionnaire: Questionnaire, flag_labels: dict[str, str] | None = None) -> bytes:
    """The responses on one sheet (Chinese headers, one row each; text stays text, times are date
    cells), and a sheet that explains each column and its codes. XlsxWriter writes the header and all
    settings, sheetdata the rows."""
    variables, values = labels(questionnaire, flag_labels)
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                     "strings_to_numbers": False})
    header = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#EEF2F6", "border": 1})
    sheet = book.add_worksheet("答卷")
    widths = {"response_id": 16, "county_name": 10, "submitted_at": 19, "weight": 10, "exclusion_reason": 20,
              COMMENT: 60}
    dates = book.add_format({"num_format": DATETIME})
    formats = {"weight": book.add_format({"num_format": "0.0000"})} | {
        c: dates for c in frame.columns if c == "submitted_at" or pd.api.types.is_datetime64_any_dtype(frame[c])}
    for c, name in enumerate(frame.columns):
        sheet.set_column(c, c, widths.get(name, 8 if name in questionnaire.item_ids else 12), formats.get(name))
    _print_setup(sheet, landscape=True)
    sheet.freeze_panes(1, 1)
    sheet.write_row(0, 0, [xlsx_text(variables.get(c, c)) for c in frame.columns], header)
    _codebook(book, header, frame, questionnaire, variables, values)
    book.close()
    columns = [_shown(frame, c, questionnaire, values, formats[c].xf_index if c in formats else None)
               for c in frame.columns]
    return sheetdata.fill(out.getvalue(), 1, columns, first_row=1)


def _codebook(book, header, frame: pd.DataFrame, questionnaire: Questionnaire, variables: dict[str, str],
              values: dict[str, dict]) -> None:
    """变量说明: each column's name, label, measurement level and codes."""
    sheet = book.add_worksheet("变量说明")
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 1, 40, wrap)
    sheet.set_column(2, 2, 8)
    sheet.set_column(3, 3, 50, wrap)
    _print_setup(sheet, landscape=False)
    sheet.write_row(0, 0, ["变量名", "含义", "测量级别", "取值"], header)
    level = {"nominal": "名义", "ordinal": "定序", "scale": "尺度"}
    measure = measures(frame, questionnaire)
    na = questionnaire.scale.not_applicable
    for r, column in enumerate(frame.columns, start=1):
        codes = "；".join(f"{int(k)} = {v}" for k, v in values.get(column, {}).items())
        if column in questionnaire.item_ids and na is not None:
            codes += f"（答卷表中“不了解”为文字，SPSS 中 {na} 为用户缺失值；空 = 未作答或未问）"
        elif column in values and column not in questionnaire.item_ids:
            codes += "（答卷表中为文字）"
        elif column == "submitted_at":
            codes = "日期时间（当地时间）"
        elif column == COMMENT:
            codes = "群众填写的文字（选答，未填为空）；电话、身份证号、邮箱、账号和称呼前的姓名已遮盖，原文只在审核页显示"
        elif column == "weight":
            codes = WEIGHT_NOTE[0] + "均值和比例按它加权；标准误须按抽样设计计算（分层 county，整群默认 channel）。"
        sheet.write_row(r, 0, [xlsx_text(str(v)) for v in (column, variables.get(column, column),
                                                            level[measure[column]], codes)])


def _print_setup(sheet, landscape: bool) -> None:
    sheet.set_paper(9)
    if landscape:
        sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0)
    sheet.set_footer("&C第 &P 页，共 &N 页")
