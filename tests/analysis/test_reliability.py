"""Weighted Cronbach's alpha and key drivers against direct formulas."""
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from analysis import reliability
from analysis.scoring import lookup_table

TABLE = lookup_table({1: 0.0, 2: 25.0, 3: 50.0, 4: 75.0, 5: 100.0}, 7)   # code 6 = 不了解


@pytest.fixture(scope="module")
def codes():
    rng = np.random.default_rng(11)
    trait = rng.normal(size=(3000, 1))
    codes = np.clip(np.round(3.5 + trait + rng.normal(scale=0.9, size=(3000, 6))), 1, 5).astype(np.int8)
    codes[rng.uniform(size=codes.shape) < 0.05] = 6
    return codes


def alpha(codes, weights, strata, counties):
    moments = reliability.Moments.of(codes, TABLE, weights, strata, len(counties))
    return reliability.cronbach_table(moments, np.array(counties, dtype=object))


def classic_alpha(scores: pd.DataFrame) -> float:
    k = scores.shape[1]
    return k / (k - 1) * (1 - scores.var().sum() / scores.sum(axis=1).var())


def test_unit_weight_alpha_is_the_classic_formula_on_complete_responses(codes):
    strata = np.arange(len(codes)) % 2
    result = alpha(codes, np.ones(len(codes)), strata, ["a", "b"])
    complete = pd.DataFrame(TABLE[codes]).dropna()
    assert result["n_complete"][-1] == len(complete)
    assert result["alpha"][-1] == pytest.approx(classic_alpha(complete), rel=1e-10)
    first = pd.DataFrame(TABLE[codes[strata == 0]]).dropna()
    assert result["alpha"][0] == pytest.approx(classic_alpha(first), rel=1e-10)


def test_integer_weights_equal_repeated_responses(codes):
    weights = np.random.default_rng(3).integers(1, 4, len(codes)).astype(float)
    strata = np.zeros(len(codes), dtype=np.int64)
    weighted = alpha(codes, weights, strata, ["a"])
    repeated = np.repeat(codes, weights.astype(int), axis=0)
    plain = alpha(repeated, np.ones(len(repeated)), np.zeros(len(repeated), dtype=np.int64), ["a"])
    assert weighted["alpha"][0] == pytest.approx(plain["alpha"][0], rel=1e-10)


def test_importance_is_the_correlation_with_the_index_of_the_other_items(codes):
    item_weights = np.array([1.0, 2.0, 1.0, 1.0, 3.0, 1.0])
    importance = reliability.correlation_with_rest(codes, TABLE, np.ones(len(codes)), item_weights)
    scores = TABLE[codes]
    for j in range(6):
        others = np.delete(np.arange(6), j)
        s, w = scores[:, others], item_weights[others]
        rest = np.nansum(s * w, axis=1) / (~np.isnan(s) @ w)
        ok = ~np.isnan(scores[:, j]) & ~np.isnan(rest)
        assert importance[j] == pytest.approx(np.corrcoef(scores[ok, j], rest[ok])[0, 1], rel=1e-10)


def test_relative_weights_split_the_r_squared_of_statsmodels_weighted_regression(codes):
    weights = np.random.default_rng(5).uniform(0.5, 3, len(codes))
    strata = np.arange(len(codes)) % 3
    shares, r_squared = reliability.relative_weights(reliability.Moments.of(codes, TABLE, weights, strata, 3), 5)
    scores = TABLE[codes]
    complete = ~np.isnan(scores).any(axis=1)
    fit = sm.WLS(scores[complete, 5], sm.add_constant(scores[complete, :5]), weights=weights[complete]).fit()
    assert r_squared == pytest.approx(fit.rsquared, rel=1e-9)
    assert np.isnan(shares[5]) and np.nansum(shares) == pytest.approx(1.0, rel=1e-12)
    assert (shares[:5] > 0).all()


def test_relative_weights_of_uncorrelated_items_are_their_squared_correlations():
    # Items 0 and 1 take every pair of values equally often, so they are uncorrelated.
    first, second = np.meshgrid(np.arange(1, 6), np.arange(1, 6))
    codes = np.column_stack([first.ravel(), second.ravel(), np.zeros(25)]).astype(np.int8)
    codes[:, 2] = np.clip(np.round((codes[:, 0] * 2 + codes[:, 1]) / 3), 1, 5)
    moments = reliability.Moments.of(codes, TABLE, np.ones(25), np.zeros(25, dtype=np.int64), 1)
    shares, r_squared = reliability.relative_weights(moments, 2)
    scores = TABLE[codes]
    squared = [np.corrcoef(scores[:, j], scores[:, 2])[0, 1] ** 2 for j in (0, 1)]
    np.testing.assert_allclose(shares[:2] * r_squared, squared, rtol=1e-10)


def test_the_importance_performance_table_is_ordered_and_split_at_medians():
    table = reliability.importance_performance(["a", "b", "c", "d", "e"], np.array([0.9, 0.1, 0.5, np.nan, 0.3]),
                                               np.array([60.0, 90.0, 80.0, 70.0, 70.0]))
    assert list(table["item"]) == ["a", "c", "e", "b"]
    assert dict(zip(table["item"], table["quadrant"])) == {"a": "优先改进", "c": "继续保持", "e": "次要改进",
                                                           "b": "维持现状"}


def test_relative_weights_of_an_item_nobody_varies_on_are_missing_not_an_error():
    codes = np.full((10, 3), 5, dtype=np.int8)
    codes[:5, 0] = 3
    moments = reliability.Moments.of(codes, TABLE, np.ones(10), np.zeros(10, dtype=np.int64), 1)
    shares, r_squared = reliability.relative_weights(moments, 2)
    assert np.isnan(shares).all() and np.isnan(r_squared)
    assert reliability.importance_performance(["a", "b", "c"], shares, np.ones(3)).n_rows == 0
