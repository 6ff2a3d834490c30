"""`survey analyze`: read the input files, run the analysis, write the result tables.

Nothing on this path imports pandas: the command starts in a fraction of a second.
"""
from __future__ import annotations

import hashlib
import platform
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

import questionnaires
import survey_app
from analysis import compare, quality
from analysis.job import AnalysisError, Results, Settings, analyze
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


@dataclass(frozen=True)
class Request:
    """What `survey analyze` was asked, as given on the command line."""

    responses_csv: Path
    out: Path
    questionnaire_name: str = "county_education_satisfaction"
    targets_csv: Path | None = None
    item_weights_csv: Path | None = None
    cluster: str | None = None
    no_quality_exclusions: bool = False
    exclude: str | None = None
    min_items: int | None = None
    trim: str | None = None
    empty_cells: str = "collapse"
    scores: str | None = None
    grades: str | None = None
    problem_threshold: float = 70.0
    adjust: str = "holm"
    shrinkage: bool = False
    driver_outcome: str | None = None


def _quality_settings(questionnaire, request: Request) -> quality.QualitySettings:
    rules = quality.QualitySettings().exclude
    if request.no_quality_exclusions:
        rules = frozenset()
    elif request.exclude is not None:
        rules = frozenset(r.strip() for r in request.exclude.split(",") if r.strip())
    try:
        return quality.QualitySettings(
            speeder_floor_s=questionnaire.quality.min_seconds, exclude=rules,
            min_items_answered=request.min_items or questionnaire.quality.min_items_answered)
    except ValueError as exc:
        raise ServiceError(str(exc)) from exc


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


def _grades(text: str | None) -> compare.Grades:
    """"90=优秀,80=良好,70=中等,0=较差": lower bounds, best first; the last applies below too."""
    if not text:
        return compare.Grades()
    try:
        pairs = [(float(bound), label.strip()) for bound, label in (p.split("=", 1) for p in text.split(","))]
    except ValueError as exc:
        raise ServiceError(f"等级“{text}”无效，应如 90=优秀,80=良好,70=中等,0=较差") from exc
    bounds = [b for b, _ in pairs]
    if bounds != sorted(bounds, reverse=True) or any(not label for _, label in pairs):
        raise ServiceError(f"等级“{text}”无效：分数线须从高到低，每级须有名称")
    pairs[-1] = (float("-inf"), pairs[-1][1])
    return compare.Grades(tuple(pairs))


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


def _item_weights(path: Path | None) -> dict[str, float] | None:
    if path is None:
        return None
    table = csv_columns.read_small(path, "题目权重文件")
    if not {"item", "weight"} <= set(table):
        raise ServiceError(f"题目权重文件 {path.name} 应有 item,weight 两列")
    return dict(zip(table["item"], map(_number, table["weight"])))


def run_analysis(request: Request, progress=lambda message: None) -> tuple[Results, list[Path]]:
    """The results (their record holds the notices a reader must know) and the files written."""
    questionnaire = questionnaires.load(request.questionnaire_name)
    targets = csv_columns.read_small(request.targets_csv, "人口目标文件") if request.targets_csv else None
    settings = Settings(
        score_mapping=_score_mapping(questionnaire, request.scores),
        item_weights=_item_weights(request.item_weights_csv),
        quality=_quality_settings(questionnaire, request), cluster=request.cluster,
        trim_bounds=_trim_bounds(request.trim), collapse_empty_cells=request.empty_cells == "collapse",
        grades=_grades(request.grades), problem_threshold=request.problem_threshold,
        adjustment=request.adjust, shrinkage=request.shrinkage, driver_outcome=request.driver_outcome)
    extra = set(targets.get("variable", [])) if targets is not None else set()
    extra |= {request.cluster} if request.cluster else set()
    progress(f"读取答卷：{request.responses_csv.name}")
    try:
        # Passed on without a name here, so the analysis can free the raw columns once coded.
        results = analyze(_read_responses(request.responses_csv, questionnaire, extra), questionnaire, targets,
                          settings)
    except AnalysisError as exc:
        raise ServiceError(str(exc)) from exc
    used = results.record["responses"]
    progress(f"已分析 {used['used']:,} 份答卷（收到 {used['received']:,} 份），正在写出结果")
    inputs = {name: {"file": path.name, "sha256": _sha256(path)}
              for name, path in (("responses", request.responses_csv), ("targets", request.targets_csv),
                                 ("item_weights", request.item_weights_csv)) if path}
    versions = {"county-survey": survey_app.__version__, "numpy": np.__version__, "pyarrow": pa.__version__,
                "python": platform.python_version()}
    return results, tables.write(results, request.out, {"inputs": inputs, "versions": versions})
