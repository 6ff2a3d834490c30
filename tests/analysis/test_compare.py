"""Comparisons: multiple-testing adjustments, p-values, rank intervals, grades."""
import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from analysis import compare


@pytest.mark.parametrize("ours, theirs", [(compare.holm, "holm"), (compare.benjamini_hochberg, "fdr_bh")])
def test_adjusted_p_values_equal_statsmodels(ours, theirs):
    rng = np.random.default_rng(7)
    p = np.concatenate([rng.uniform(0, 0.05, 6), rng.uniform(0, 1, 10), [0.01, 0.01, 1.0]])  # ties too
    np.testing.assert_allclose(ours(p), multipletests(p, method=theirs)[1], rtol=1e-12)


def test_two_sided_p_values_equal_scipy():
    z = np.array([-3.1, -1.96, 0.0, 0.5, 2.4, np.nan])
    np.testing.assert_allclose(compare.normal_p(z), 2 * stats.norm.sf(np.abs(z)), rtol=1e-12)


def test_rank_intervals_test_each_countys_comparisons_with_bonferroni():
    # Three counties: A is 3.0 above B with SE 1 each, so z = 3 / sqrt(2) = 2.12 -- beyond
    # 1.96, but within 2.24, the two-sided 5% / 2 comparisons point. C is far below both.
    mean, se = np.array([3.0, 0.0, -100.0]), np.ones(3)
    low, high = compare.rank_intervals(mean, se)
    assert low.tolist() == [1, 1, 3] and high.tolist() == [2, 2, 3]
    low, high = compare.rank_intervals(mean + np.array([1.0, 0, 0]), se)  # z = 2.83: now A beats B
    assert low.tolist() == [1, 2, 3] and high.tolist() == [1, 2, 3]


def test_a_county_without_an_se_can_hold_any_rank_and_is_never_significantly_apart():
    low, high = compare.rank_intervals(np.array([90.0, 80.0, 70.0]), np.array([0.1, np.nan, 0.1]))
    assert low.tolist() == [1, 1, 2] and high.tolist() == [2, 3, 3]


def test_ties_share_the_better_rank():
    assert compare.ranks(np.array([80.0, 90.0, 80.0, 70.0])).tolist() == [2, 1, 2, 4]


def test_grades_take_the_first_bound_reached():
    grades = compare.Grades(((85.0, "A"), (60.0, "B"), (float("-inf"), "C")))
    assert [grades.of(v) for v in (85.0, 84.99, 60.0, 10.0, np.nan)] == ["A", "B", "B", "C", ""]
