"""Answers that do not vary: rounding must not become ranks, tests or design effects."""
import warnings

import numpy as np
import pytest

from analysis import job, quality

KEEP_ALL = quality.QualitySettings(exclude=frozenset(), min_items_answered=1)


@pytest.fixture
def flat(reference):
    """The reference case with two counties where everyone answers 5, one of them of two
    responses, and a third county of two responses that differ."""
    d = reference.responses.copy()
    items = list(reference.item_weights)
    d.loc[d["county"] == "511502", items] = 5
    tiny = d.index[d["county"] == "511503"][2:]
    d = d.drop(tiny)
    d.loc[d["county"] == "511503", items] = 5
    two = d.index[d["county"] == "511504"][2:]
    return d.drop(two).reset_index(drop=True)


def analyze(responses, questionnaire, targets):
    with warnings.catch_warnings():
        warnings.simplefilter("error")         # no numpy warning may reach the screen
        return job.analyze(responses, questionnaire, targets, job.Settings(quality=KEEP_ALL))


@pytest.mark.parametrize("weighted", [True, False])
def test_a_county_whose_answers_do_not_vary_gets_no_test_and_a_full_rank_interval(
        flat, questionnaire, reference, weighted):
    result = analyze(flat, questionnaire, reference.targets.loc[lambda t: t.variable == "area"] if weighted else None)
    table = result.county_results.to_pandas().set_index("county")
    k = len(table) - 1
    for county in ("511502", "511503"):
        row = table.loc[county]
        assert row["index"] == pytest.approx(100.0, abs=1e-9)
        assert row["se"] == 0 and np.isnan(row["deff"]) and np.isnan(row["p_vs_all"])
        assert (row["rank_low"], row["rank_high"]) == (1, k)
    assert table.loc["511502", "rank"] == table.loc["511503", "rank"] == 1      # a tie, not 1 and 2
    assert (table.loc["511504", "rank_low"], table.loc["511504", "rank_high"]) == (1, k)   # two responses
    notices = " ".join(result.record["notices"])
    assert "没有差异" in notices and "511502" in notices and "511503" in notices
    problems = result.problems.to_pandas()
    assert not problems["county"].isin(["511502", "511503"]).any()
    assert "inf" not in result.county_results.to_pandas().to_csv()


def test_an_item_everyone_answers_alike_everywhere_is_never_significantly_apart(reference, questionnaire):
    d = reference.responses.copy()
    d["q05"] = 5
    result = analyze(d, questionnaire, None)
    items = result.item_results.to_pandas().set_index("item").loc["q05"]
    assert (items["se"] == 0).all() and items["deff"].isna().all()
    assert (items["share_satisfied_ci_low"] > 0.9).all() and (items["share_satisfied_ci_high"] == 1).all()
    assert "q05" not in set(result.problems["item"])
