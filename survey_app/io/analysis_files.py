"""`survey analyze` on files: read the inputs, run the analysis, write the result tables.

Nothing on this path imports pandas: the command starts in a fraction of a second.
"""
from __future__ import annotations

import dataclasses
import hashlib
import platform
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

import survey_app
from analysis.job import AnalysisError, Results, Settings, analyze
from questionnaires import Questionnaire
from reports import tables
from survey_app.errors import UserError
from survey_app.io import csv_columns
from survey_app.io.atomic import replace_directory


@dataclass(frozen=True)
class InputFiles:
    responses: Path                     # the flat export layout
    targets: Path | None = None         # county, variable, category, population
    item_weights: Path | None = None    # item, weight


def read_item_weights(path: Path) -> dict[str, float | str]:
    """item -> weight (a number, or the text as written when it is not one, for the analysis to name)."""
    table = csv_columns.read_small(path, "题目权重文件")
    if not {"item", "weight"} <= set(table):
        raise UserError(f"题目权重文件 {path.name} 应有 item,weight 两列")
    weights: dict[str, float | str] = {}
    for line, (item, text) in enumerate(zip(table["item"], table["weight"]), start=2):
        if item in weights:
            raise UserError(f"题目权重文件 {path.name} 第 {line} 行：题目 {item} 重复")
        weights[item] = _number(text)
    return weights


def _number(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text


def _read_responses(path: Path, questionnaire: Questionnaire, extra: set[str]) -> dict:
    """Only the columns the analysis reads."""
    # The channel column is read even without --cluster: the analysis then reminds the reader of it.
    kinds = {"response_id": csv_columns.ID, "county": csv_columns.TEXT, "channel": csv_columns.TEXT,
             **dict.fromkeys([*questionnaire.attribute_ids, *sorted(extra)], csv_columns.TEXT),
             **dict.fromkeys([*questionnaire.item_ids, "duration_s", "flag_honeypot", "flag_repeat_device",
                                 "flag_address_burst", "flag_form_burst", "excluded"],
                             csv_columns.NUMBER)}
    return csv_columns.read(path, "答卷文件", kinds)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def run_analysis(files: InputFiles, questionnaire: Questionnaire, settings: Settings, out: Path,
                 progress=lambda message: None, command: str | None = None) -> tuple[Results, list[Path]]:
    """The results (their record holds the notices a reader must know) and the files written.

    The output folder is replaced whole: it holds this run's files, or the previous run's.
    """
    results = analyze_files(files, questionnaire, settings, progress)
    if command:
        results.record["command"] = command
    progress("正在写出结果")
    return results, replace_directory(tables.files(results), out)


def analyze_files(files: InputFiles, questionnaire: Questionnaire, settings: Settings,
                  progress=lambda message: None) -> Results:
    """The analysis of the input files, its record holding their names and hashes.

    Item weights from `files.item_weights` replace those of `settings`.
    """
    targets = csv_columns.read_small(files.targets, "人口目标文件") if files.targets else None
    if files.item_weights:
        settings = dataclasses.replace(settings, item_weights=read_item_weights(files.item_weights))
    extra = set(targets.get("variable", [])) if targets is not None else set()
    extra |= {settings.cluster} if settings.cluster else set()
    progress(f"读取答卷：{files.responses.name}")
    try:
        # Passed on without a name here, so the analysis can free the raw columns once coded.
        results = analyze(_read_responses(files.responses, questionnaire, extra), questionnaire, targets,
                          settings)
    except AnalysisError as exc:
        raise UserError(str(exc)) from exc
    used = results.record["responses"]
    progress(f"已分析 {used['used']:,} 份答卷（收到 {used['received']:,} 份）")
    results.record["inputs"] = {name: {"file": path.name, "path": str(path.resolve()), "sha256": _sha256(path)}
                                for name, path in dataclasses.asdict(files).items() if path}
    results.record["versions"] = versions()
    return results


def versions() -> dict[str, str]:
    return {"county-survey": survey_app.__version__, "numpy": np.__version__, "pyarrow": pa.__version__,
            "python": platform.python_version()}
