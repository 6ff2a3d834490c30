"""Domains, shares, design effects, post-stratification and Fay-Herriot against R.

Expected values come from `reference/estimands/reference.R` (R survey 4.1-1, metafor 3.8-1)
on the raking reference case; each test names the R call above its comparison.
"""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import questionnaires
from analysis import estimate, job, quality, shrinkage
from analysis.scoring import lookup_table
from analysis.variance import Design

HERE = Path(__file__).parent / "reference"
KEEP_ALL = quality.QualitySettings(exclude=frozenset(), min_items_answered=1)


def expected(name):
    return pd.read_csv(HERE / "estimands" / name, dtype={"county": str})


@pytest.fixture(scope="module")
def inputs(reference):
    return reference.responses, reference.targets, reference.item_weights


def analyze(inputs, targets=None, **settings):
    responses, all_targets, item_weights = inputs
    return job.analyze(responses, questionnaires.load("county_education_satisfaction"),
                       all_targets if targets is None else targets,
                       job.Settings(item_weights=item_weights, quality=KEEP_ALL, **settings))


@pytest.fixture(scope="module")
def raked(inputs):
    return analyze(inputs, shrinkage=True)


def test_index_by_respondent_type_within_county_matches_r(raked):
    # svyby(~index, ~county+respondent_type, r, svymean)
    want = expected("domains.csv")
    got = raked.breakdowns.to_pandas()
    got = got[got.attribute == "respondent_type"].set_index(["county", "category"])
    got = got.loc[list(zip(want["county"], want["respondent_type"]))]
    np.testing.assert_allclose(got["index"], want["index"], atol=1e-6, rtol=0)
    np.testing.assert_allclose(got["se"], want["se"], rtol=1e-4)


def test_design_effects_match_r(raked):
    # svyby(~index, ~county, r, svymean, deff="replace")
    want = expected("deff.csv")
    got = raked.county_results.to_pandas().set_index("county").loc[want["county"]]
    np.testing.assert_allclose(got["deff"], want["deff"], rtol=1e-4)


def test_share_satisfied_matches_r(raked, inputs):
    # svyby(~I(100 * (qNN >= 4)), ~county, r, svymean, na.rm=TRUE, deff="replace") / 100
    want = expected("shares.csv")
    got = raked.item_results.to_pandas().set_index(["county", "item"]).loc[list(zip(want["county"], want["item"]))]
    np.testing.assert_allclose(got["share_satisfied"], want["share"], atol=1e-8, rtol=0)
    np.testing.assert_allclose(got["share_satisfied_se"], want["se"], rtol=1e-4)


def test_share_design_effects_from_code_counts_match_r(case):
    # Same R call; the estimator straight from answer codes.
    design = Design(case["weights"], case["strata"], np.arange(len(case["d"])), case["cells"])
    satisfied = lookup_table({1: 0.0, 2: 0.0, 3: 0.0, 4: 100.0, 5: 100.0}, 6)
    columns = [case["items"].index("q01"), case["items"].index("q09")]
    (got,) = estimate.code_means(design, case["codes"][:, columns], [satisfied])
    want = expected("shares.csv")
    for j, item in enumerate(["q01", "q09"]):
        rows = want[want["item"] == item]
        np.testing.assert_allclose(got.mean[[list(case["counties"]).index(c) for c in rows["county"]], j] / 100,
                                   rows["share"], atol=1e-8, rtol=0)
        np.testing.assert_allclose(got.deff[[list(case["counties"]).index(c) for c in rows["county"]], j],
                                   rows["deff"], rtol=1e-4)


def test_one_margin_matches_r_post_stratification(inputs):
    # postStratify(des, ~county+area, population); svyby(~index, ~county, ps, svymean)
    _, targets, _ = inputs
    result = analyze(inputs, targets=targets[targets["variable"] == "area"])
    assert result.record["weighting"]["method"] == "post-stratification within county"
    want = expected("poststratified.csv")
    got = result.county_results.to_pandas().set_index("county").loc[want["county"]]
    np.testing.assert_allclose(got["index"], want["index"], atol=1e-6, rtol=0)
    np.testing.assert_allclose(got["se"], want["se"], rtol=1e-4)


def test_fay_herriot_matches_metafor_reml(raked):
    # fit <- rma(yi=index, vi=SE^2, method="REML"); blup(fit)
    want = expected("fay_herriot.csv")
    fit = shrinkage.fay_herriot(want["direct"].to_numpy(), want["variance"].to_numpy())
    np.testing.assert_allclose(fit.model_variance, want["tau2"][0], rtol=1e-6)
    np.testing.assert_allclose(fit.mean, want["mu"][0], atol=1e-6, rtol=0)
    np.testing.assert_allclose(fit.estimate, want["blup"], atol=1e-6, rtol=0)
    # metafor's BLUP SE is sqrt(g1 + g2); the reported MSE adds Prasad-Rao's 2 g3 for an
    # estimated model variance (hand calculation from R's tau2).
    d, a = want["variance"].to_numpy(), want["tau2"][0]
    g3 = d ** 2 / (a + d) ** 3 * 2 / np.sum(1 / (a + d) ** 2)
    np.testing.assert_allclose(fit.se, np.sqrt(want["blup_se"] ** 2 + 2 * g3), rtol=1e-6)
    np.testing.assert_allclose(fit.shrinkage, d / (a + d), rtol=1e-6)
    got = raked.county_results.to_pandas().set_index("county").loc[want["county"]]
    np.testing.assert_allclose(got["index_shrunk"], want["blup"], atol=1e-6, rtol=0)
    assert ((got["shrinkage"] > 0) & (got["shrinkage"] < 1)).all()


def test_fay_herriot_with_no_spread_shrinks_fully_to_the_mean():
    fit = shrinkage.fay_herriot(np.array([80.0, 80.0, 80.0, 80.0]), np.array([1.0, 2.0, 1.5, 0.5]))
    assert fit.model_variance == 0
    np.testing.assert_allclose(fit.estimate, 80.0)
    np.testing.assert_allclose(fit.shrinkage, 1.0)
