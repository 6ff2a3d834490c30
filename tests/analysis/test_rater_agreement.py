"""ICC(A,1) and ICC(A,k) of expert panels against R.

Expected values come from `reference/icc/reference.R` (R 4.2.2, irr 0.84.1, psych 2.2.9):
`irr::icc(x, "twoway", "agreement", unit)` and the ICC2 / ICC2k rows of `psych::ICC`, by
ANOVA (lmer = FALSE) and by REML (lmer = TRUE, lme4 1.1-31).
"""
import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.rater_agreement import agreement_icc

HERE = Path(__file__).parent / "reference" / "icc"
RATINGS = pd.read_csv(HERE / "ratings.csv")
EXPECTED = pd.read_csv(HERE / "expected.csv")
CASES = list(RATINGS["case"].unique())


def ratings(case):
    """The case's targets x raters matrix, NaN where a rater gave no score."""
    return RATINGS[RATINGS["case"] == case].pivot(index="target", columns="rater", values="score").to_numpy()


def expected(case, source):
    rows = EXPECTED[(EXPECTED["case"] == case) & (EXPECTED["source"] == source)]
    return rows.set_index("unit")


def by_unit(result):
    """The result as R's rows: (icc, lower, upper) for single and average."""
    return {"single": (result.single, result.single_lower, result.single_upper),
            "average": (result.average, result.average_lower, result.average_upper)}


@pytest.mark.parametrize("case", CASES)
def test_matches_psych_icc2_and_icc2k_on_the_complete_targets(case):
    # psych::ICC(na.omit(x), lmer = FALSE)$results[c("Single_random_raters", "Average_random_raters"), ]
    got, want = agreement_icc(ratings(case)), expected(case, "psych")
    for unit, (icc, lower, upper) in by_unit(got).items():
        row = want.loc[unit]
        np.testing.assert_allclose([icc, lower, upper], row[["icc", "lower", "upper"]].to_numpy(float),
                                   atol=1e-6, rtol=0)
        np.testing.assert_allclose([got.f_value, got.p_value], row[["f", "p"]].to_numpy(float), rtol=1e-6)
        assert (got.df1, got.df2, got.n_targets, got.n_raters) == (row["df1"], row["df2"], row["n_targets"],
                                                                     row["n_raters"])


@pytest.mark.parametrize("case", CASES)
def test_matches_irr_icc_on_its_estimates_f_and_single_rater_bounds(case):
    # irr::icc(x, model = "twoway", type = "agreement", unit = "single" | "average")
    got, want = agreement_icc(ratings(case)), expected(case, "irr")
    np.testing.assert_allclose([got.single, got.single_lower, got.single_upper, got.average],
                               [*want.loc["single", ["icc", "lower", "upper"]], want.loc["average", "icc"]],
                               atol=1e-6, rtol=0)
    np.testing.assert_allclose(got.f_value, want["f"], rtol=1e-6)
    assert (got.df1, got.n_targets, got.n_raters) == (want.loc["single", "df1"], want.loc["single", "n_targets"],
                                                      want.loc["single", "n_raters"])


def test_where_irr_differs_its_v_is_the_tests_df2_and_is_taken_at_icc_a_k_for_the_average():
    # irr's p-value uses df2 = v (4.79), not (n - 1)(k - 1) = 15; its ICC(A,k) bounds use v
    # at ICC(A,k), so they are not the Spearman-Brown transform of its own ICC(A,1) bounds.
    got, irr = agreement_icc(ratings("shrout_fleiss")), expected("shrout_fleiss", "irr")
    assert got.df2 == 15 and irr.loc["single", "df2"] == pytest.approx(4.785, abs=1e-3)
    assert got.p_value < 0.001 < 0.01 < irr.loc["single", "p"]
    assert got.average_lower == pytest.approx(0.0711, abs=1e-4)
    assert irr.loc["average", "lower"] == pytest.approx(0.0394, abs=1e-4)


def test_shrout_and_fleiss_published_values():
    # Shrout & Fleiss (1979), Table 4: ICC(2,1) = .29, ICC(2,4) = .62.
    got = agreement_icc(ratings("shrout_fleiss"))
    assert (round(got.single, 2), round(got.average, 2)) == (0.29, 0.62)
    assert got.n_dropped == 0


def test_targets_with_a_missing_score_are_dropped_and_counted():
    # Expert 3 did not score county 2 (5 points) and expert 1 skipped a point: 6 of 30 dropped.
    x = ratings("missing")
    got = agreement_icc(x)
    assert (got.n_targets, got.n_raters, got.n_dropped) == (24, 4, 6)
    complete = agreement_icc(x[~np.isnan(x).any(axis=1)])
    assert (complete.single, complete.average, complete.n_dropped) == (got.single, got.average, 0)


@pytest.mark.parametrize("case", CASES)
def test_reml_matches_psych_icc_with_lmer_on_every_score(case):
    # psych::ICC(x, lmer = TRUE). lme4 stops within about 1e-5 of the REML optimum (at the
    # same REML criterion to 1e-10 its theta differs by 1e-6), hence the tolerances.
    got, want = agreement_icc(ratings(case), method="reml"), expected(case, "psych_lmer")
    for unit, (icc, lower, upper) in by_unit(got).items():
        row = want.loc[unit]
        np.testing.assert_allclose([icc, lower, upper], row[["icc", "lower", "upper"]].to_numpy(float),
                                   atol=2e-4, rtol=0)
        np.testing.assert_allclose(got.f_value, row["f"], rtol=1e-4)
        np.testing.assert_allclose(got.p_value, row["p"], rtol=1e-3)
        assert (got.df2, got.n_targets, got.n_raters, got.n_dropped) == (row["df2"], row["n_targets"],
                                                                        row["n_raters"], 0)


@pytest.mark.parametrize("case", ["shrout_fleiss", "panel", "two_raters"])
def test_reml_equals_anova_on_complete_data_whose_variance_components_are_positive(case):
    reml, anova = agreement_icc(ratings(case), method="reml"), agreement_icc(ratings(case))
    np.testing.assert_allclose([*by_unit(reml)["single"], *by_unit(reml)["average"]],
                               [*by_unit(anova)["single"], *by_unit(anova)["average"]], atol=1e-6, rtol=0)
    np.testing.assert_allclose([reml.f_value, reml.p_value], [anova.f_value, anova.p_value], rtol=1e-5)


@pytest.mark.parametrize("case", ["small", "near_zero"])
def test_reml_stops_a_negative_rater_variance_at_zero(case):
    # ANOVA's rater variance (MSC - MSE) / n is negative here; REML's is 0, so MSC = MSE.
    reml, anova = agreement_icc(ratings(case), method="reml"), agreement_icc(ratings(case))
    assert reml.single > anova.single
    assert reml.single == pytest.approx(reml.average / (reml.n_raters - (reml.n_raters - 1) * reml.average))


def test_reml_keeps_every_score_and_drops_only_targets_nobody_scored():
    x = np.vstack([ratings("missing"), np.full((1, 4), np.nan)])
    got = agreement_icc(x, method="reml")
    assert (got.n_targets, got.n_raters, got.n_dropped) == (30, 4, 1)
    assert got == dataclasses.replace(agreement_icc(x[:-1], method="reml"), n_dropped=1)


@pytest.mark.parametrize("x, message", [
    (np.ones((5, 1)), "at least 2 raters, got 1"),
    (np.array([[1.0, 2.0], [np.nan, 3.0], [4.0, np.nan]]), "at least 2 targets scored by every rater, got 1 of 3"),
    (np.ones(5), "targets x raters matrix"),
    (np.array([[1.0, np.nan], [2.0, np.nan], [3.0, np.nan]]), r"rater\(s\) 1 \(0-based columns\) scored no target"),
])
def test_bad_input_is_refused_with_a_clear_message(x, message):
    with pytest.raises(ValueError, match=message):
        agreement_icc(x)


def test_an_unknown_method_is_refused():
    with pytest.raises(ValueError, match="method must be 'anova' or 'reml', got 'ml'"):
        agreement_icc(ratings("small"), method="ml")
