"""Population targets on their own: validation messages, populations, fingerprint, raking margins."""
import numpy as np
import pytest

from analysis import targets
from analysis.inputs import Factor
from analysis.weighting import WeightingError


def table(*rows):
    return {name: [row[i] for row in rows] for i, name in enumerate(targets.COLUMNS)}


GOOD = table(("511502", "area", "urban", 60), ("511502", "area", "rural", 40),
             ("511502", "type", "parent", 30), ("511502", "type", "public", 70),
             ("511503", "area", "urban", 20), ("511503", "area", "rural", 30),
             ("511503", "type", "parent", 10), ("511503", "type", "public", 40))


@pytest.mark.parametrize("bad, words", [
    ({k: v for k, v in GOOD.items() if k != "population"}, "缺少列：population"),
    (table(("511502", "area", "urban", "很多")), "第 2 行：人口数“很多”无效"),
    (table(("511502", "area", "urban", -1)), "第 2 行：人口数“-1”无效"),
    (table(("511502", "area", "urban", 1), ("511502", "area", "urban", 2)), "第 3 行：511502/area/urban 重复"),
    (table(("511502", "area", "urban", 100), ("511502", "type", "parent", 90)), "区县 511502 各变量的人口合计不一致"),
    # One person in two million: raking could never meet both margins, so it is named, not left to fail.
    (table(("511502", "area", "urban", 2_000_000), ("511502", "type", "parent", 2_000_001)),
     "区县 511502 各变量的人口合计不一致：area 合计 2,000,000，type 合计 2,000,001"),
])
def test_bad_targets_are_refused_with_the_row_or_county(bad, words):
    with pytest.raises(WeightingError, match=words):
        targets.validate(bad)


def test_county_population_is_the_total_of_a_variable():
    assert targets.county_populations(targets.validate(GOOD)) == {"511502": 100, "511503": 50}


def test_fingerprint_ignores_row_order_but_not_numbers():
    reordered = {k: v[::-1] for k, v in GOOD.items()}
    changed = {**GOOD, "population": [61, 39, *GOOD["population"][2:]]}
    fingerprint = targets.fingerprint(targets.validate(GOOD))
    assert fingerprint == targets.fingerprint(targets.validate(reordered))
    assert fingerprint != targets.fingerprint(targets.validate(changed))


def areas(*labels):
    return {"area": Factor.of(list(labels))}


def test_margins_have_a_cell_per_county_and_category():
    county = Factor.of(["511502", "511502", "511503", "511503"])
    attributes = areas("urban", "rural", "urban", "rural") | {"type": Factor.of(["parent", "public"] * 2)}
    [margin, _], notes = targets.margins(targets.validate(GOOD), county, attributes, np.arange(2, 6))
    assert notes == [] and margin.variable == "area"
    assert [margin.labels[c] for c in margin.cells] == [("511502", "urban"), ("511502", "rural"),
                                                        ("511503", "urban"), ("511503", "rural")]
    np.testing.assert_array_equal(margin.targets[margin.cells], [60, 40, 20, 30])


def test_an_empty_cell_joins_its_neighbour_or_is_refused():
    area_only = table(("511502", "area", "urban", 60), ("511502", "area", "town", 15),
                      ("511502", "area", "rural", 25))
    county = Factor.of(["511502", "511502"])
    [margin], [note] = targets.margins(targets.validate(area_only), county, areas("urban", "town"), np.arange(2, 4))
    assert note.county == "511502" and "区县 511502：area为“rural”的没有答卷，加权时并入“town”" in note.text
    np.testing.assert_array_equal(margin.targets[margin.cells], [60, 40])
    with pytest.raises(WeightingError, match="区县 511502 的area为“rural”"):
        targets.margins(targets.validate(area_only), county, areas("urban", "town"), np.arange(2, 4),
                        collapse_empty=False)


def test_a_category_missing_from_the_targets_names_the_line():
    county = Factor.of(["511502", "511502"])
    area_only = table(("511502", "area", "urban", 60), ("511502", "area", "rural", 40))
    with pytest.raises(WeightingError, match="答卷第 3 行：区县 511502 的area为“suburb”，不在人口目标中"):
        targets.margins(targets.validate(area_only), county, areas("urban", "suburb"), np.arange(2, 4))
