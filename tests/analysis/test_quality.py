"""Quality rules on their own: what is flagged, what is excluded, and the counts per county."""
import numpy as np
import pytest

from analysis import quality
from analysis.inputs import encode

NA = 9   # 不了解 in the default questionnaire


def straightlined(rows):
    codes = np.array(rows, dtype=np.int8)
    return quality.straightlined(codes, np.isin(codes, [1, 2, 3, 4, 5])).tolist()


def test_straightlining_counts_scored_answers_only():
    assert straightlined([[5, 5, 5, 5], [5, 5, 5, NA], [5, 5, 4, 5], [5, NA, NA, NA], [-1, -1, -1, -1],
                          [3, -1, 3, NA]]) == [True, True, False, False, False, True]


def test_one_response_is_judged_as_the_arrays_judge_it():
    rng = np.random.default_rng(3)
    codes = rng.choice(np.array([-1, 1, 2, 5, NA], dtype=np.int8), size=(2000, 4), p=[0.1, 0.05, 0.05, 0.6, 0.2])
    expected = quality.straightlined(codes, np.isin(codes, [1, 2, 3, 4, 5]))
    assert expected.any() and not expected.all()
    assert [quality.straightlined_response(row.tolist(), (1, 2, 3, 4, 5)) for row in codes] == expected.tolist()


def responses(questionnaire, durations, ids=None, county=None):
    n = len(durations)
    frame = {"response_id": ids or [f"r{i}" for i in range(n)], "county": county or ["511502"] * n,
             "duration_s": durations}
    frame |= {item: [4.0] * n for item in questionnaire.item_ids}
    return encode(frame, questionnaire, [], None)


def found(data, settings=quality.QualitySettings()):
    return quality.flags(data, data.codes >= 0, settings)


def test_speeders_are_below_the_floor_or_a_share_of_the_median(questionnaire):
    data = responses(questionnaire, [59, 61, 1000, 1000, 1000, float("nan")])
    result = found(data)
    assert result.speeder_threshold_s == 300      # 0.3 x median 1000 > the 60 s floor
    assert result.rules["speeder"].tolist() == [True, True, False, False, False, True]  # no time: too fast


def test_every_repeat_of_an_id_after_the_first_is_a_duplicate(questionnaire):
    data = responses(questionnaire, [100] * 5, ids=["a", "b", "a", "c", "a"])
    assert found(data).rules["duplicate_id"].tolist() == [False, False, True, False, True]


def test_only_chosen_rules_exclude_but_too_few_items_always_does(questionnaire):
    data = responses(questionnaire, [10, 100, 100])
    data.codes[2, 2:] = -1                        # two items answered, below min_items_answered
    settings = quality.QualitySettings(exclude=frozenset(), min_items_answered=8)
    result = quality.flags(data, data.codes >= 0, settings)
    assert result.excluded(settings).tolist() == [False, False, True]
    with_speeders = quality.QualitySettings(exclude=frozenset({"speeder"}), min_items_answered=8)
    assert result.excluded(with_speeders).tolist() == [True, False, True]


def test_report_counts_each_rule_per_county_and_in_all(questionnaire):
    data = responses(questionnaire, [10, 100, 10], county=["511502", "511503", "511503"])
    settings = quality.QualitySettings()
    result = found(data, settings)
    table = quality.report(data.county.codes, data.county.labels, result, result.excluded(settings))
    assert table["county"].tolist() == ["511502", "511503", "ALL"]
    assert table["speeder"].tolist() == [1, 1, 2] and table["straightline"].tolist() == [1, 2, 3]
    assert table["used"].tolist() == [0, 1, 1] and table["excluded"].tolist() == [1, 1, 2]


def test_unknown_rules_are_named():
    with pytest.raises(ValueError, match="未知的质量规则：bogus"):
        quality.QualitySettings(exclude=frozenset({"speeder", "bogus"}))


def test_settings_for_a_questionnaire_take_its_minimum_time_and_items(questionnaire):
    settings = quality.QualitySettings.for_questionnaire(questionnaire)
    assert settings.speeder_floor_s == questionnaire.quality.min_seconds
    assert settings.min_items_answered == questionnaire.quality.min_items_answered
    assert settings.exclude == quality.QualitySettings().exclude
    assert quality.QualitySettings.for_questionnaire(questionnaire, frozenset(), 3).exclude == frozenset()
