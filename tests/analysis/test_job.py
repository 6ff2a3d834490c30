"""The whole analysis job: settings, errors, and methods that must agree."""
import numpy as np
import pandas as pd
import pytest

from analysis import job, quality, weighting
from analysis import targets as target_tables
from tests.helpers import REFERENCE

KEEP_ALL = quality.QualitySettings(exclude=frozenset(), min_items_answered=1)


@pytest.fixture
def responses(reference):
    return reference.responses


@pytest.fixture
def targets(reference):
    return reference.targets


def run(responses, questionnaire, targets, **settings):
    return job.analyze(responses, questionnaire, targets, job.Settings(**settings))


def test_job_reproduces_r_through_the_public_entry_point(responses, questionnaire, targets, reference):
    # Same R calls as test_reference_raking.py (clustered design).
    expected = pd.read_csv(REFERENCE / "expected_clustered" / "county_results.csv", dtype={"county": str})
    result = run(responses, questionnaire, targets, item_weights=reference.item_weights, quality=KEEP_ALL,
                 cluster="channel")
    got = result.county_results.to_pandas().set_index("county").loc[expected["county"]]
    np.testing.assert_allclose(got["index"], expected["index"], atol=1e-6, rtol=0)
    np.testing.assert_allclose(got["se"], expected["se"], rtol=1e-4)
    np.testing.assert_allclose(got["n_effective_kish"], expected["n_effective"], rtol=1e-9)
    items = pd.read_csv(REFERENCE / "expected_clustered" / "item_results.csv", dtype={"county": str})
    merged = items.merge(result.item_results.to_pandas(), on=["county", "item"], suffixes=("_r", ""))
    np.testing.assert_allclose(merged["mean"], merged["mean_r"], atol=1e-6, rtol=0)
    np.testing.assert_allclose(merged["se"], merged["se_r"], rtol=1e-4)


def test_raking_on_one_margin_equals_post_stratification(responses, questionnaire, targets):
    """Raking to area alone must give the closed-form post-stratified weights."""
    area = targets[targets.variable == "area"]
    result = run(responses, questionnaire, area, quality=KEEP_ALL)
    weights = result.weights.to_pandas().set_index("response_id")["weight"]
    cell = responses.set_index("response_id")[["county", "area"]]
    population = area.set_index(["county", "category"])["population"]
    counts = cell.groupby(["county", "area"]).size()
    expected = [population[(c, a)] / counts[(c, a)] for c, a in cell.loc[weights.index].itertuples(index=False)]
    np.testing.assert_allclose(weights.to_numpy(), expected, rtol=1e-9)


def test_unit_weights_give_unweighted_statistics(responses, questionnaire):
    result = run(responses, questionnaire, None, quality=KEEP_ALL)
    scores = (responses[list(questionnaire.item_ids)] - 1) * 25.0
    by_county = scores.groupby(responses["county"]).mean()
    items = result.item_results.to_pandas().set_index(["county", "item"])["mean"]
    for county in by_county.index:
        np.testing.assert_allclose(items.loc[county].loc[list(questionnaire.item_ids)],
                                   by_county.loc[county], rtol=1e-12)
    # Unit weights, no calibration, one response per PSU: the linearized SE of a county's
    # index is exactly s / sqrt(n) with the (n - 1) sample variance.
    scored = responses[list(questionnaire.item_ids)].notna().sum(axis=1) >= 1
    index = ((scores * pd.Series(1.0, index=scores.columns)).mean(axis=1))[scored]
    county = responses.loc[scored, "county"]
    textbook = index.groupby(county).std(ddof=1) / np.sqrt(index.groupby(county).size())
    got = result.county_results.to_pandas().set_index("county")
    np.testing.assert_allclose(got.loc[textbook.index, "index"], index.groupby(county).mean(), rtol=1e-12)
    np.testing.assert_allclose(got.loc[textbook.index, "se"], textbook, rtol=1e-10)


def test_quality_exclusions_are_counted_per_county(responses, questionnaire, targets):
    data = responses.copy()
    data.loc[data.index[:30], "duration_s"] = 5          # speeders
    data.loc[data.index[30:32], "response_id"] = data.loc[data.index[0], "response_id"]  # duplicate ids
    result = run(data, questionnaire, targets)
    table = result.quality.to_pandas().set_index("county")
    assert table.loc["ALL", "speeder"] == 30 + (responses["duration_s"] < 60).sum()
    assert table.loc["ALL", "duplicate_id"] == 2
    assert table.loc["ALL", "excluded"] == table.loc["ALL", "received"] - table.loc["ALL", "used"]
    assert table.loc["ALL", "straightline"] > 0       # flagged ...
    assert result.record["responses"]["used"] == table.loc["ALL", "used"]  # ... but not excluded
    assert "straightline" not in result.record["quality"]["exclude"]


@pytest.mark.parametrize("edit, words", [
    (lambda d, t: d.drop(columns=["q07"]), "缺少列：q07"),
    (lambda d, t: d.assign(q03=d["q03"].where(d.index != 4, 7)), "第 6 行 q03 列"),
    (lambda d, t: d.assign(county=d["county"].where(d.index != 9, "999999")), "第 11 行：区县“999999”"),
    (lambda d, t: d.assign(area=d["area"].where(d.index != 2, "suburb")), "“您居住在”为“suburb”，不在人口目标中"),
])
def test_bad_inputs_name_the_row_or_column(responses, questionnaire, targets, edit, words):
    with pytest.raises(job.AnalysisError, match=words):
        run(edit(responses.copy(), targets), questionnaire, targets, quality=KEEP_ALL)


def test_a_zero_population_cell_with_respondents_is_refused(responses, questionnaire, targets):
    bad = targets.copy()
    teachers = (bad.county == "511502") & (bad.category == "teacher")
    bad.loc[(bad.county == "511502") & (bad.category == "public"), "population"] += bad.loc[teachers, "population"].sum()
    bad.loc[teachers, "population"] = 0
    with pytest.raises(job.AnalysisError, match="区县 511502 的“您的身份是”为“教师”人口为 0"):
        run(responses, questionnaire, bad)


def test_inconsistent_margins_are_refused(responses, questionnaire, targets):
    bad = targets.copy()
    bad.loc[(bad.county == "511502") & (bad.category == "urban"), "population"] += 5000
    with pytest.raises(job.AnalysisError, match="区县 511502 各变量的人口合计不一致"):
        run(responses, questionnaire, bad)


def test_an_empty_population_cell_is_collapsed_and_reported(responses, questionnaire, targets):
    data = responses[~((responses.county == "511523") & (responses.respondent_type == "teacher"))]
    result = run(data, questionnaire, targets, quality=KEEP_ALL)
    [note] = result.record["weighting"]["collapsed"]
    assert "511523" in note and "“教师”的没有答卷，加权时并入“其他群众”" in note and note in result.record["notices"]
    with pytest.raises(job.AnalysisError, match="没有任何样本|没有样本"):
        run(data, questionnaire, targets, quality=KEEP_ALL, collapse_empty_cells=False)


def test_trimming_keeps_weight_ratios_within_bounds(responses, questionnaire, targets):
    plain = run(responses, questionnaire, targets, quality=KEEP_ALL)
    trimmed = run(responses, questionnaire, targets, quality=KEEP_ALL, trim_bounds=(0.5, 2.0))
    codes, strata = np.unique(responses["county"], return_inverse=True)
    population = target_tables.county_populations(targets)
    base = weighting.base_weights(strata, np.array([population[c] for c in codes]))
    ratio = trimmed.weights.to_pandas()["weight"].to_numpy() / base
    assert ratio.min() >= 0.5 - 1e-9 and ratio.max() <= 2.0 + 1e-9
    assert (plain.weights.to_pandas()["weight"].to_numpy() / base).max() > 2.0  # trimming had work to do
    assert trimmed.record["weighting"]["max_margin_error_after_trimming"] >= 0


def test_rank_intervals_contain_the_rank_and_grades_follow_thresholds(responses, questionnaire, targets):
    table = run(responses, questionnaire, targets).county_results.to_pandas()
    counties = table[table.county != "ALL"]
    assert ((counties["rank_low"] <= counties["rank"]) & (counties["rank"] <= counties["rank_high"])).all()
    for _, row in counties.iterrows():
        expected = "优秀" if row["index"] >= 90 else "良好" if row["index"] >= 80 else \
            "中等" if row["index"] >= 70 else "较差"
        assert row["grade"] == expected


def test_problem_list_is_adjusted_and_ordered(responses, questionnaire, targets):
    problems = run(responses, questionnaire, targets, adjustment="bh").problems.to_pandas()
    assert (problems["p_adjusted"] >= problems["p_value"] - 1e-15).all()
    for _, rows in problems.groupby(["county", "tier"]):
        assert rows["severity"].is_monotonic_increasing
    flagged = problems[problems["reason"].str.contains("显著低于全市")]
    assert (flagged["p_adjusted"] < 0.05).all() and (flagged["difference"] < 0).all()


def test_a_cluster_label_repeated_in_two_counties_is_two_clusters(responses, questionnaire, targets):
    """Channels numbered 001, 002, ... within each county give the clustered results of unique codes."""
    unique = run(responses, questionnaire, targets, quality=KEEP_ALL, cluster="channel")
    local = responses.assign(channel=responses["channel"].str.split("-").str[1])
    assert local.groupby("channel")["county"].nunique().max() > 1
    repeated = run(local, questionnaire, targets, quality=KEEP_ALL, cluster="channel")
    np.testing.assert_allclose(repeated.county_results["se"], unique.county_results["se"], rtol=1e-12)


def test_a_county_with_one_cluster_has_no_se_and_says_so(responses, questionnaire, targets):
    one_channel = responses.assign(channel=np.where(responses["county"] == "511523", "511523-001",
                                                    responses["channel"]))
    result = run(one_channel, questionnaire, targets, quality=KEEP_ALL, cluster="channel")
    table = result.county_results.to_pandas().set_index("county")
    assert np.isnan(table.loc["511523", "se"]) and np.isnan(table.loc["511523", "ci_low"])
    assert (table.loc["511523", "rank_low"], table.loc["511523", "rank_high"]) == (1, len(table) - 1)
    assert np.isfinite(table.loc["ALL", "se"])
    [notice] = [n for n in result.record["notices"] if "无法估计标准误" in n]
    assert "511523" in notice and "只有 1 个渠道（整群）" in notice


def test_ids_damaged_by_a_spreadsheet_are_refused_with_the_row_not_dropped_as_duplicates(reference, questionnaire):
    from analysis.inputs import AnalysisError
    responses = reference.responses.copy()
    responses.loc[[3, 7], "response_id"] = "#NAME?"            # Excel's verdict on ids that began with "-"
    with pytest.raises(AnalysisError, match="第 5 行等 2 行的回执编号.*#NAME\\?"):
        job.analyze(responses, questionnaire, reference.targets)


def test_the_tier_against_the_city_agrees_with_the_p_value_and_the_difference_interval(responses, questionnaire,
                                                                                         targets):
    table = run(responses, questionnaire, targets, cluster="channel").county_results.to_pandas()
    counties = table[table.county != "ALL"]
    significant = counties["p_vs_all"] < 0.05
    excludes_zero = (counties["diff_ci_low"] > 0) | (counties["diff_ci_high"] < 0)
    assert (significant == excludes_zero).all()      # the same t test: words and interval agree
    expected = np.where(~significant, "持平", np.where(counties["diff_vs_all"] > 0, "高于全市", "低于全市"))
    assert counties["versus_city"].tolist() == expected.tolist()
    assert significant.any() and (~significant).any()
    assert table.loc[table.county == "ALL", "versus_city"].tolist() == [""]
    for _, row in counties.iterrows():
        assert row["grade_span"].startswith(row["grade"])
        assert ("区间跨" in row["grade_span"]) == (job.Settings().grades.of(row["ci_low"])
                                                 != job.Settings().grades.of(row["ci_high"]))


def test_subgroups_from_few_clusters_or_a_small_effective_n_are_unreliable(responses, questionnaire, targets):
    # 511523 and 511529 have two channels each: every one of their groups comes from 2 clusters.
    result = run(responses, questionnaire, targets, quality=KEEP_ALL, cluster="channel")
    b = result.breakdowns.to_pandas()
    b = b[b["n"] > 0]
    clusters = responses.groupby(["county", "respondent_type"])["channel"].nunique()
    types = b[(b.attribute == "respondent_type") & (b.county != "ALL")].set_index(["county", "category"])
    assert types["psu"].to_dict() == clusters.to_dict()
    assert (types.loc["511523", "reliable"] == 0).all() and (types.loc["511529", "reliable"] == 0).all()
    expected = (b["psu"] >= 5) & (b["n_effective"] >= 100)
    assert (b["reliable"] == expected.astype(int)).all()
    assert b["reliable"].any()
    # Without clustering each response is its own cluster.
    plain = run(responses, questionnaire, targets, quality=KEEP_ALL).breakdowns.to_pandas()
    plain = plain[(plain.attribute == "respondent_type") & (plain.county != "ALL")].set_index(["county", "category"])
    assert (plain["psu"] == plain["n"]).all()


def test_the_record_states_the_weightings_effect_on_the_city_index(responses, questionnaire, targets):
    weighted = run(responses, questionnaire, targets, quality=KEEP_ALL)
    effect = weighted.record["weighting"]
    # Two ways to the unweighted index: the record's, and the city figure of a run without targets.
    unweighted = run(responses, questionnaire, None, quality=KEEP_ALL).county_results.to_pandas()
    assert effect["unweighted_index"] == pytest.approx(unweighted.loc[unweighted.county == "ALL", "index"].item(),
                                                       abs=1e-9)
    city = weighted.county_results.to_pandas().set_index("county").loc["ALL", "index"]
    assert effect["weighted_index"] == pytest.approx(city, abs=1e-12)
    composition = weighted.composition.to_pandas()
    composition = composition[composition.county == "ALL"]
    off = composition[(composition.sample_share - composition.population_share).abs() >= 0.05]
    assert {(g["attribute"], g["category"]) for g in effect["imbalanced_groups"]} == \
        set(zip(off.attribute, off.category))
    gaps = [abs(g["sample_share"] - g["population_share"]) for g in effect["imbalanced_groups"]]
    assert gaps == sorted(gaps, reverse=True)
    assert "unweighted_index" not in run(responses, questionnaire, None, quality=KEEP_ALL).record["weighting"]


def test_what_residents_wrote_is_summed_up_over_the_valid_responses(responses, questionnaire, targets):
    frame = responses.copy()
    frame["comment"] = None
    frame.loc[0:9, "comment"] = "食堂饭菜太贵，王建国老师电话13812345678"
    frame.loc[10, "comment"] = "无"
    frame.loc[11, "duration_s"] = 1                                       # a speeder: not a valid response
    frame.loc[11, "comment"] = "刷票的话"
    results = run(frame, questionnaire, targets)
    digest = results.comments
    assert digest.question == questionnaire.comment.question
    city = digest.of("ALL")
    assert (city.responses, city.comments, city.informative) == (results.county_results["n"][-1], 11, 10)
    assert city.themes[0] == ("学校食堂", 10, 1.0) and city.samples == ["食堂饭菜太贵，某老师电话【电话】"]
    assert "刷票的话" not in list(digest.comments["text"])
    per_county = {c: digest.of(c).comments for c in results.county_results["county"][:-1]}
    assert sum(per_county.values()) == 11
    assert run(responses, questionnaire, targets).comments is None            # no such column: no digest


def test_the_published_county_estimates_equal_r_and_rebuild_their_intervals(responses, questionnaire, targets,
                                                                            reference):
    """The typed estimate an evaluation combines carries R's index and se, and its df gives its interval."""
    from analysis.county_estimate import county_estimates
    from analysis.student_t import quantile
    expected = pd.read_csv(REFERENCE / "expected_clustered" / "county_results.csv", dtype={"county": str})
    result = run(responses, questionnaire, targets, item_weights=reference.item_weights, quality=KEEP_ALL,
                 cluster="channel")
    estimates = {e.county: e for e in county_estimates(result.county_results)}
    expected = expected[expected["county"] != "ALL"]
    assert set(estimates) == set(expected["county"])
    for row in expected.itertuples():
        estimate = estimates[row.county]
        assert estimate.index == pytest.approx(row.index, abs=1e-6) and estimate.se == pytest.approx(row.se, rel=1e-4)
        half = quantile(0.975, np.array([estimate.df]))[0] * estimate.se
        assert (estimate.ci_low, estimate.ci_high) == pytest.approx(         # within the scale
            (max(0, estimate.index - half), min(100, estimate.index + half)))
