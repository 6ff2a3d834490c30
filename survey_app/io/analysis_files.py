"""`survey analyze` on files: read the inputs, run the analysis, write the result tables.

Nothing on this path imports pandas: the command starts in a fraction of a second.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import platform
import shlex
from collections.abc import Mapping
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
    counties: Path | None = None        # code, name


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


@dataclass(frozen=True)
class RecordedRun:
    """What settings.json holds of a run: the command's words after `survey analyze` (input paths
    made absolute), the command as typed, and the questionnaire's fingerprint."""

    words: list[str]
    command: str
    questionnaire_sha256: str


# The options that name an input file, by the input's name in the record.
INPUT_OPTIONS = {"--targets": "targets", "--item-weights": "item_weights", "--counties": "counties"}


def recorded_run(settings_path: Path, valued_options: set[str]) -> RecordedRun:
    """The recorded analysis, once every input file is found unchanged at its recorded path.

    `valued_options` are the command's options that take a value (to find the responses argument).
    """
    try:
        record = json.loads(settings_path.read_text(encoding="utf-8"))
        command, inputs = record["command"], record["inputs"]
        questionnaire_hash = record["questionnaire"]["sha256"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UserError(f"{settings_path} 不是 survey analyze 写出的 settings.json（没有记录命令行和输入文件）") from exc
    paths = {}
    for name, entry in inputs.items():
        path = Path(entry["path"])
        if not path.is_file():
            raise UserError(f"记录的输入文件 {path} 已不存在：无法重现记录的分析")
        if _sha256(path) != entry["sha256"]:
            raise UserError(f"输入文件 {path} 的内容与记录不符（SHA-256 已改变）：无法重现记录的分析")
        paths[name] = str(path)
    words = shlex.split(command)[2:]
    return RecordedRun(_with_paths(words, paths, valued_options), command, questionnaire_hash)


def _with_paths(words: list[str], paths: dict[str, str], valued_options: set[str]) -> list[str]:
    """The words with each input file replaced by its recorded absolute path."""
    result, expecting = [], None
    for word in words:
        option, equals, value = word.partition("=")
        if expecting is not None:
            result.append(paths.get(INPUT_OPTIONS.get(expecting, ""), word))
            expecting = None
        elif equals and option in INPUT_OPTIONS:
            result.append(f"{option}={paths[INPUT_OPTIONS[option]]}")
        elif word in valued_options:
            result.append(word)
            expecting = word
        elif word.startswith("-"):
            result.append(word)
        else:
            result.append(paths["responses"])       # the one argument: the responses file
    return result


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def run_analysis(files: InputFiles, questionnaire: Questionnaire, settings: Settings, out: Path,
                 progress=lambda message: None, command: str | None = None,
                 names: dict[str, str] | None = None) -> tuple[Results, list[Path]]:
    """The results (their record holds the notices a reader must know) and the files written.

    The output folder is replaced whole: it holds this run's files, or the previous run's.
    `names` (county code -> name) are written beside the codes in every table.
    """
    results = analyze_files(files, questionnaire, settings, progress)
    if command:
        results.record["command"] = command
    progress("正在写出结果")
    return results, replace_directory(tables.files(results, names or {}), out)


def analyze_files(files: InputFiles, questionnaire: Questionnaire, settings: Settings,
                  progress=lambda message: None, responses: Mapping | None = None) -> Results:
    """The analysis of the input files, its record holding their names and hashes.

    Item weights from `files.item_weights` replace those of `settings`. `responses`: the responses
    file as the caller has read it already (for other uses too); else its columns are read here.
    """
    targets = csv_columns.read_small(files.targets, "人口目标文件") if files.targets else None
    if files.item_weights:
        settings = dataclasses.replace(settings, item_weights=read_item_weights(files.item_weights))
    extra = set(targets.get("variable", [])) if targets is not None else set()
    extra |= {settings.cluster} if settings.cluster else set()
    if responses is None:
        progress(f"读取答卷：{files.responses.name}")
    try:
        # Passed on without a name here, so the analysis can free the raw columns once coded.
        results = analyze(_read_responses(files.responses, questionnaire, extra) if responses is None else responses,
                          questionnaire, targets, settings)
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
