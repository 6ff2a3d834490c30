"""Degrees of freedom, t and logit intervals, design-based effective n and comparisons
with the whole, against R on a design where some counties have 2 or 3 clusters.

Expected values come from `reference/intervals/reference.R` (R survey 4.1-1): the raking
reference case with clusters = channel.
"""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import questionnaires
from analysis import job, quality

HERE = Path(__file__).parent / "reference" / "intervals"
KEEP_ALL = quality.QualitySettings(exclude=frozenset(), min_items_answered=1)


def expected(name):
    return pd.read_csv(HERE / name, dtype={"county": str})


@pytest.fixture(scope="module")
def clustered(reference):
    return job.analyze(reference.responses, questionnaires.load("county_education_satisfaction"), reference.targets,
                       job.Settings(item_weights=reference.item_weights, quality=KEEP_ALL, cluster="channel"))


def test_county_and_city_intervals_use_the_designs_degrees_of_freedom(clustered):
    # degf(subset(r, county == c)); confint(svymean(~index, sub), df = degf(sub)); the same for r
    want = expected("county_intervals.csv")
    got = clustered.county_results.to_pandas().set_index("county").loc[want["county"]]
    np.testing.assert_array_equal(got["df"], want["df"])
    np.testing.assert_array_equal(got["psu"], want["df"] + np.r_[np.ones(len(want) - 1), 10])
    np.testing.assert_allclose(got["index"], want["index"], atol=1e-6, rtol=0)
    for column in ("se", "deff", "n_effective"):
        np.testing.assert_allclose(got[column], want[column], rtol=1e-4)
    # Intervals end at the scale's ends (R's reaches 126.6 for 511523, with 2 channels).
    half_width = want["ci_high"] - want["index"]
    np.testing.assert_allclose(got["ci_high"] - got["index"], np.minimum(half_width, 100 - want["index"]), rtol=1e-4)
    np.testing.assert_allclose(got["index"] - got["ci_low"], np.minimum(half_width, want["index"]), rtol=1e-4)
    assert got.loc["511523", "ci_high"] == 100 and want["ci_high"].max() > 100


def test_imprecision_follows_the_design_not_the_weights(clustered):
    # 511529 has 2 channels and a design effect of 0.19: Kish's figure is below 100, yet
    # the design's effective n is 935; it is imprecise for its 2 clusters. 511502 has 13
    # channels but a design effect of 8.9: n 1,049 shrinks to 117.
    table = clustered.county_results.to_pandas().set_index("county")
    assert table.loc["511529", "n_effective"] > 900 and table.loc["511529", "imprecise"] == 1
    assert table.loc["511502", "n_effective"] < 120 < table.loc["511502", "n_effective_kish"]
    assert table.loc["511502", "imprecise"] == 0
    assert table.loc[["511523", "511525", "511527", "511529"], "imprecise"].tolist() == [1, 1, 1, 1]
    assert any("少于 5 个渠道（整群）" in notice and "511529" in notice for notice in clustered.record["notices"])


def test_each_county_against_the_whole_is_a_t_test_with_the_countys_df(clustered):
    want = expected("versus_all.csv")
    got = clustered.county_results.to_pandas().set_index("county").loc[want["county"]]
    np.testing.assert_allclose(got["diff_vs_all"], want["diff"], atol=1e-6, rtol=0)
    np.testing.assert_allclose(got["se_diff"], want["se_diff"], rtol=1e-4)
    np.testing.assert_allclose(got["p_vs_all"], want["p"], rtol=1e-3)


def test_share_intervals_are_on_the_logit_scale_with_the_designs_df(clustered):
    # svyciprop(~sat, subset(sub, answered), method = "logit", df = degf(sub)), and the
    # same interval by the delta method where svyciprop's svyglm needs df >= 2
    want = expected("share_intervals.csv")
    got = clustered.item_results.to_pandas().set_index(["county", "item"]).loc[list(zip(want["county"], want["item"]))]
    np.testing.assert_array_equal(got["df"], want["df"])
    np.testing.assert_allclose(got["share_satisfied"], want["share"], atol=1e-8, rtol=0)
    np.testing.assert_allclose(got["share_satisfied_ci_low"], want["delta_low"], rtol=1e-4)
    np.testing.assert_allclose(got["share_satisfied_ci_high"], want["delta_high"], rtol=1e-4)
    fitted = want["logit_low"].notna().to_numpy()
    np.testing.assert_allclose(got["share_satisfied_ci_low"][fitted], want["logit_low"][fitted], rtol=1e-4)
    np.testing.assert_allclose(got["share_satisfied_ci_high"][fitted], want["logit_high"][fitted], rtol=1e-4)
    assert (got["share_satisfied_ci_high"] < 1).all() and (got["share_satisfied_ci_low"] > 0).all()
