"""The whole analysis of a campaign: responses in, weighted per-county results out."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

import numpy as np

from analysis import cells, comments, compare, estimate, quality, reliability, scoring, shrinkage, student_t
from analysis import targets as target_tables
from analysis.inputs import AnalysisError, Factor, Responses, encode
from analysis.table import Table
from analysis.variance import Design
from analysis.fallbacks import rake_with_fallbacks
from analysis.weighting import WeightingError, base_weights, trim
from analysis.wording import Wording
from questionnaires import Questionnaire

__all__ = ["AnalysisError", "Results", "Settings", "analyze"]


@dataclass(frozen=True)
class Settings:
    score_mapping: dict[int, float] | None = None     # None: the questionnaire's own scores
    item_weights: dict[str, float] | None = None      # None: the questionnaire's weights
    quality: quality.QualitySettings = field(default_factory=quality.QualitySettings)
    cluster: str | None = None                        # e.g. "channel"
    trim_bounds: tuple[float, float] | None = None    # bounds on final / base weight
    collapse_empty_cells: bool = True
    grades: compare.Grades = field(default_factory=compare.Grades)
    problem_threshold: float = 70.0                   # the problem line (compare.ProblemRules)
    satisfied_line: float = 0.70                      # a satisfied share below this: 需关注
    lowest_items: int = 3                             # a county's lowest items: 需关注 (0: none)
    adjustment: str = "holm"                          # or "bh"
    alpha: float = 0.05
    min_effective_n: float = 100.0                    # design-based effective n below this: imprecise
    min_clusters: int = 5                             # PSUs (clusters) below this: imprecise
    shrinkage: bool = False                           # add Fay-Herriot estimates of the index
    driver_outcome: str | None = None                 # an overall-satisfaction item; None: the index


@dataclass
class Results:
    county_results: Table
    item_results: Table
    quality: Table
    bursts: Table
    weights: Table
    breakdowns: Table
    problems: Table
    distribution: Table
    reliability: Table
    drivers: Table
    composition: Table
    record: dict
    comments: comments.Digest | None = None    # what residents wrote, when the questionnaire asks it


def analyze(responses: Mapping, questionnaire: Questionnaire, targets: Mapping | None,
            settings: Settings = Settings()) -> Results:
    """The whole analysis: quality rules, scores, weights, estimates with linearized SEs,
    comparisons, problem list, reliability and key drivers.

    Parameters
    ----------
    responses : mapping of column -> values
        A pandas DataFrame, a dict of arrays, or columns already coded as Factors, in the
        flat export layout (response_id, county, attribute ids, item ids, duration_s, flags).
    questionnaire : Questionnaire
    targets : mapping of column -> values, or None
        Population targets: county, variable, category, population. None: unit weights.
    settings : Settings

    Returns
    -------
    Results
        The county, item, breakdown, problem, quality, weight, reliability and driver tables,
        and the record of everything needed to reproduce them (``record["notices"]``: what a
        reader must know, in Chinese).

    Raises
    ------
    AnalysisError
        Bad input, with a Chinese message naming the row or column.

    Notes
    -----
    Counties are strata and, with ``settings.cluster``, the cluster values within a county
    are PSUs; weights are base weights raked within county to the targets; standard errors
    are Taylor-linearized with the raking residuals, as R's ``svydesign`` + ``rake`` +
    ``svymean``/``svyby`` (checked in tests/analysis/reference).
    """
    if settings.adjustment not in compare.ADJUSTMENTS:
        raise AnalysisError(f"多重检验校正方法“{settings.adjustment}”未知，可用 holm 或 bh")
    if settings.driver_outcome is not None and settings.driver_outcome not in questionnaire.item_ids:
        raise AnalysisError(f"关键驱动分析的总体满意度题“{settings.driver_outcome}”不在问卷中")
    if settings.quality.min_items_answered > len(questionnaire.items):
        raise AnalysisError(f"最少有效作答题数 {settings.quality.min_items_answered} 超过了问卷的题目数 "
                            f"{len(questionnaire.items)}，没有答卷能满足")
    if targets is not None:
        try:
            targets = target_tables.validate(targets)
        except WeightingError as exc:
            raise AnalysisError(str(exc)) from exc
    variables = sorted(set(targets["variable"])) if targets is not None else []
    data = encode(responses, questionnaire, variables, settings.cluster)
    has_channels = "channel" in responses
    texts = comments.column(responses, questionnaire)
    del responses   # the raw columns are no longer needed; without other holders, memory returns
    if not len(data):
        raise AnalysisError("答卷数据中没有任何答卷（只有表头）")
    if targets is not None:
        _check_counties(data, targets)
    mapping = _score_mapping(questionnaire, settings)
    item_weights = _item_weights(questionnaire, settings)

    table = mapping.table(max(questionnaire.scale.codes) + 1)
    found = quality.flags(data, (~np.isnan(table))[data.codes], settings.quality)
    dropped = found.excluded(settings.quality)
    quality_table = quality.report(data.county.codes, data.county.labels, found, dropped)
    used = data.take(np.flatnonzero(~dropped))
    if not len(used):
        raise AnalysisError("按质量规则剔除后没有可用的答卷")
    index = scoring.respondent_index(used.codes, table, item_weights, settings.quality.min_items_answered)
    # Counties are renumbered over the responses kept: every stratum has respondents.
    county_codes, strata = np.unique(used.county.codes, return_inverse=True)
    counties = used.county.labels[county_codes]

    weights, weighting_record, margins, weighting_notes = _weights(used, strata, counties, targets, settings,
                                                                        Wording.of(questionnaire))
    # A cluster is a (county, value) pair: the same school name in two counties is two clusters.
    clusters = (cells.cross([strata, used.cluster.codes], [len(counties), len(used.cluster.labels)])[0]
                if settings.cluster else np.arange(len(used)))
    design = Design(weights, strata, clusters, tuple(m.cells for m in margins))

    groups = _breakdown_groups(used, questionnaire)
    items, satisfied, dissatisfied = estimate.code_means(design, used.codes, [
        table, _indicator(table, questionnaire.scale.satisfied), _indicator(table, questionnaire.scale.dissatisfied)])
    est = estimate.Estimates(
        index=estimate.means(design, index), items=items, satisfied=satisfied, dissatisfied=dissatisfied,
        domains={attribute.id: estimate.domain_means(design, index, codes, len(attribute.options))
                 for attribute, codes in groups})
    kish = np.append(estimate.kish_effective_n(weights, strata, len(counties)),
                     weights.sum() ** 2 / (weights ** 2).sum())
    df, df_all = design.degrees_of_freedom()
    df = np.append(df, df_all)    # last: the whole city

    scale = (min(mapping.scores.values()), max(mapping.scores.values()))   # intervals end there
    county_results = _county_results(est.index, counties, kish, df, design.classes.psu_count, scale, settings)
    item_results = _item_results(est, counties, questionnaire, df, scale)
    problems = _problems(est, counties, questionnaire, settings, df, scale)
    distribution = _distribution(used, weights, strata, counties, questionnaire)
    breakdowns = _breakdowns(est.domains, counties, groups, df, scale, clusters, strata, np.isfinite(index), settings)
    moments = reliability.Moments.of(used.codes, table, weights, strata, len(counties))
    alpha_table = reliability.cronbach_table(moments, counties)
    composition = _composition(used, strata, counties, questionnaire, targets)
    drivers, drivers_record = _drivers(used, table, weights, moments, item_weights, est.items.mean_all,
                                       questionnaire, settings)

    record = {
        "questionnaire": {"id": questionnaire.id, "version": questionnaire.version,
                          "sha256": questionnaire_sha256(questionnaire)},
        "score_mapping": {str(c): s for c, s in sorted(mapping.scores.items())},
        "item_weights": dict(zip(questionnaire.item_ids, map(float, item_weights))),
        "quality": {**asdict(settings.quality), "exclude": sorted(settings.quality.exclude),
                    "always_excluded": list(quality.ALWAYS), "speeder_threshold_s": found.speeder_threshold_s},
        "weighting": weighting_record | (_weighting_effect(index, est.index, composition, breakdowns)
                                         if targets is not None else {}),
        "design": {"strata": "county", "clusters": settings.cluster or "none (each response)",
                   "variance": "Taylor linearization with raking residuals (as R survey::rake + svymean)",
                   "intervals": "t quantiles with the design's degrees of freedom: a county's PSUs - 1, "
                                "the whole city's PSUs - strata; shares on the logit scale (as R svyciprop "
                                "method='logit')",
                   "degrees_of_freedom": float(df_all)},
        "rank_intervals": "95% for each county; its K-1 pairwise comparisons Bonferroni-adjusted "
                          "(Klein, Wright and Wieczorek 2020)",
        "grades": [[b, label] for b, label in settings.grades.bounds],
        "problem_threshold": settings.problem_threshold, "satisfied_line": settings.satisfied_line,
        "lowest_items": settings.lowest_items, "adjustment": settings.adjustment,
        "alpha": settings.alpha, "min_effective_n": settings.min_effective_n,
        "min_clusters": settings.min_clusters,
        "shrinkage": "Fay-Herriot, REML" if settings.shrinkage else None,
        "drivers": drivers_record,
        "responses": {"received": len(data), "used": len(used)},
    }
    notices = [(text, {}) for text in _reminders(targets is not None, has_channels, settings)] + \
        _notices(record, county_results, quality_table, weighting_notes, settings)
    record["notices"] = [text for text, _ in notices]
    record["notice_scope"] = _scope(notices)
    weight_table = Table({"response_id": used.response_id.labels[used.response_id.codes],
                          "county": counties[strata], "weight": weights})
    digest = None if texts is None else comments.digest(
        counties, counties[strata], weight_table["response_id"], texts[~dropped], [i.topic for i in questionnaire.items],
        questionnaire.comment.question)
    return Results(county_results=county_results, item_results=item_results, quality=quality_table,
                   bursts=quality.bursts(data), weights=weight_table, breakdowns=breakdowns, problems=problems,
                   distribution=distribution, reliability=alpha_table,
                   drivers=drivers, composition=composition,
                   record=record, comments=digest)


def questionnaire_sha256(questionnaire: Questionnaire) -> str:
    """The questionnaire's fingerprint in the record: its definition, keys sorted."""
    text = json.dumps(questionnaire.source, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _reminders(weighted: bool, has_channels: bool, settings: Settings) -> list[str]:
    """Options a reader would likely have wanted, said before the other notices."""
    reminders = []
    if not weighted:
        reminders.append("没有给出人口目标：每份答卷权重为 1，结果未按人口加权，全市结果按样本量合成")
    if has_channels and settings.cluster is None:
        reminders.append("答卷有渠道列但未按渠道整群（--cluster channel）：链接按学校等渠道分发时，"
                         "标准误会被低估、置信区间过窄")
    return reminders


Notice = tuple[str, dict[str, str]]    # the whole text; each county it names -> the text about it alone


def _listed(lead: str, parts: dict[str, str]) -> Notice:
    """A notice listing counties (code -> what it says of the county), as a whole and per county."""
    return lead + "、".join(parts.values()), {county: lead + part for county, part in parts.items()}


def _scope(notices: list[Notice]) -> dict:
    """The notices naming no county, and per county those about it alone: what a reader limited to
    some counties may be shown (a notice about other counties names them, their figures)."""
    general, by_county = [], {}
    for text, parts in notices:
        if not parts:
            general.append(text)
        for county, own in parts.items():
            by_county.setdefault(str(county), []).append(own)
    return {"general": general, "counties": by_county}


def _notices(record: dict, county_results: Table, quality_table: Table, weighting_notes: list,
             settings: Settings) -> list[Notice]:
    """What a reader of the figures must know, in Chinese: printed by the command, kept in the record."""
    notices: list[Notice] = []
    counties = range(quality_table.n_rows - 1)     # the last row is ALL
    excluded = int(quality_table["excluded"][-1])
    if excluded:
        notices.append((f"按质量规则剔除 {excluded:,} 份答卷（各区县、各规则的份数见结果工作簿的“质量”表）",
                        {str(quality_table["county"][i]): f"按质量规则剔除本区县 {int(quality_table['excluded'][i]):,} 份答卷"
                         for i in counties if quality_table["excluded"][i]}))
    reviewed = int(quality_table["review"][-1])
    if reviewed:
        notices.append((f"其中 {reviewed:,} 份由评估人员审核剔除（每份的原因见审核页和导出答卷中的“剔除原因”）",
                        {str(quality_table["county"][i]): f"其中 {int(quality_table['review'][i]):,} 份由评估人员审核剔除"
                         for i in counties if quality_table["review"][i]}))
    weighting = record["weighting"]
    notices += [(note.text, {note.county: note.text}) for note in weighting_notes]
    if weighting.get("trim_bounds"):
        notices.append((f"权重截尾后，加权合计与人口目标的最大相对偏差为 "
                        f"{weighting['max_margin_error_after_trimming']:.2%}", {}))
    if weighting.get("counties_without_responses"):
        notices.append(_listed("这些区县在人口目标中但没有可用答卷，不计入全市结果：",
                               {c: c for c in weighting["counties_without_responses"]}))
    if not np.isfinite(record["drivers"].get("r_squared", 0.0)):
        notices.append((f"关键驱动分析无法进行：没有答全所有题目的答卷，或有题目所有人回答相同"
                        f"（结果题 {record['drivers']['outcome']}）", {}))
    rows = range(county_results.n_rows - 1)   # the last row is ALL
    county, se = county_results["county"], county_results["se"]
    unit = {None: "份答卷", "channel": "个渠道（整群）"}.get(settings.cluster, f"个整群（{settings.cluster} 列）")
    lonely = {county[i]: county[i] for i in rows if not np.isfinite(se[i])}
    if lonely:
        notices.append(_listed(f"这些区县只有 1 {unit}，无法估计标准误和置信区间，不做显著性检验，可能名次为全部名次，"
                               f"全市标准误不含其抽样误差：", lonely))
    flat = {county[i]: county[i] for i in rows
            if np.isfinite(se[i]) and not compare.has_spread(county_results["index"][i], se[i])}
    if flat:
        notices.append(_listed("这些区县的答卷指数没有差异（标准误为 0），不做显著性检验，可能名次为全部名次：", flat))
    imprecise = {county[i]: f"{county[i]}（有效样本量 {county_results['n_effective'][i]:.0f}，"
                            f"{county_results['psu'][i]:.0f} {unit}）" for i in rows if county_results["imprecise"][i]}
    if imprecise:
        notices.append(_listed(f"这些区县的有效样本量（样本量÷设计效应）少于 {settings.min_effective_n:g} 或少于 "
                               f"{settings.min_clusters} {unit}，结果不够精确：", imprecise))
    return notices


def _check_counties(data: Responses, targets: Table) -> None:
    known = set(targets["county"])
    unknown = [i for i, label in enumerate(data.county.labels) if label not in known]
    if unknown:
        row = int(np.flatnonzero(np.isin(data.county.codes, unknown))[0])
        raise AnalysisError(f"第 {data.line[row]} 行：区县“{data.county.label_of(row)}”不在人口目标中")


def _score_mapping(questionnaire: Questionnaire, settings: Settings) -> scoring.ScoreMapping:
    if not settings.score_mapping:
        return scoring.ScoreMapping.from_questionnaire(questionnaire)
    scored = questionnaire.scale.scored_codes
    if set(settings.score_mapping) != set(scored):
        raise AnalysisError(f"分值须为每个计分选项各给一个：{'、'.join(map(str, sorted(scored)))}")
    return scoring.ScoreMapping(settings.score_mapping)


def _item_weights(questionnaire: Questionnaire, settings: Settings) -> np.ndarray:
    given = settings.item_weights or {i.id: i.weight for i in questionnaire.items}
    bad = {item: w for item, w in given.items() if not (isinstance(w, (int, float)) and np.isfinite(w) and w > 0)}
    if bad:
        item, value = next(iter(bad.items()))
        raise AnalysisError(f"题目 {item} 的权重“{value}”无效：必须为正数")
    unknown = set(given) - set(questionnaire.item_ids)
    if unknown:
        raise AnalysisError(f"题目权重中有问卷没有的题目：{'、'.join(sorted(unknown))}")
    missing = [i for i in questionnaire.item_ids if i not in given]
    if missing:
        raise AnalysisError(f"题目权重缺少：{'、'.join(missing)}")
    return np.array([float(given[i]) for i in questionnaire.item_ids])


def _weights(used: Responses, strata, counties, targets, settings, wording: Wording):
    if targets is None:
        return np.ones(len(used)), {"method": "none: every response weight 1; the overall figure combines "
                                              "counties by sample size, not population"}, [], []
    try:
        margins, notes = target_tables.margins(targets, Factor(strata, counties), used.attributes, used.line,
                                               settings.collapse_empty_cells, wording)
        population = target_tables.county_populations(targets)
        base = base_weights(strata, np.array([population[c] for c in counties]))
        raked, margins, fallbacks = rake_with_fallbacks(base, margins, wording)
        trimmed = trim(base, raked.weights, margins, settings.trim_bounds) if settings.trim_bounds else None
    except WeightingError as exc:
        raise AnalysisError(str(exc)) from exc
    record = {
        "method": "raking within county" if len(margins) > 1 else "post-stratification within county",
        "base_weight": "county population / county sample size",
        "margins": [m.variable for m in margins],
        "iterations": raked.iterations, "max_margin_error": raked.max_margin_error,
        "trim_bounds": list(settings.trim_bounds) if settings.trim_bounds else None,
        "trim_rounds": trimmed.iterations if trimmed else 0,
        "max_margin_error_after_trimming": trimmed.max_margin_error if trimmed else None,
        "empty_cells": "collapsed into a neighbour" if settings.collapse_empty_cells else "error",
        "collapsed": [note.text for note in notes], "fallbacks": [note.text for note in fallbacks],
        "targets_sha256": target_tables.fingerprint(targets),
        # Counties with targets but no usable response: not weighted, not in the overall figure.
        "counties_without_responses": sorted(set(targets["county"]) - set(counties)),
    }
    return (trimmed or raked).weights, record, margins, notes + fallbacks


def _drivers(used: Responses, table, weights, moments, item_weights, performance, questionnaire, settings):
    """Importance-performance table: importance for the index, or for an overall-satisfaction item."""
    if settings.driver_outcome is None:
        importance = reliability.correlation_with_rest(used.codes, table, weights, item_weights)
        record = {"outcome": "index", "importance": "weighted correlation with the index of the other items"}
    else:
        outcome = questionnaire.item_ids.index(settings.driver_outcome)
        importance, r_squared = reliability.relative_weights(moments, outcome)
        record = {"outcome": settings.driver_outcome, "r_squared": r_squared,
                  "importance": "Johnson's relative weights: share of the R^2 of the weighted regression of "
                                "the outcome item on the other items (respondents who answered every item)"}
    return reliability.importance_performance(questionnaire.item_ids, importance, performance), record


def _indicator(table: np.ndarray, selected) -> np.ndarray:
    """A code table: 100 for the selected codes, 0 for the other scored codes, NaN elsewhere."""
    chosen = np.isin(np.arange(len(table)), list(selected)) & (np.arange(len(table)) < len(table) - 1)
    return np.where(np.isnan(table), np.nan, chosen * 100.0)


def _with_all(values, overall) -> np.ndarray:
    return np.append(np.asarray(values, dtype=object if isinstance(overall, str) else None), overall)


def _county_results(est: estimate.Means, counties, kish, df, psu, scale, settings) -> Table:
    """One row per county and a last row ALL; `kish`, `df` carry the ALL value last, `psu` does not."""
    mean, se = est.mean[:, 0], est.se[:, 0]
    low, high = compare.rank_intervals(mean, se, df[:-1])
    diff, se_diff, p = compare.difference_from_all(mean, se, est.mean_all[0], est.se_all[0],
                                                   est.cov_with_all[:, 0], df[:-1])
    index, index_se = est.with_all("mean")[:, 0], est.with_all("se")[:, 0]
    n, deff = est.with_all("n")[:, 0], est.with_all("deff")[:, 0]
    # Design-based effective n: n / deff of the index; Kish's weight-only figure where the
    # design effect is undefined (answers that do not vary).
    with np.errstate(invalid="ignore", divide="ignore"):
        n_effective = np.where(np.isfinite(deff) & (deff > 0), n / deff, kish)
    psu = _with_all(psu, psu.sum())
    imprecise = (n_effective < settings.min_effective_n) | (psu < settings.min_clusters)
    ci_low, ci_high = compare.interval(index, index_se, df, scale)
    # The difference's interval comes from the same t test as p (its df, level 1 - alpha): it
    # excludes 0 exactly when the difference is significant.
    t = student_t.quantile(1 - settings.alpha / 2, df[:-1])
    missing = np.nan
    columns = {
        "county": _with_all(counties, "ALL"), "n": n.astype(np.int64), "n_effective": n_effective,
        "index": index, "se": index_se, "ci_low": ci_low, "ci_high": ci_high, "deff": deff,
        "rank": _with_all(compare.ranks(mean), missing), "rank_low": _with_all(low, missing),
        "rank_high": _with_all(high, missing), "grade": np.array([settings.grades.of(m) for m in index], dtype=object),
        "grade_span": np.array([settings.grades.span(*v) for v in zip(index, ci_low, ci_high)], dtype=object),
        "diff_vs_all": _with_all(diff, missing), "se_diff": _with_all(se_diff, missing),
        "diff_ci_low": _with_all(diff - t * se_diff, missing), "diff_ci_high": _with_all(diff + t * se_diff, missing),
        "p_vs_all": _with_all(p, missing), "versus_city": _with_all(compare.versus_all(diff, p, settings.alpha), ""),
        "imprecise": np.append(imprecise[:-1], False).astype(np.int8),   # 0/1
        "psu": psu, "df": df, "n_effective_kish": kish,
    }
    if settings.shrinkage:
        fit = shrinkage.fay_herriot(mean, se ** 2)
        columns |= {"index_shrunk": _with_all(fit.estimate, missing), "se_shrunk": _with_all(fit.se, missing),
                    "shrinkage": _with_all(fit.shrinkage, missing)}
    return Table(columns)


def _item_results(est: estimate.Estimates, counties, questionnaire, df, scale) -> Table:
    labels = [*counties, "ALL"]
    k = len(questionnaire.items)
    means, ses = est.items.with_all("mean").ravel(), est.items.with_all("se").ravel()
    n, df = est.items.with_all("n").ravel(), np.repeat(df, k)
    columns = {
        "county": np.repeat(np.array(labels, dtype=object), k),
        "item": np.tile(np.array(questionnaire.item_ids, dtype=object), len(labels)),
        "topic": np.tile(np.array([i.topic for i in questionnaire.items], dtype=object), len(labels)),
        "n": n.astype(np.int64), "df": df, "mean": means, "se": ses,
        **dict(zip(("ci_low", "ci_high"), compare.interval(means, ses, df, scale))),
        "deff": est.items.with_all("deff").ravel(),
    }
    for name, shares in (("share_satisfied", est.satisfied), ("share_dissatisfied", est.dissatisfied)):
        share, se = shares.with_all("mean").ravel() / 100, shares.with_all("se").ravel() / 100
        low, high = compare.logit_interval(share, se, df, n)
        columns |= {name: share, f"{name}_se": se, f"{name}_ci_low": low, f"{name}_ci_high": high}
    return Table(columns)


PROBLEM_COLUMNS = ["county", "item", "topic", "text", "tier", "mean", "ci_low", "ci_high", "share_satisfied",
                   "share_dissatisfied", "mean_all", "difference", "difference_ci_low", "difference_ci_high",
                   "certainty", "reason", "se_difference", "p_value", "p_adjusted"]
TEXT_COLUMNS = {"county", "item", "topic", "text", "tier", "reason", "certainty"}


def _problem_rules(settings: Settings) -> compare.ProblemRules:
    return compare.ProblemRules(line=settings.problem_threshold, satisfied_line=settings.satisfied_line,
                                lowest=settings.lowest_items, alpha=settings.alpha)


def _problems(est: estimate.Estimates, counties, questionnaire, settings, df, scale) -> Table:
    """Per county, the items to act on in two tiers (compare.problem_tiers): 确定问题 first, then
    需关注, each worst first; with the score, its interval, the shares and the gap to the city."""
    items = est.items
    adjust = compare.ADJUSTMENTS[settings.adjustment]
    rules = _problem_rules(settings)
    rows = []
    for c, code in enumerate(counties):
        diff, se_diff, p = compare.difference_from_all(items.mean[c], items.se[c], items.mean_all, items.se_all,
                                                       items.cov_with_all[c], df[c])
        p_one_sided = np.where(diff < 0, p / 2, 1 - p / 2)
        tested = np.isfinite(p_one_sided)      # no test where the county's SE is 0 or undefined
        adjusted = np.full(len(p_one_sided), np.nan)
        adjusted[tested] = adjust(p_one_sided[tested])
        low, high = compare.interval(items.mean[c], items.se[c], df[c], scale)
        t = student_t.quantile(0.975, df[c])
        satisfied, dissatisfied = est.satisfied.mean[c] / 100, est.dissatisfied.mean[c] / 100
        tiers, reasons = compare.problem_tiers(items.mean[c], high, items.mean_all, adjusted, satisfied, rules)
        certainty = compare.gap_certainty(diff, high, items.mean_all, p_one_sided, adjusted, settings.alpha)
        for j, item in enumerate(questionnaire.items):
            if tiers[j]:
                rows.append((code, item.id, item.topic, item.text, tiers[j], items.mean[c, j], low[j], high[j],
                             satisfied[j], dissatisfied[j], items.mean_all[j], diff[j], diff[j] - t * se_diff[j],
                             diff[j] + t * se_diff[j], certainty[j], reasons[j], se_diff[j], p_one_sided[j],
                             adjusted[j]))
    columns = {name: np.array([row[i] for row in rows], dtype=object if name in TEXT_COLUMNS else float)
               for i, name in enumerate(PROBLEM_COLUMNS)}
    columns["severity"] = columns["mean"] - np.minimum(columns["mean_all"], settings.problem_threshold)
    table = Table(columns)
    rank = np.array([compare.TIERS.index(t) for t in table["tier"]], dtype=int)
    return table.take(np.lexsort((table["severity"], rank, table["county"].astype(str))))


def _distribution(used: Responses, weights, strata, counties, questionnaire: Questionnaire) -> Table:
    """Per county (and ALL), item and answer of the scale: unweighted count and weighted share.

    Scored answers are shares of the item's scored answers (so that 满意 + 非常满意 is the
    satisfied share of item_results). The scale's 不了解 (not_applicable) is a share of all the
    responses used and counts empty answers too: the form asks every item and stores 不了解 as
    empty; other unscored answers are shares of all responses used.
    """
    scale = questionnaire.scale
    width = max(scale.codes) + 1
    k, groups = len(questionnaire.items), len(counties)
    n, w = np.zeros((groups, k, width)), np.zeros((groups, k, width))
    for j in range(k):        # item by item: a million responses need no (responses x items) work array
        code = used.codes[:, j].astype(np.int64)
        if scale.not_applicable is not None:
            code = np.where(code < 0, scale.not_applicable, code)
        given = code >= 0
        cell = strata[given] * width + code[given]
        n[:, j] = np.bincount(cell, minlength=groups * width).reshape(groups, width)
        w[:, j] = np.bincount(cell, weights=weights[given], minlength=groups * width).reshape(groups, width)
    responses = np.bincount(strata, minlength=groups)
    total = np.bincount(strata, weights=weights, minlength=groups)
    n, w = np.concatenate([n, n.sum(0, keepdims=True)]), np.concatenate([w, w.sum(0, keepdims=True)])
    responses, total = np.append(responses, responses.sum()), np.append(total, total.sum())
    scored = list(scale.scored_codes)
    rows = []
    for g, county in enumerate([*counties, "ALL"]):
        for j, item in enumerate(questionnaire.items):
            scored_n, scored_w = int(n[g, j, scored].sum()), w[g, j, scored].sum()
            for point in scale.points:
                base = scored_w if point.score is not None else total[g]
                rows.append((county, item.id, item.topic, point.code, point.label, int(n[g, j, point.code]),
                             w[g, j, point.code] / base if base > 0 else np.nan, scored_n, int(responses[g])))
    names = ["county", "item", "topic", "code", "label", "n", "share", "n_scored", "n_responses"]
    return Table({name: np.array([row[i] for row in rows], dtype=object if i in (0, 1, 2, 4) else None)
                  for i, name in enumerate(names)})


def _composition(used: Responses, strata, counties, questionnaire: Questionnaire, targets) -> Table:
    """The sample's make-up beside the population's: per county (and ALL) and option of each
    attribute asked of everyone, the responses used and both shares (population: NaN without targets)."""
    population = {}
    if targets is not None:
        for c, v, k, p in zip(*(targets[name] for name in target_tables.COLUMNS)):
            population[(c, v, k)] = p
        totals = target_tables.county_populations(targets)
    rows = []
    for attribute in (a for a in questionnaire.attributes if not a.applies_if and a.id in used.attributes):
        factor = used.attributes[attribute.id]
        position = {label: i for i, label in enumerate(factor.labels)}
        for c, county in enumerate([*counties, "ALL"]):
            mine = factor.codes[strata == c] if county != "ALL" else factor.codes
            counts = np.bincount(mine[mine >= 0], minlength=len(factor.labels))
            answered = counts.sum()
            for option in attribute.options:
                n = int(counts[position[option.id]]) if option.id in position else 0
                if county == "ALL":
                    target = sum(population.get((k, attribute.id, option.id), 0.0) for k in counties)
                    total = sum(totals.get(k, 0.0) for k in counties) if population else 0.0
                else:
                    target, total = population.get((county, attribute.id, option.id)), \
                        totals.get(county, 0.0) if population else 0.0
                rows.append((county, attribute.id, option.id, option.label, n, n / answered if answered else np.nan,
                             target / total if population and total and target is not None else np.nan))
    names = ["county", "attribute", "category", "label", "n", "sample_share", "population_share"]
    return Table({name: np.array([row[i] for row in rows], dtype=object if i < 4 else None)
                  for i, name in enumerate(names)})


def _breakdown_groups(used: Responses, questionnaire: Questionnaire):
    """(attribute, option code per response) for each attribute in the data; the codes
    index the questionnaire's options (-1 = not asked or unknown)."""
    groups = []
    for attribute in questionnaire.attributes:
        factor = used.attributes.get(attribute.id)
        if factor is None:
            continue
        position = {o.id: i for i, o in enumerate(attribute.options)}
        # A last entry -1 so that an empty answer (code -1) maps to no option.
        to_option = np.array([position.get(label, -1) for label in factor.labels] + [-1])
        groups.append((attribute, to_option[factor.codes]))
    return groups


def _breakdowns(domains: dict[str, estimate.Means], counties, groups, df, scale, clusters, strata, answered,
                settings: Settings) -> Table:
    """Index by each attribute's categories within each county (domains) and overall, with
    the county's (or the city's) degrees of freedom.

    A group's interval is marked unreliable (``reliable`` 0) where its respondents come from fewer
    than ``settings.min_clusters`` clusters or its effective n (n / deff) is below
    ``settings.min_effective_n``, the rules that make a county imprecise: a variance from two or
    three clusters is itself unstable, and such an interval may come out narrower than the county's.
    """
    rows = []
    psu = {attribute.id: _domain_clusters(codes, len(attribute.options), clusters, strata, len(counties), answered)
           for attribute, codes in groups}
    for c, code in enumerate([*counties, "ALL"]):
        for attribute, _ in groups:
            n, mean, se, deff = (domains[attribute.id].with_all(f)[c] for f in ("n", "mean", "se", "deff"))
            low, high = compare.interval(mean, se, df[c], scale)
            with np.errstate(invalid="ignore", divide="ignore"):
                n_effective = np.where(np.isfinite(deff) & (deff > 0), n / deff, n)
            reliable = (psu[attribute.id][c] >= settings.min_clusters) & (n_effective >= settings.min_effective_n)
            rows += [(code, attribute.id, option.id, option.label, int(n[j]), mean[j], se[j], low[j], high[j],
                      int(psu[attribute.id][c, j]), n_effective[j], int(reliable[j]))
                     for j, option in enumerate(attribute.options)]
    names = ["county", "attribute", "category", "label", "n", "index", "se", "ci_low", "ci_high", "psu",
             "n_effective", "reliable"]
    return Table({name: np.array([row[i] for row in rows], dtype=object if i < 4 else np.int8 if name == "reliable"
                                 else None) for i, name in enumerate(names)})


def _domain_clusters(codes, n_options, clusters, strata, n_counties, answered) -> np.ndarray:
    """(counties + 1) x options: the clusters holding a respondent of each option with an index
    (each response its own cluster without clustering); the last row sums over counties."""
    keep = (codes >= 0) & answered
    pairs = np.unique(clusters[keep].astype(np.int64) * n_options + codes[keep])
    cluster, option = np.divmod(pairs, n_options)
    county_of = np.zeros(int(clusters.max()) + 1 if len(clusters) else 0, dtype=np.int64)
    county_of[clusters] = strata          # clusters lie within counties
    counts = np.zeros((n_counties, n_options), dtype=np.int64)
    np.add.at(counts, (county_of[cluster], option), 1)
    return np.vstack([counts, counts.sum(axis=0)])


IMBALANCE = 0.05    # sample and population shares this far apart: a group over- or under-represented


def _weighting_effect(index, est: estimate.Means, composition: Table, breakdowns: Table) -> dict:
    """What the weights did to the city's index: unweighted (every response used counts once) and
    weighted, and the groups whose share of the sample is IMBALANCE or more off their population
    share (attribute, category, label, both shares, the group's weighted index), largest gap first."""
    group_index = {(a, k): v for c, a, k, v in zip(breakdowns["county"], breakdowns["attribute"],
                                                   breakdowns["category"], breakdowns["index"]) if c == "ALL"}
    groups = []
    for c, a, k, label, sample, population in zip(*(composition[name] for name in (
            "county", "attribute", "category", "label", "sample_share", "population_share"))):
        if c == "ALL" and np.isfinite(population) and np.isfinite(sample) and abs(sample - population) >= IMBALANCE:
            groups.append({"attribute": str(a), "category": str(k), "label": str(label),
                           "sample_share": float(sample), "population_share": float(population),
                           "index": float(group_index.get((a, k), np.nan))})
    groups.sort(key=lambda g: -abs(g["sample_share"] - g["population_share"]))
    return {"unweighted_index": float(np.nanmean(index)) if np.isfinite(index).any() else None,
            "weighted_index": float(est.mean_all[0]), "imbalanced_groups": groups}
