"""Weighted Cronbach's alpha and key drivers against direct formulas."""
import numpy as np
import pandas as pd
import pytest

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


def classic_alpha(scores: pd.DataFrame) -> float:
    k = scores.shape[1]
    return k / (k - 1) * (1 - scores.var().sum() / scores.sum(axis=1).var())


def test_unit_weight_alpha_is_the_classic_formula_on_complete_responses(codes):
    strata = np.arange(len(codes)) % 2
    result = reliability.cronbach_table(codes, TABLE, np.ones(len(codes)), strata, np.array(["a", "b"]))
    complete = pd.DataFrame(TABLE[codes]).dropna()
    assert result["n_complete"][-1] == len(complete)
    assert result["alpha"][-1] == pytest.approx(classic_alpha(complete), rel=1e-10)
    first = pd.DataFrame(TABLE[codes[strata == 0]]).dropna()
    assert result["alpha"][0] == pytest.approx(classic_alpha(first), rel=1e-10)


def test_integer_weights_equal_repeated_responses(codes):
    weights = np.random.default_rng(3).integers(1, 4, len(codes)).astype(float)
    strata = np.zeros(len(codes), dtype=np.int64)
    weighted = reliability.cronbach_table(codes, TABLE, weights, strata, np.array(["a"]))
    repeated = np.repeat(codes, weights.astype(int), axis=0)
    plain = reliability.cronbach_table(repeated, TABLE, np.ones(len(repeated)), np.zeros(len(repeated), dtype=np.int64),
                                       np.array(["a"]))
    assert weighted["alpha"][0] == pytest.approx(plain["alpha"][0], rel=1e-10)


def test_importance_is_the_correlation_with_the_index_of_the_other_items(codes):
    item_weights = np.array([1.0, 2.0, 1.0, 1.0, 3.0, 1.0])
    ids = [f"q{j}" for j in range(6)]
    table = reliability.drivers(codes, TABLE, np.ones(len(codes)), ids, item_weights, np.arange(6.0))
    importance = dict(zip(table["item"], table["importance"]))
    scores = TABLE[codes]
    for j in range(6):
        others = np.delete(np.arange(6), j)
        s, w = scores[:, others], item_weights[others]
        rest = np.nansum(s * w, axis=1) / (~np.isnan(s) @ w)
        ok = ~np.isnan(scores[:, j]) & ~np.isnan(rest)
        assert importance[ids[j]] == pytest.approx(np.corrcoef(scores[ok, j], rest[ok])[0, 1], rel=1e-10)
    assert list(table["importance"]) == sorted(table["importance"], reverse=True)
