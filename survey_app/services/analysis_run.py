"""`survey analyze`: read the input files, run the analysis, write the result tables."""
from __future__ import annotations

import hashlib
import platform
from importlib import metadata
from pathlib import Path

import pandas as pd

import questionnaires
from analysis import quality
from analysis.job import AnalysisError, Settings, analyze
from reports import tables
from survey_app.services import ServiceError


def _read_csv(path: Path, what: str, **options) -> pd.DataFrame:
    try:
        return pd.read_csv(path, encoding="utf-8-sig", **options)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise ServiceError(f"{what} {path.name} 无法读取：{exc}") from exc


def _read_responses(path: Path, questionnaire, extra: set[str]) -> pd.DataFrame:
    """Only the columns the analysis reads; categorical text as pandas categories, answer codes
    as float32. A file with text among the codes is read again as text, so that the analysis
    can name the row."""
    categorical = {"county", "channel", *questionnaire.attribute_ids, *extra}
    numeric = {*questionnaire.item_ids, "duration_s", "flag_honeypot", "flag_repeat_device"}
    dtype = {"response_id": str, **dict.fromkeys(categorical, "category"),
             **dict.fromkeys(questionnaire.item_ids, "float32")}
    wanted = {"response_id", *categorical, *numeric}
    try:
        return _read_csv(path, "答卷文件", dtype=dtype, usecols=lambda c: c in wanted)
    except ValueError:
        return _read_csv(path, "答卷文件", dtype={**dtype, **dict.fromkeys(questionnaire.item_ids, str)},
                         usecols=lambda c: c in wanted)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _quality_settings(questionnaire, no_exclusions: bool, exclude: str | None) -> quality.QualitySettings:
    base = quality.QualitySettings(speeder_floor_s=questionnaire.quality.min_seconds,
                                   min_items_answered=questionnaire.quality.min_items_answered)
    if no_exclusions:
        return quality.QualitySettings(base.speeder_floor_s, base.speeder_fraction_of_median,
                                       base.min_items_answered, frozenset())
    if exclude is not None:
        rules = frozenset(r.strip() for r in exclude.split(",") if r.strip())
        try:
            return quality.QualitySettings(base.speeder_floor_s, base.speeder_fraction_of_median,
                                           base.min_items_answered, rules)
        except ValueError as exc:
            raise ServiceError(str(exc)) from exc
    return base


def _trim_bounds(text: str | None) -> tuple[float, float] | None:
    if not text:
        return None
    try:
        lower, upper = (float(v) for v in text.split(","))
    except ValueError as exc:
        raise ServiceError(f"截尾范围“{text}”无效，应为两个数，如 0.3,3") from exc
    return lower, upper


def run_analysis(*, responses_csv: Path, questionnaire_name: str, targets_csv: Path | None, out: Path,
                 item_weights_csv: Path | None, cluster: str | None, no_quality_exclusions: bool,
                 exclude: str | None, trim: str | None, adjust: str) -> list[Path]:
    questionnaire = questionnaires.load(questionnaire_name)
    targets = _read_csv(targets_csv, "人口目标文件", dtype={"county": str, "variable": str, "category": str}) \
        if targets_csv else None
    variables = set(targets["variable"].dropna()) if targets is not None and "variable" in targets else set()
    responses = _read_responses(responses_csv, questionnaire, variables | ({cluster} if cluster else set()))
    item_weights = None
    if item_weights_csv:
        table = _read_csv(item_weights_csv, "题目权重文件")
        if not {"item", "weight"} <= set(table.columns):
            raise ServiceError(f"题目权重文件 {item_weights_csv.name} 应有 item,weight 两列")
        item_weights = dict(zip(table["item"], pd.to_numeric(table["weight"], errors="coerce")))
    settings = Settings(
        item_weights=item_weights, cluster=cluster, trim_bounds=_trim_bounds(trim), adjustment=adjust,
        quality=_quality_settings(questionnaire, no_quality_exclusions, exclude))
    try:
        results = analyze(responses, questionnaire, targets, settings)
    except AnalysisError as exc:
        raise ServiceError(str(exc)) from exc
    inputs = {"responses": {"file": responses_csv.name, "sha256": _sha256(responses_csv)}}
    if targets_csv:
        inputs["targets"] = {"file": targets_csv.name, "sha256": _sha256(targets_csv)}
    if item_weights_csv:
        inputs["item_weights"] = {"file": item_weights_csv.name, "sha256": _sha256(item_weights_csv)}
    versions = {name: metadata.version(name) for name in ("county-survey", "numpy", "pandas")}
    versions["python"] = platform.python_version()
    return tables.write(results, out, {"inputs": inputs, "versions": versions})
