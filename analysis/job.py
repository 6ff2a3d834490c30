"""The whole analysis of a campaign: responses in, weighted per-county results out."""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from analysis import compare, estimate, quality, reliability, scoring, targets as target_tables
from analysis.variance import Design
from analysis.weighting import WeightingError, base_weights, rake, trim
from questionnaires import Questionnaire


class AnalysisError(ValueError):
    """Bad input; the message (Chinese) names the row or column at fault."""


@dataclass(frozen=True)
class Settings:
    score_mapping: dict[int, float] | None = None     # None: the questionnaire's own scores
    item_weights: dict[str, float] | None = None      # None: the questionnaire's weights
    quality: quality.QualitySettings = field(default_factory=quality.QualitySettings)
    cluster: str | None = None                        # e.g. "channel"
    trim_bounds: tuple[float, float] | None = None    # bounds on final / base weight
    collapse_empty_cells: bool = True
    grades: compare.Grades = field(default_factory=compare.Grades)
    problem_threshold: float = 70.0                   # an item below this is a problem anyway
    adjustment: str = "holm"                          # or "bh"
    alpha: float = 0.05
    min_effective_n: float = 100.0                   # below: flagged as imprecise


@dataclass
class Results:
    county_results: pd.DataFrame
    item_results: pd.DataFrame
    quality: pd.DataFrame
    weights: pd.DataFrame
    breakdowns: pd.DataFrame
    problems: pd.DataFrame
    reliability: pd.DataFrame
    drivers: pd.DataFrame
    record: dict


def analyze(responses: pd.DataFrame, questionnaire: Questionnaire, targets: pd.DataFrame | None,
            settings: Settings = Settings()) -> Results:
    """Quality rules -> scores -> weights -> estimates with linearized SEs -> comparisons."""
    if settings.adjustment not in compare.ADJUSTMENTS:
        raise AnalysisError(f"多重检验校正方法“{settings.adjustment}”未知，可用 holm 或 bh")
    items = list(questionnaire.item_ids)
    if targets is not None:
        try:
            targets = target_tables.validate(targets)
        except WeightingError as exc:
            raise AnalysisError(str(exc)) from exc
    frame = _checked(responses, questionnaire, settings, targets)
    codes = scoring.item_codes(frame, items)
    mapping = scoring.ScoreMapping(settings.score_mapping) if settings.score_mapping \
        else scoring.ScoreMapping.from_questionnaire(questionnaire)
    scores = mapping.apply(codes)
    item_weights = _item_weights(questionnaire, settings)
    answered = ~np.isnan(scores)

    rule_flags = quality.flags(frame, codes, answered, settings.quality)
    dropped = quality.excluded(rule_flags, settings.quality) | rule_flags["incomplete"].to_numpy()
    quality_table = quality.report(frame["county"], rule_flags, dropped)
    keep = ~dropped
    frame, codes, scores, answered = frame[keep], codes[keep], scores[keep], answered[keep]
    index = scoring.respondent_index(scores, item_weights, settings.quality.min_items_answered)
    county = frame["county"].to_numpy()
    county_codes, strata = np.unique(county, return_inverse=True)

    weights, weighting_record, margins = _weights(frame, county, targets, settings)
    clusters = (pd.factorize(frame["county"] + "\x1f" + frame[settings.cluster].astype(str))[0]
                if settings.cluster else np.arange(len(frame)))
    design = Design(weights, strata, clusters, tuple(m.cells for m in margins))

    satisfied = _share(codes, answered, questionnaire.scale.satisfied)
    dissatisfied = _share(codes, answered, questionnaire.scale.dissatisfied)
    est = estimate.means(design, np.column_stack([index, scores, satisfied, dissatisfied]))
    k = len(items)
    n_eff = estimate.kish_effective_n(weights, strata, len(county_codes))
    n_eff_all = weights.sum() ** 2 / (weights ** 2).sum()

    county_results = _county_results(est, county_codes, n_eff, n_eff_all, settings)
    item_results = _item_results(est, county_codes, questionnaire, k)
    problems = _problems(est, county_codes, questionnaire, k, settings)
    breakdowns = _breakdowns(design, index, frame, questionnaire, county_codes)
    alpha_table = reliability.cronbach_table(scores, weights, strata, county_codes)
    drivers = reliability.drivers(scores, index, weights, items, item_weights, est.mean_all[1:1 + k])

    record = {
        "questionnaire": {"id": questionnaire.id, "version": questionnaire.version},
        "score_mapping": {str(c): s for c, s in sorted(mapping.scores.items())},
        "item_weights": dict(zip(items, map(float, item_weights))),
        "quality": {**asdict(settings.quality), "exclude": sorted(settings.quality.exclude),
                    "speeder_threshold_s": rule_flags.attrs["speeder_threshold_s"]},
        "weighting": weighting_record,
        "design": {"strata": "county", "clusters": settings.cluster or "none (each response)",
                   "variance": "Taylor linearization with raking residuals (as R survey::rake + svymean)"},
        "grades": [[b, label] for b, label in settings.grades.bounds],
        "problem_threshold": settings.problem_threshold, "adjustment": settings.adjustment,
        "alpha": settings.alpha, "min_effective_n": settings.min_effective_n,
        "responses": {"received": int(len(responses)), "used": int(len(frame))},
    }
    weight_table = pd.DataFrame({"response_id": frame["response_id"].to_numpy(), "county": county,
                                 "weight": weights})
    return Results(county_results, item_results, quality_table, weight_table, breakdowns, problems,
                   alpha_table, drivers, record)


def _checked(responses, questionnaire, settings, targets) -> pd.DataFrame:
    needed = ["response_id", "county", "duration_s", *questionnaire.item_ids]
    if targets is not None:
        needed += sorted(set(targets["variable"]))
    if settings.cluster:
        needed.append(settings.cluster)
    missing = [c for c in needed if c not in responses]
    if missing:
        raise AnalysisError(f"答卷数据缺少列：{'、'.join(dict.fromkeys(missing))}")
    frame = responses.copy()
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="行")  # file line numbers
    frame["county"] = frame["county"].astype(str)
    allowed = set(questionnaire.scale.codes)
    for item in questionnaire.item_ids:
        values = pd.to_numeric(frame[item], errors="coerce")
        bad = (values.isna() & frame[item].notna()) | (values.notna() & ~values.isin(allowed))
        if bad.any():
            row = frame.index[bad.to_numpy()][0]
            raise AnalysisError(f"第 {row} 行 {item} 列：答案代码“{frame.at[row, item]}”不在量表中"
                                f"（可用：{'、'.join(map(str, sorted(allowed)))}）")
        frame[item] = values
    if targets is not None:
        known = set(targets["county"].astype(str))
        unknown = ~frame["county"].isin(known)
        if unknown.any():
            row = frame.index[unknown.to_numpy()][0]
            raise AnalysisError(f"第 {row} 行：区县“{frame.at[row, 'county']}”不在人口目标中")
    return frame


def _item_weights(questionnaire: Questionnaire, settings: Settings) -> np.ndarray:
    given = settings.item_weights or {i.id: i.weight for i in questionnaire.items}
    unknown = set(given) - set(questionnaire.item_ids)
    if unknown:
        raise AnalysisError(f"题目权重中有问卷没有的题目：{'、'.join(sorted(unknown))}")
    missing = [i for i in questionnaire.item_ids if i not in given]
    if missing:
        raise AnalysisError(f"题目权重缺少：{'、'.join(missing)}")
    weights = np.array([float(given[i]) for i in questionnaire.item_ids])
    if (weights <= 0).any() or not np.isfinite(weights).all():
        raise AnalysisError("题目权重必须为正数")
    return weights


def _weights(frame, county, targets, settings):
    if targets is None:
        return np.ones(len(frame)), {"method": "none: every response weight 1"}, []
    notes: list[str] = []
    data = frame
    try:
        if settings.collapse_empty_cells:
            targets, recode, notes = target_tables.collapse_empty_cells(targets, county, frame)
            data = _recoded(frame, county, recode)
        base = base_weights(county, target_tables.county_populations(targets))
        margins = target_tables.margins(targets, county, data)
        raked = rake(base, margins)
        trimmed = trim(base, raked.weights, margins, settings.trim_bounds) if settings.trim_bounds else None
    except WeightingError as exc:
        raise AnalysisError(str(exc)) from exc
    final = trimmed.weights if trimmed else raked.weights
    fingerprint = hashlib.sha256(targets.sort_values(["county", "variable", "category"])
                                 .to_csv(index=False).encode()).hexdigest()
    record = {
        "method": "raking within county" if len(margins) > 1 else "post-stratification within county",
        "base_weight": "county population / county sample size",
        "margins": [m.variable for m in margins],
        "iterations": raked.iterations, "max_margin_error": raked.max_margin_error,
        "trim_bounds": list(settings.trim_bounds) if settings.trim_bounds else None,
        "trim_rounds": trimmed.iterations if trimmed else 0,
        "max_margin_error_after_trimming": trimmed.max_margin_error if trimmed else None,
        "empty_cells": "collapsed into a neighbour" if settings.collapse_empty_cells else "error",
        "collapsed": notes, "targets_sha256": fingerprint,
    }
    return final, record, margins


def _recoded(frame, county, recode):
    if not recode:
        return frame
    data = frame.copy()
    for key, neighbour in recode.items():
        c, variable, category = key.split("/", 2)
        mask = (county == c) & (data[variable].astype(str) == category).to_numpy()
        data.loc[mask, variable] = neighbour
    return data


def _share(codes, answered, selected) -> np.ndarray:
    """100 if the answer is in `selected`, 0 if otherwise answered, NaN if not answered."""
    return np.where(answered, np.isin(codes, list(selected)) * 100.0, np.nan)


def _ci(mean, se):
    return mean - compare.Z95 * se, mean + compare.Z95 * se


def _county_results(est, county_codes, n_eff, n_eff_all, settings) -> pd.DataFrame:
    mean, se = est.mean[:, 0], est.se[:, 0]
    low, high = compare.rank_intervals(mean, se)
    diff, se_diff, p = compare.difference_from_all(mean, se, est.mean_all[0], est.se_all[0],
                                                   est.cov_with_all[:, 0])
    table = pd.DataFrame({
        "county": county_codes, "n": est.n[:, 0].astype(int), "n_effective": n_eff,
        "index": mean, "se": se, "ci_low": _ci(mean, se)[0], "ci_high": _ci(mean, se)[1],
        "deff": est.deff[:, 0], "rank": compare.ranks(mean), "rank_low": low, "rank_high": high,
        "grade": [settings.grades.of(m) for m in mean],
        "diff_vs_all": diff, "se_diff": se_diff, "p_vs_all": p,
        "imprecise": n_eff < settings.min_effective_n,
    })
    all_row = {"county": "ALL", "n": int(est.n_all[0]), "n_effective": n_eff_all,
               "index": est.mean_all[0], "se": est.se_all[0],
               "ci_low": _ci(est.mean_all[0], est.se_all[0])[0],
               "ci_high": _ci(est.mean_all[0], est.se_all[0])[1], "deff": est.deff_all[0],
               "grade": settings.grades.of(est.mean_all[0]), "imprecise": False}
    table = pd.concat([table, pd.DataFrame([all_row])], ignore_index=True)
    return table.astype({"rank": "Int64", "rank_low": "Int64", "rank_high": "Int64", "imprecise": bool})


def _item_results(est, county_codes, questionnaire, k) -> pd.DataFrame:
    labels = [*county_codes, "ALL"]
    n, mean, se = (est.with_all(f) for f in ("n", "mean", "se"))
    block = slice(1, 1 + k)
    table = pd.DataFrame({
        "county": np.repeat(labels, k), "item": np.tile(questionnaire.item_ids, len(labels)),
        "topic": np.tile([i.topic for i in questionnaire.items], len(labels)),
        "n": n[:, block].ravel().astype(int), "mean": mean[:, block].ravel(), "se": se[:, block].ravel(),
        "share_satisfied": mean[:, 1 + k:1 + 2 * k].ravel() / 100,
        "share_dissatisfied": mean[:, 1 + 2 * k:1 + 3 * k].ravel() / 100,
    })
    table.insert(6, "ci_low", _ci(table["mean"], table["se"])[0])
    table.insert(7, "ci_high", _ci(table["mean"], table["se"])[1])
    return table


def _problems(est, county_codes, questionnaire, k, settings) -> pd.DataFrame:
    """Per county: items significantly below the overall (adjusted across items) or below
    the threshold, worst first."""
    adjust = compare.ADJUSTMENTS[settings.adjustment]
    rows = []
    for c, code in enumerate(county_codes):
        cols = slice(1, 1 + k)
        diff, se_diff, p = compare.difference_from_all(est.mean[c, cols], est.se[c, cols],
                                                       est.mean_all[cols], est.se_all[cols],
                                                       est.cov_with_all[c, cols])
        p_one_sided = np.where(diff < 0, p / 2, 1 - p / 2)
        adjusted = adjust(np.nan_to_num(p_one_sided, nan=1.0))
        for j, item in enumerate(questionnaire.items):
            below_all = diff[j] < 0 and adjusted[j] < settings.alpha
            below_threshold = est.mean[c, 1 + j] < settings.problem_threshold
            if below_all or below_threshold:
                reason = "、".join(r for r, hit in (("显著低于全市", below_all),
                                                   (f"低于 {settings.problem_threshold:g} 分", below_threshold)) if hit)
                rows.append((code, item.id, item.topic, item.text, est.mean[c, 1 + j], est.mean_all[1 + j],
                             diff[j], se_diff[j], p_one_sided[j], adjusted[j], reason))
    table = pd.DataFrame(rows, columns=["county", "item", "topic", "text", "mean", "mean_all", "difference",
                                        "se_difference", "p_value", "p_adjusted", "reason"])
    table["severity"] = table["mean"] - np.minimum(table["mean_all"], settings.problem_threshold)
    return table.sort_values(["county", "severity"]).reset_index(drop=True)


def _breakdowns(design, index, frame, questionnaire, county_codes) -> pd.DataFrame:
    """Index by each attribute's categories within each county (domains) and overall."""
    rows = []
    for attribute in questionnaire.attributes:
        if attribute.id not in frame:
            continue
        values = frame[attribute.id].astype(object).to_numpy()
        columns = np.column_stack([np.where(values == o.id, index, np.nan) for o in attribute.options])
        est = estimate.means(design, columns)
        n, mean, se = (est.with_all(f) for f in ("n", "mean", "se"))
        for c, code in enumerate([*county_codes, "ALL"]):
            for j, option in enumerate(attribute.options):
                rows.append((code, attribute.id, option.id, option.label, int(n[c, j]), mean[c, j], se[c, j],
                             *_ci(mean[c, j], se[c, j])))
    return pd.DataFrame(rows, columns=["county", "attribute", "category", "label", "n", "index", "se",
                                       "ci_low", "ci_high"])
