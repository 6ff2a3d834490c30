"""The demo looks like a real campaign: one QR code per school, answers alike within a school by a
few percent, and rankings that can tell counties apart."""
from datetime import datetime

import pandas as pd
import pytest

import questionnaires
from analysis.job import Settings, analyze
from analysis.quality import QualitySettings
from survey_app.demo import simulation

DEMO_RESPONSES = 54_340      # `survey demo`'s default


@pytest.fixture(scope="module")
def demo():
    """The demo's channels, responses (flat, as exported) and results, without a database."""
    questionnaire = questionnaires.load(questionnaires.DEFAULT)
    channels = simulation.plan_table()
    frame = simulation.simulate(questionnaire, channels, DEMO_RESPONSES, datetime(2026, 11, 1), days=13, seed=2026)
    flat = simulation.flat_responses(questionnaire, frame, channels)
    settings = Settings(quality=QualitySettings.for_questionnaire(questionnaire), cluster="channel")
    results = analyze(flat, questionnaire, simulation.targets(), settings)
    return channels, flat, results


def intra_class_correlation(index: pd.Series, county: pd.Series, cluster: pd.Series) -> float:
    """One-way ANOVA estimate of the ICC of clusters within counties (county means removed):
    (MSB - MSW) / (MSB + (m0 - 1) MSW), m0 the adjusted mean cluster size (Donner 1986)."""
    d = pd.DataFrame({"county": county, "cluster": cluster, "y": index}).dropna()
    d["y"] -= d.groupby("county")["y"].transform("mean")
    groups = d.groupby("cluster")["y"]
    m, k, n = groups.size(), groups.ngroups, len(d)
    msb = (m * groups.mean() ** 2).sum() / (k - d["county"].nunique())
    msw = ((d["y"] - groups.transform("mean")) ** 2).sum() / (n - k)
    m0 = (n - (m ** 2).sum() / n) / (k - 1)
    return (msb - msw) / (msb + (m0 - 1) * msw)


def test_each_county_hands_out_dozens_to_hundreds_of_school_codes(demo):
    channels, flat, _ = demo
    per_county = channels.groupby("county_code").size()
    assert len(per_county) == 10 and per_county.min() >= 20 and per_county.max() >= 100
    assert channels["label"].is_unique and channels["label"].str.contains("小学").mean() > 0.4
    sizes = flat.groupby("channel").size()
    assert sizes.median() < 150 and sizes.max() > 4 * sizes.median()     # schools differ in size


def test_answers_are_alike_within_a_school_by_a_few_percent(demo, questionnaire):
    _, flat, results = demo
    items = flat[list(questionnaire.item_ids)].astype(float)
    index = ((items - 1) * 25).mean(axis=1)            # equal item weights, unanswered left out
    icc = intra_class_correlation(index, flat["county"], flat["channel"])
    assert 0.015 < icc < 0.06
    county = results.county_results.to_pandas()
    deff = county["deff"]
    assert deff.between(2, 25).all()      # clusters and weights; the sample's make-up alone gives about 4
    assert (county["n"] / county["n_effective"]).iloc[-1] == pytest.approx(deff.iloc[-1])


def test_the_demo_ranking_tells_counties_apart(demo):
    county = demo[2].county_results.to_pandas().iloc[:-1]
    narrower = (county["rank_low"] > 1) | (county["rank_high"] < len(county))
    assert narrower.sum() >= 3
    assert set(county["versus_city"]) >= {"高于全市", "低于全市"}


def test_about_one_resident_in_ten_writes_a_comment_the_same_for_a_seed(demo):
    channels, flat, results = demo
    written = flat["comment"].dropna()
    assert 0.08 <= len(written) / len(flat) <= 0.12 and written.nunique() > 500
    phones = written[written.str.contains(r"1[3-9]\d[ -]?\d{4}[ -]?\d{4}")]
    named = written[written.str.contains(r"[王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高]\w{0,2}(?:老师|校长)")]
    assert len(phones) >= 20 and len(named) >= 20                        # the masking has something to show
    city = results.comments.of("ALL")
    assert city.informative < city.comments and len(city.themes) >= 8 and len(city.samples) == 8
    assert not any(any(ch.isdigit() for ch in text) for text in city.samples if "【电话】" not in text)
    questionnaire = questionnaires.load(questionnaires.DEFAULT)
    again = simulation.simulate(questionnaire, channels, 2000, datetime(2026, 11, 1), days=13, seed=2026)["comment"]
    assert again.equals(simulation.simulate(questionnaire, channels, 2000, datetime(2026, 11, 1), days=13,
                                            seed=2026)["comment"])
