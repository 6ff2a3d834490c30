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
from analysis.scoring import ScoreMapping
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


def _score_mapping(questionnaire, text: str | None) -> dict[int, float] | None:
    """None (the questionnaire's scores), "linear", or "5=100,4=80,...": one score per scored code."""
    if not text:
        return None
    if text == "linear":
        return ScoreMapping.linear(questionnaire).scores
    scored = {p.code for p in questionnaire.scale.points if p.score is not None}
    try:
        mapping = {int(code): float(score) for code, score in (pair.split("=") for pair in text.split(","))}
    except ValueError as exc:
        raise ServiceError(f"分值“{text}”无效，应为 linear 或“代码=分值”列表，如 5=100,4=80,3=60,2=40,1=20") from exc
    if set(mapping) != scored:
        raise ServiceError(f"分值须为每个计分选项各给一个：{'、'.join(map(str, sorted(scored)))}")
    return mapping


def run_analysis(*, responses_csv: Path, questionnaire_name: str, targets_csv: Path | None, out: Path,
                 item_weights_csv: Path | None = None, cluster: str | None = None,
                 no_quality_exclusions: bool = False, exclude: str | None = None, trim: str | None = None,
                 adjust: str = "holm", scores: str | None = None, shrinkage: bool = False,
                 progress=lambda message: None) -> list[Path]:
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
        score_mapping=_score_mapping(questionnaire, scores), item_weights=item_weights, cluster=cluster,
        trim_bounds=_trim_bounds(trim), adjustment=adjust, shrinkage=shrinkage,
        quality=_quality_settings(questionnaire, no_quality_exclusions, exclude))
    extra = variables | ({cluster} if cluster else set())
    progress(f"读取答卷：{responses_csv.name}")
    try:
        # Passed on without a name here, so the analysis can free the raw columns once coded.
        results = analyze(_read_responses(responses_csv, questionnaire, extra), questionnaire, targets, settings)
    except AnalysisError as exc:
        raise ServiceError(str(exc)) from exc
    used = results.record["responses"]
    progress(f"已分析 {used['used']:,} 份答卷（收到 {used['received']:,} 份），正在写出结果")
    inputs = {"responses": {"file": responses_csv.name, "sha256": _sha256(responses_csv)}}
    if targets_csv:
        inputs["targets"] = {"file": targets_csv.name, "sha256": _sha256(targets_csv)}
    if item_weights_csv:
        inputs["item_weights"] = {"file": item_weights_csv.name, "sha256": _sha256(item_weights_csv)}
    versions = {name: metadata.version(name) for name in ("county-survey", "numpy", "pyarrow")}
    versions["python"] = platform.python_version()
    return tables.write(results, out, {"inputs": inputs, "versions": versions})
