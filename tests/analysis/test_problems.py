"""The problem list in two tiers, and the answer distribution.

Sources of truth: a hand-made county whose items each meet one rule (the tiers by definition), the
county's own item table (the list never contradicts the chart drawn from it), and the unweighted
counts and item_results' satisfied shares (the distribution adds up to them).
"""
import numpy as np
import pandas as pd
import pytest

from analysis import compare, job

RULES = compare.ProblemRules(line=70.0, satisfied_line=0.70, lowest=3, alpha=0.05)


def test_each_rule_puts_an_item_in_its_tier():
    #               significant, under line, interval below, few satisfied, below line, fine, fine, fine
    mean = np.array([80.0, 60.0, 81.0, 90.0, 69.0, 95.0, 96.0, 97.0])
    ci_high = np.array([84.0, 68.0, 84.5, 94.0, 78.0, 99.0, 99.0, 99.0])
    city = np.array([85.0, 75.0, 85.0, 88.0, 72.0, 90.0, 90.0, 90.0])
    p_adjusted = np.array([0.01, 0.2, 0.08, 1.0, 0.4, 1.0, 1.0, 1.0])
    satisfied = np.array([0.8, 0.5, 0.8, 0.65, 0.75, 0.95, 0.95, 0.95])
    no_lowest = compare.ProblemRules(lowest=0)
    tiers, reasons = compare.problem_tiers(mean, ci_high, city, p_adjusted, satisfied, no_lowest)
    assert tiers == ["确定问题", "确定问题", "需关注", "需关注", "需关注", "", "", ""]
    assert reasons[0] == "显著低于全市（校正后）"
    assert reasons[1].startswith("得分区间整体低于问题线 70 分") and "满意率低于 70%" in reasons[1]
    assert reasons[2] == "区间整体低于全市"
    assert reasons[3] == "满意率低于 70%"
    assert reasons[4] == "得分低于问题线 70 分"
    tiers, reasons = compare.problem_tiers(mean, ci_high, city, p_adjusted, satisfied, RULES)
    assert tiers[5:] == ["", "", ""]                  # 95 is not among the 3 lowest of 60, 69, 80, 81, ...
    assert "本区县得分最低的 3 项之一" in reasons[1] and "本区县得分最低的 3 项之一" in reasons[4]


def test_the_lowest_items_need_attention_even_above_the_city_but_items_all_alike_have_none():
    mean = np.array([91.0, 92.0, 93.0, 96.0, 98.0])
    tiers, reasons = compare.problem_tiers(mean, mean + 3, np.full(5, 80.0), np.ones(5), np.full(5, 0.9), RULES)
    assert tiers == ["需关注", "需关注", "需关注", "", ""] and reasons[0] == "本区县得分最低的 3 项之一"
    flat = np.full(5, 100.0)
    assert compare.problem_tiers(flat, flat, np.full(5, 80.0), np.full(5, np.nan), np.ones(5), RULES)[0] == [""] * 5


def test_the_gap_is_put_in_words():
    words = compare.gap_certainty(difference=[-5, -5, -5, -5, 3, -5], ci_high=[70, 70, 80, 80, 90, 80],
                                  mean_all=[75, 75, 75, 75, 75, 75], p_one_sided=[0.001, 0.01, 0.01, 0.2, 0.9, np.nan],
                                  p_adjusted=[0.01, 0.2, 0.2, 1.0, 1.0, np.nan])
    assert words == ["显著低于全市（校正后）", "区间整体低于全市，校正后不显著", "低于全市，未经校正显著，校正后不显著",
                     "低于全市，但不显著", "不低于全市", "无法检验（标准误为 0 或无法估计）"]


def _worse(reference, county="511526", item="q05"):
    """The reference responses with one county's answers to one item lowered by two points."""
    d = reference.responses.copy()
    rows = d["county"] == county
    d.loc[rows, item] = (d.loc[rows, item] - 2).clip(lower=1)
    return d


@pytest.mark.parametrize("settings", [
    {"cluster": "channel"}, {}, {"cluster": "channel", "lowest_items": 0, "satisfied_line": 0.0},
    {"adjustment": "bh", "problem_threshold": 50.0}])
def test_every_item_whose_interval_lies_below_the_city_is_listed(reference, questionnaire, settings):
    """The invariant: the list never contradicts the county's item chart (interval wholly left of the city)."""
    result = job.analyze(_worse(reference), questionnaire, reference.targets, job.Settings(**settings))
    items = result.item_results.to_pandas()
    city = items[items.county == "ALL"].set_index("item")["mean"]
    below = items[(items.county != "ALL") & (items.ci_high < items.item.map(city))]
    problems = result.problems.to_pandas().set_index(["county", "item"])
    assert len(below) > 0
    for county, item in zip(below["county"], below["item"]):
        assert problems.loc[(county, item), "tier"] in compare.TIERS, (county, item)
    assert set(problems["tier"]) <= set(compare.TIERS)
    confirmed = problems[problems.tier == "确定问题"]
    line = settings.get("problem_threshold", 70.0)
    assert ((confirmed.p_adjusted < 0.05) & (confirmed.difference < 0) | (confirmed.ci_high < line)).all()


def test_a_county_clearly_worse_on_an_item_has_it_confirmed_with_its_figures(reference, questionnaire):
    result = job.analyze(_worse(reference), questionnaire, reference.targets, job.Settings(cluster="channel"))
    problems = result.problems.to_pandas()
    row = problems.set_index(["county", "item"]).loc[("511526", "q05")]
    assert row["tier"] == "确定问题" and row["certainty"] == "显著低于全市（校正后）"
    assert "显著低于全市（校正后）" in row["reason"]
    items = result.item_results.to_pandas().set_index(["county", "item"])
    mine, city = items.loc[("511526", "q05")], items.loc[("ALL", "q05")]
    for column in ("mean", "ci_low", "ci_high", "share_satisfied", "share_dissatisfied"):
        assert row[column] == pytest.approx(mine[column], rel=1e-12)
    assert row["difference"] == pytest.approx(mine["mean"] - city["mean"], rel=1e-12)
    assert row["difference_ci_low"] < row["difference"] < row["difference_ci_high"] < 0
    # Within each county: confirmed first, then by severity.
    for _, rows in problems.groupby("county"):
        rank = rows["tier"].map({"确定问题": 0, "需关注": 1})
        assert rank.is_monotonic_increasing
        for _, tier in rows.groupby("tier"):
            assert tier["severity"].is_monotonic_increasing
    assert result.record["lowest_items"] == 3 and result.record["satisfied_line"] == 0.7


def test_the_answer_distribution_adds_up_to_counts_and_satisfied_shares(reference, questionnaire):
    d = reference.responses.copy()
    d.loc[d.index[:40], "q03"] = 9                # 不了解, given as its code
    result = job.analyze(d, questionnaire, reference.targets, job.Settings(cluster="channel"))
    dist = result.distribution.to_pandas()
    assert len(dist) == (d["county"].nunique() + 1) * len(questionnaire.items) * len(questionnaire.scale.points)
    used = d[d["response_id"].isin(result.weights["response_id"])]
    for county, item in (("511502", "q03"), ("ALL", "q01"), ("511529", "q16")):
        rows = dist[(dist.county == county) & (dist["item"] == item)].set_index("code")
        mine = used if county == "ALL" else used[used["county"] == county]
        answers = mine[item].fillna(9).astype(int)              # an empty answer is 不了解
        assert rows["n"].to_dict() == {c: int((answers == c).sum()) for c in rows.index}
        assert rows["n_responses"].iloc[0] == len(mine) and rows["n_scored"].iloc[0] == int((answers < 9).sum())
        scored = rows.loc[list(questionnaire.scale.scored_codes), "share"]
        assert scored.sum() == pytest.approx(1.0, rel=1e-12)
        shares = result.item_results.to_pandas().set_index(["county", "item"]).loc[(county, item)]
        assert rows.loc[[4, 5], "share"].sum() == pytest.approx(shares["share_satisfied"], rel=1e-9)
        assert rows.loc[[1, 2], "share"].sum() == pytest.approx(shares["share_dissatisfied"], rel=1e-9)
        weights = pd.Series(result.weights["weight"], index=result.weights["response_id"])
        w = weights.loc[mine["response_id"]].to_numpy()
        assert rows.loc[9, "share"] == pytest.approx(w[(answers == 9).to_numpy()].sum() / w.sum(), rel=1e-9)
