"""Comparisons: multiple-testing adjustments, p-values, rank intervals, grades."""
import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from analysis import compare, student_t


@pytest.mark.parametrize("ours, theirs", [(compare.holm, "holm"), (compare.benjamini_hochberg, "fdr_bh")])
def test_adjusted_p_values_equal_statsmodels(ours, theirs):
    rng = np.random.default_rng(7)
    p = np.concatenate([rng.uniform(0, 0.05, 6), rng.uniform(0, 1, 10), [0.01, 0.01, 1.0]])  # ties too
    np.testing.assert_allclose(ours(p), multipletests(p, method=theirs)[1], rtol=1e-12)


@pytest.mark.parametrize("df", [1, 1.5, 2, 3, 4.7, 12, 99, 1_000, 54_339, 1e6, np.inf])
def test_t_tail_probabilities_and_quantiles_equal_scipy(df):
    t = np.array([-40.0, -3.1, -1.96, 0.0, 0.01, 0.5, 2.4, 10.0, 1e3, np.nan])
    np.testing.assert_allclose(student_t.two_sided_p(t, df), 2 * stats.t.sf(np.abs(t), df), rtol=1e-10)
    for level in (0.975, 0.995, 1 - 0.05 / 18, 1 - 1e-7):
        np.testing.assert_allclose(student_t.quantile(level, df), stats.t.ppf(level, df), rtol=1e-10)


def test_no_degrees_of_freedom_give_no_interval_and_no_test():
    assert np.isnan(student_t.quantile(0.975, [0.0, np.nan])).all()
    assert np.isnan(student_t.two_sided_p(2.0, [0.0, np.nan])).all()


def test_intervals_use_the_t_quantile_of_the_design_df():
    low, high = compare.interval(np.array([80.0, 80.0]), np.array([1.0, 1.0]), np.array([2.0, np.inf]), (0, 100))
    np.testing.assert_allclose(high - 80, [4.302652729749464, 1.959963984540054], rtol=1e-12)
    low, high = compare.interval(np.array([98.0]), np.array([5.0]), np.array([2.0]), (0, 100))
    assert high[0] == 100 and low[0] == pytest.approx(98 - 5 * 4.302652729749464)


def test_rank_intervals_test_each_countys_comparisons_with_bonferroni():
    # Three counties: A is 3.0 above B with SE 1 each, so z = 3 / sqrt(2) = 2.12 -- beyond
    # 1.96, but within 2.24, the two-sided 5% / 2 comparisons point. C is far below both.
    mean, se, df = np.array([3.0, 0.0, -100.0]), np.ones(3), np.full(3, np.inf)
    low, high = compare.rank_intervals(mean, se, df)
    assert low.tolist() == [1, 1, 3] and high.tolist() == [2, 2, 3]
    low, high = compare.rank_intervals(mean + np.array([1.0, 0, 0]), se, df)  # z = 2.83: now A beats B
    assert low.tolist() == [1, 2, 3] and high.tolist() == [1, 2, 3]


def test_rank_comparisons_use_welch_satterthwaite_degrees_of_freedom():
    # z = 2.83 is apart with many PSUs, but with 3 PSUs a county (df 2 each, Satterthwaite
    # df 4) the Bonferroni point is t(4) at 0.9875 = 3.50.
    mean, se = np.array([4.0, 0.0, -100.0]), np.ones(3)
    low, high = compare.rank_intervals(mean, se, np.array([2.0, 2.0, 2.0]))
    assert low.tolist() == [1, 1, 3] and high.tolist() == [2, 2, 3]
    p = student_t.two_sided_p(4 / np.sqrt(2), 4.0)
    assert p > 0.025 and 2 * stats.t.sf(4 / np.sqrt(2), 4.0) == pytest.approx(p, rel=1e-10)


def test_a_county_without_an_se_can_hold_any_rank_and_is_never_significantly_apart():
    df = np.full(3, 50.0)
    low, high = compare.rank_intervals(np.array([90.0, 80.0, 70.0]), np.array([0.1, np.nan, 0.1]), df)
    assert low.tolist() == [1, 1, 2] and high.tolist() == [2, 3, 3]
    # An SE of rounding size (answers that do not vary) counts as none.
    low, high = compare.rank_intervals(np.array([90.0, 80.0, 70.0]), np.array([0.1, 1e-15, 0.1]), df)
    assert low.tolist() == [1, 1, 2] and high.tolist() == [2, 3, 3]


def test_differences_of_rounding_size_are_ties_and_get_no_test():
    assert compare.ranks(np.array([100.0, 100.0 - 1e-14, 99.0])).tolist() == [1, 1, 3]
    diff, _, p = compare.difference_from_all(np.array([100.0 - 1e-14, 90.0]), np.array([1e-15, 1.0]),
                                             100.0, 0.5, np.array([0.0, 0.1]), np.array([10.0, 10.0]))
    assert diff[0] == 0 and np.isnan(p[0]) and np.isfinite(p[1])


def test_ties_share_the_better_rank():
    assert compare.ranks(np.array([80.0, 90.0, 80.0, 70.0])).tolist() == [2, 1, 2, 4]


def test_shares_of_all_or_none_get_an_exact_binomial_bound():
    low, high = compare.logit_interval(np.array([1.0, 0.0]), np.zeros(2), np.array([10.0, 10.0]), np.array([20, 20]))
    bound = 0.025 ** (1 / 20)
    np.testing.assert_allclose([low[0], high[0], low[1], high[1]], [bound, 1.0, 0.0, 1 - bound])


def test_grades_take_the_first_bound_reached():
    grades = compare.Grades(((85.0, "A"), (60.0, "B"), (float("-inf"), "C")))
    assert [grades.of(v) for v in (85.0, 84.99, 60.0, 10.0, np.nan)] == ["A", "B", "B", "C", ""]


def test_counties_are_tiered_against_the_city_by_the_test_of_their_difference():
    diff = np.array([2.0, 2.0, -3.0, -0.5, 1.0, 0.0])
    p = np.array([0.0499, 0.05, 0.001, 0.6, np.nan, 0.0])
    assert compare.versus_all(diff, p) == ["高于全市", "持平", "低于全市", "持平", "无法检验", "持平"]
    assert compare.versus_all(diff[:1], p[:1], alpha=0.01) == ["持平"]


@pytest.mark.parametrize("index, low, high, shown", [
    (85.0, 81.0, 89.0, "良好"),
    (90.5, 88.0, 93.0, "优秀（区间跨良好）"),
    (89.5, 88.0, 91.0, "良好（区间跨优秀）"),
    (80.5, 68.0, 92.0, "良好（区间跨优秀、中等、较差）"),
    (80.0, 80.0, 84.0, "良好"),           # a bound reached is the grade's own
    (75.0, np.nan, np.nan, "中等"),        # no interval: the grade alone
    (np.nan, np.nan, np.nan, ""),
])
def test_a_grade_says_which_other_grades_its_interval_reaches(index, low, high, shown):
    assert compare.Grades().span(index, low, high) == shown
