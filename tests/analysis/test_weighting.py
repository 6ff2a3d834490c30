"""Base weights, raking and trimming on their own, on tables small enough to check by hand."""
import numpy as np
import pytest

from analysis.weighting import Margin, WeightingError, base_weights, rake, trim


def margin(variable, cells, targets):
    return Margin(variable, np.asarray(cells), np.asarray(targets, dtype=float),
                  [("c", str(i)) for i in range(len(targets))])


# One respondent in each cell of a 2 x 2 table (rows: variable a, columns: variable b).
A = margin("a", [0, 0, 1, 1], [6, 4])
B = margin("b", [0, 1, 0, 1], [7, 3])


def test_base_weight_is_county_population_over_county_sample():
    np.testing.assert_allclose(base_weights(np.array([0, 0, 1]), np.array([10.0, 6.0])), [5, 5, 6])


def test_raking_equal_base_weights_gives_the_independence_table():
    """With equal starting weights the fitted table keeps odds ratios of 1: w_ij = r_i c_j / N."""
    result = rake(np.ones(4), [A, B])
    np.testing.assert_allclose(result.weights, [6 * 7 / 10, 6 * 3 / 10, 4 * 7 / 10, 4 * 3 / 10], rtol=1e-9)
    assert result.max_margin_error < 1e-10 and result.iterations >= 1


def test_one_margin_is_post_stratification_in_one_step():
    result = rake(np.array([1.0, 2.0, 1.0, 1.0]), [A])
    np.testing.assert_allclose(result.weights, [2, 4, 2, 2])
    assert result.iterations == 1


def test_margins_that_the_sample_cannot_meet_are_refused():
    diagonal_a, diagonal_b = margin("a", [0, 1], [6, 4]), margin("b", [0, 1], [5, 5])
    with pytest.raises(WeightingError, match="加权迭代 50 次仍未收敛"):
        rake(np.ones(2), [diagonal_a, diagonal_b], max_iterations=50)


def test_trimming_bounds_the_weight_ratio_and_reports_the_margin_miss():
    base = np.ones(4)
    skewed = margin("b", [0, 1, 0, 1], [9.5, 0.5])
    raked = rake(base, [A, skewed])
    trimmed = trim(base, raked.weights, [A, skewed], (0.5, 2.0))
    assert trimmed.weights.min() >= 0.5 - 1e-12 and trimmed.weights.max() <= 2.0 + 1e-12
    assert trimmed.max_margin_error > 0      # the bounds cost some fit, and it is reported


@pytest.mark.parametrize("bounds", [(0, 2), (1.5, 2), (0.5, 0.9)])
def test_trimming_bounds_must_surround_one(bounds):
    with pytest.raises(WeightingError, match="截尾范围"):
        trim(np.ones(4), np.ones(4), [A], bounds)
