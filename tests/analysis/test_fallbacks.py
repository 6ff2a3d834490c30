"""Small counties whose margins cannot all be met: the documented fallbacks, against R."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import questionnaires
from analysis import fallbacks, job, quality
from analysis.weighting import Margin, WeightingError

HERE = Path(__file__).parent / "reference" / "small_sample"
KEEP_ALL = quality.QualitySettings(exclude=frozenset(), min_items_answered=1)


@pytest.fixture(scope="module")
def small():
    responses = pd.read_csv(HERE / "responses.csv", dtype={"county": str, "channel": str})
    targets = pd.read_csv(HERE / "targets.csv", dtype={"county": str})
    return job.analyze(responses, questionnaires.load("county_education_satisfaction"), targets,
                       job.Settings(quality=KEEP_ALL, cluster="channel"))


def test_counties_that_cannot_meet_both_margins_collapse_sparse_categories_and_match_r(small):
    # reference.R: the same merges coded as recodes, then rake(); svyby(~index, ~county, r, svymean)
    notes = small.record["weighting"]["fallbacks"]
    assert notes == [
        "区县 511526 的 37 份答卷无法同时满足“您的身份是”、“您居住在”的人口目标：加权时将 "
        "“您的身份是”为“其他群众”的 4 份并入“教师”",
        "区县 511527 的 14 份答卷无法同时满足“您的身份是”、“您居住在”的人口目标：加权时将 "
        "“您的身份是”为“学生”的 1 份并入“其他群众”，“您的身份是”为“其他群众”的 3 份并入“家长”"]
    assert set(notes) <= set(small.record["notices"])
    want = pd.read_csv(HERE / "weights.csv").set_index("response_id")["weight"]
    got = small.weights.to_pandas().set_index("response_id")["weight"]
    np.testing.assert_allclose(got.loc[want.index], want, rtol=1e-8)
    want = pd.read_csv(HERE / "county_results.csv", dtype={"county": str})
    got = small.county_results.to_pandas().set_index("county").loc[want["county"]]
    np.testing.assert_allclose(got["index"], want["index"], atol=1e-6, rtol=0)
    np.testing.assert_allclose(got["se"], want["se"], rtol=1e-4)


def margins_of(county_cells, targets, variable="type"):
    labels = [("A", f"c{j}") for j in range(len(targets))]
    return Margin(variable, np.asarray(county_cells), np.asarray(targets, dtype=float), labels)


def test_without_sparse_categories_a_county_is_post_stratified_on_fewer_margins():
    # 40 respondents: type x area = (0, urban) 20, (1, rural) 20. Type 1 is all rural, yet
    # type 1 is 80% of the population and rural 20%: no weights meet both, and no category
    # is sparse enough to merge. The county is post-stratified on type, the first variable.
    n = 40
    type_, area = np.repeat([0, 1], 20), np.repeat([0, 1], 20)
    margins = [margins_of(type_, [200, 800]), margins_of(area, [800, 200], "area")]
    result, used, notes = fallbacks.rake_with_fallbacks(np.full(n, 25.0), margins)
    assert notes == [("A", "区县 A 的 40 份答卷无法同时满足type、area的人口目标：改为只按type事后分层（不再按area加权）")]
    np.testing.assert_allclose(result.weights, np.repeat([10.0, 40.0], 20))
    assert [len(m.targets) for m in used] == [2, 1]


def test_a_county_that_no_fallback_can_weight_is_named_with_its_cells():
    weights = np.r_[np.zeros(20), np.full(20, 1.0)]        # a category whose weights are all zero
    margins = [margins_of(np.repeat([0, 1], 20), [500, 500])]
    with pytest.raises(WeightingError, match=r"区县 A .*无法满足的单元：type为“c0”（20 份，人口 500）"):
        fallbacks.rake_with_fallbacks(weights, margins)
