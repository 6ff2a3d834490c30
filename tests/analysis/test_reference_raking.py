"""Against R's survey package 4.1.1 on the 6,000-response reference case.

Expected values were produced by `reference/raking/reference.R` (copied from
../shared/reference/raking), i.e. by these calls:

    des <- svydesign(ids=~1, strata=~county, weights=~w0, data=d)        # stratified
    des <- svydesign(ids=~channel, strata=~county, weights=~w0, data=d)  # clustered
    r <- rake(des, sample.margins=list(~county+respondent_type, ~county+area),
              population.margins=list(pm_t, pm_a), control=list(maxit=100, epsilon=1e-10))
    svyby(~index, ~county, r, svymean, deff="replace"); svymean(~index, r, deff="replace")
    svyby(~s_qNN, ~county, r, svymean, na.rm=TRUE)   # for each item
"""
import numpy as np
import pandas as pd
import pytest

from analysis import estimate, variance
from tests.helpers import REFERENCE


def design(case, clustered):
    clusters = (np.unique(case["d"]["channel"], return_inverse=True)[1] if clustered
                else np.arange(len(case["d"])))
    return variance.Design(case["weights"], case["strata"], clusters, case["cells"])


@pytest.mark.parametrize("kind", ["stratified", "clustered"])
def test_county_and_overall_index_match_r(case, kind):
    expected = pd.read_csv(REFERENCE / f"expected_{kind}" / "county_results.csv",
                           dtype={"county": str}).set_index("county")
    got = estimate.means(design(case, kind == "clustered"), case["index"])
    county = expected.loc[list(case["counties"])]
    np.testing.assert_allclose(got.mean[:, 0], county["index"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(got.se[:, 0], county["se"], rtol=1e-4)
    np.testing.assert_allclose(got.mean_all[0], expected.loc["ALL", "index"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(got.se_all[0], expected.loc["ALL", "se"], rtol=1e-4)
    np.testing.assert_array_equal(got.n[:, 0], county["n"])
    n_eff = estimate.kish_effective_n(case["weights"], case["strata"], len(case["counties"]))
    np.testing.assert_allclose(n_eff, county["n_effective"], rtol=1e-9)


@pytest.mark.parametrize("from_codes", [False, True], ids=["scores", "code counts"])
@pytest.mark.parametrize("kind", ["stratified", "clustered"])
def test_item_means_match_r(case, kind, from_codes):
    expected = pd.read_csv(REFERENCE / f"expected_{kind}" / "item_results.csv", dtype={"county": str})
    if from_codes:
        (got,) = estimate.code_means(design(case, kind == "clustered"), case["codes"], [case["table"]])
    else:
        got = estimate.means(design(case, kind == "clustered"), case["scores"])
    rows = [list(case["counties"]).index(c) for c in expected["county"]]
    cols = [case["items"].index(i) for i in expected["item"]]
    np.testing.assert_allclose(got.mean[rows, cols], expected["mean"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(got.se[rows, cols], expected["se"], rtol=1e-4)


# The headline figures, as R printed them (reference.R):
#   svymean(~index, r)                        stratified: 80.9078937526548  SE 0.551226095463679
#                                             clustered:  80.9078937526548  SE 0.889992877280716
#   svyby(~index, ~county, r, svymean)[1, ]   511502:     76.1360783325349  SE 1.04824879092175 / 1.77216961190077
@pytest.mark.parametrize("kind, se_all, se_first", [("stratified", 0.551226095463679, 1.04824879092175),
                                                    ("clustered", 0.889992877280716, 1.77216961190077)])
def test_headline_figures_as_r_printed_them(case, kind, se_all, se_first):
    got = estimate.means(design(case, kind == "clustered"), case["index"])
    first = list(case["counties"]).index("511502")
    assert got.mean_all[0] == pytest.approx(80.9078937526548, abs=1e-6)
    assert got.se_all[0] == pytest.approx(se_all, rel=1e-4)
    assert got.mean[first, 0] == pytest.approx(76.1360783325349, abs=1e-6)
    assert got.se[first, 0] == pytest.approx(se_first, rel=1e-4)


def test_raking_meets_every_margin(case):
    d, w = case["d"], case["weights"]
    targets = pd.read_csv(REFERENCE / "targets.csv", dtype={"county": str})
    for variable in ("respondent_type", "area"):
        totals = pd.Series(w).groupby([d["county"], d[variable]]).sum()
        wanted = targets[targets.variable == variable].set_index(["county", "category"]).population
        np.testing.assert_allclose(totals.loc[wanted.index], wanted, rtol=1e-9)
