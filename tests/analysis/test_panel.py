"""Expert panels and the combined score, checked by hand."""
import numpy as np
import pytest

from analysis import combination, compare, panel
from analysis.rater_agreement import agreement_icc


def _scores(rows, max_score, n_counties):
    county, point, expert, score = (np.array(c) for c in zip(*rows))
    return panel.Scores(county, point, expert, score.astype(float), np.array(max_score, dtype=float), n_counties)


def test_panel_mean_spread_and_outliers_by_hand():
    # County 0, point 0 (max 10): 8, 9, 7, 3 -> median 7.5; 3 is 4.5 > 2 (20% of 10) away: an outlier.
    # County 1, point 0: one expert (conflicts): no spread. County 0, point 1 (max 5): 4, 4.
    scores = _scores([(0, 0, 0, 8), (0, 0, 1, 9), (0, 0, 2, 7), (0, 0, 3, 3), (1, 0, 0, 6), (0, 1, 0, 4), (0, 1, 1, 4)],
                     [10, 5], 2)
    result = panel.summarise(scores)
    assert result.mean[0, 0] == pytest.approx(6.75) and result.median[0, 0] == 7.5
    assert result.sd[0, 0] == pytest.approx(np.std([8, 9, 7, 3], ddof=1))
    assert result.se[0, 0] == pytest.approx(np.std([8, 9, 7, 3], ddof=1) / 2)
    assert result.outlier.tolist() == [False, False, False, True, False, False, False]
    assert result.n[1, 0] == 1 and np.isnan(result.sd[1, 0]) and np.isnan(result.mean[1, 1])
    assert result.sd[0, 1] == 0


def test_the_panels_agreement_is_the_icc_of_shares_of_each_points_maximum():
    rng = np.random.default_rng(3)
    truth = rng.uniform(0.4, 1.0, (4, 3))                      # 4 counties x 3 points
    rows = [(c, p, e, round(float(np.clip(truth[c, p] + rng.normal(0, 0.08), 0, 1)) * m, 2))
            for c in range(4) for p, m in enumerate([10, 5, 20]) for e in range(5)]
    scores = _scores(rows, [10, 5, 20], 4)
    matrix = np.array([[r[3] / [10, 5, 20][r[1]] for r in rows if (r[0], r[1]) == (c, p)]
                       for c in range(4) for p in range(3)])
    assert panel.agreement(scores, np.array([0, 1, 2])).single == pytest.approx(agreement_icc(matrix).single)
    conflicted = _scores([r for r in rows if not (r[0] == 2 and r[2] == 4)], [10, 5, 20], 4)
    assert panel.agreement(conflicted, np.array([0, 1, 2])).n_targets == 12       # REML keeps every target


def test_the_combined_score_by_hand():
    # Two points (max 10, weight 60; max 5, weight 40); points 90%, satisfaction 10%.
    parts = combination.Parts(
        point_score=np.array([[9.0, 4.0], [6.0, 2.5]]), point_se=np.array([[0.5, 0.0], [1.0, 0.5]]),
        point_df=np.array([[4.0, 4.0], [4.0, 4.0]]), max_score=np.array([10.0, 5.0]), weight=np.array([60.0, 40.0]),
        index=np.array([85.0, 70.0]), index_se=np.array([1.0, 2.0]), index_df=np.array([30.0, 30.0]),
        deduction=np.array([0.0, 1.0]), points_share=90, satisfaction_share=10)
    result = combination.combine(parts, compare.Grades())
    # County 0: 0.9 * (60 * 0.9 + 40 * 0.8) = 77.4; + 8.5 = 85.9.  County 1: 0.9 * (36 + 20) = 50.4; + 7 - 1 = 56.4.
    assert result.points_part.tolist() == pytest.approx([77.4, 50.4])
    assert result.total.tolist() == pytest.approx([85.9, 56.4])
    # Variances: county 0: (0.5 * 5.4)^2 + (0.1 * 1)^2 = 7.29 + 0.01; df = 7.3^2 / (7.29^2 / 4 + 0.01^2 / 30).
    assert result.se[0] == pytest.approx(np.sqrt(7.3))
    assert result.df[0] == pytest.approx(7.3 ** 2 / (7.29 ** 2 / 4 + 0.01 ** 2 / 30))
    assert result.grade.tolist() == ["良好", "较差"] and result.rank.tolist() == [1, 2]
    assert result.ci_low[0] < 85.9 < result.ci_high[0]
