"""`survey analyze`: read the input files, run the analysis, write the result tables.

Nothing on this path imports pandas: the command starts in a fraction of a second.
"""
from __future__ import annotations

import hashlib
import platform
from importlib import metadata
from pathlib import Path

import questionnaires
from analysis import quality
from analysis.job import AnalysisError, Settings, analyze
from reports import tables
from survey_app.services import ServiceError, csv_columns


def _read_responses(path: Path, questionnaire, extra: set[str]) -> dict:
    """Only the columns the analysis reads."""
    kinds = {"response_id": csv_columns.ID, "county": csv_columns.TEXT,
             **dict.fromkeys([*questionnaire.attribute_ids, *sorted(extra)], csv_columns.TEXT),
             **dict.fromkeys([*questionnaire.item_ids, "duration_s", "flag_honeypot", "flag_repeat_device"],
                             csv_columns.NUMBER)}
    return csv_columns.read(path, "答卷文件", kinds)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


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


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("nan")


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
    targets = csv_columns.read_small(targets_csv, "人口目标文件") if targets_csv else None
    variables = set(targets.get("variable", [])) if targets is not None else set()
    item_weights = None
    if item_weights_csv:
        table = csv_columns.read_small(item_weights_csv, "题目权重文件")
        if not {"item", "weight"} <= set(table):
            raise ServiceError(f"题目权重文件 {item_weights_csv.name} 应有 item,weight 两列")
        item_weights = dict(zip(table["item"], map(_number, table["weight"])))
    settings = Settings(
        item_weights=item_weights, cluster=cluster, trim_bounds=_trim_bounds(trim), adjustment=adjust,
        quality=_quality_settings(questionnaire, no_quality_exclusions, exclude))
    extra = variables | ({cluster} if cluster else set())
    try:
        # Passed on without a name here, so the analysis can free the raw columns once coded.
        results = analyze(_read_responses(responses_csv, questionnaire, extra), questionnaire, targets, settings)
    except AnalysisError as exc:
        raise ServiceError(str(exc)) from exc
    inputs = {"responses": {"file": responses_csv.name, "sha256": _sha256(responses_csv)}}
    if targets_csv:
        inputs["targets"] = {"file": targets_csv.name, "sha256": _sha256(targets_csv)}
    if item_weights_csv:
        inputs["item_weights"] = {"file": item_weights_csv.name, "sha256": _sha256(item_weights_csv)}
    versions = {name: metadata.version(name) for name in ("county-survey", "numpy", "pyarrow")}
    versions["python"] = platform.python_version()
    return tables.write(results, out, {"inputs": inputs, "versions": versions})
