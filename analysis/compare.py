"""Comparisons: each county against the whole, rank intervals, grades, the problem list's tiers."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis import student_t
from analysis.variance import NEGLIGIBLE


def interval(mean, se, df, scale: tuple[float, float], level: float = 0.95):
    """Confidence interval mean -/+ t se, t the (1 + level) / 2 quantile of t(df).

    Parameters
    ----------
    mean, se : arrays of float
    df : array broadcast with `mean`
        The design's degrees of freedom for each estimate (PSUs minus strata).
    scale : (lowest, highest)
        The range of the scores: an interval is cut at its ends.

    Returns
    -------
    low, high : arrays like `mean`
        R: ``confint(svymean(...), df = degf(design))``, within `scale`.
    """
    t = student_t.quantile((1 + level) / 2, df)
    return np.clip(mean - t * se, *scale), np.clip(mean + t * se, *scale)


def logit_interval(share, se, df, n, level: float = 0.95):
    """Confidence interval of a proportion on the logit scale.

    Parameters
    ----------
    share, se : arrays of float
        Proportions (0..1) and their design-based standard errors.
    df : array broadcast with `share`
        Degrees of freedom.
    n : array broadcast with `share`
        Respondents behind each proportion, for shares of exactly 0 or 1.

    Returns
    -------
    low, high : arrays like `share`

    Notes
    -----
    expit(logit(p) -/+ t se / (p (1 - p))): R's ``svyciprop(~y, design, method = "logit",
    df = degf(design))``. It stays within (0, 1). Where p is 0 or 1 (every respondent on
    one side) the logit is infinite; the interval then reaches from the observed share
    to the exact binomial bound for n respondents, (alpha / 2)^(1/n) from the other side
    (Clopper and Pearson 1934), as the sample carries no spread to scale.
    """
    share, se = np.asarray(share, dtype=float), np.asarray(se, dtype=float)
    t = student_t.quantile((1 + level) / 2, df)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        logit = np.log(share / (1 - share))
        half = t * se / (share * (1 - share))
        low, high = _expit(logit - half), _expit(logit + half)
        exact = ((1 - level) / 2) ** (1 / np.asarray(n, dtype=float))
    edge_low, edge_high = share <= 0, share >= 1
    low, high = np.where(edge_low, 0.0, low), np.where(edge_low, 1 - exact, high)
    return np.where(edge_high, exact, low), np.where(edge_high, 1.0, high)


def _expit(x):
    return 1 / (1 + np.exp(-x))


def difference_from_all(mean, se, mean_all, se_all, cov_with_all, df):
    """Each county's difference from the overall figure, with its SE and a two-sided p-value.

    Parameters
    ----------
    mean, se : arrays (counties, or counties x k)
        County estimates and their standard errors.
    mean_all, se_all : float or array (k)
        The overall estimate and its standard error.
    cov_with_all : array like `mean`
        Covariance of each county's estimate with the overall one (the county is part of it).
    df : array broadcast with `mean`
        Each county's degrees of freedom (its PSUs minus one).

    Returns
    -------
    diff, se_diff, p : arrays like `mean`
        p is NaN (no test) where the county's SE is zero or undefined: answers that do not
        vary, or a single PSU. A difference below the rounding tolerance is 0.

    Notes
    -----
    Var(m_c - m) = v_c + v - 2 cov(m_c, m); R: ``svycontrast(svyby(...), ...)`` on the joint
    covariance of ``svyby(..., covmat=TRUE)`` and ``svymean``. The p-value is from the t
    distribution with the county's df: the county's own sampling error dominates the
    difference.
    """
    diff = _negligible_as_zero(mean - mean_all, np.maximum(np.abs(mean), np.abs(mean_all)))
    se_diff = np.sqrt(np.maximum(se ** 2 + se_all ** 2 - 2 * cov_with_all, 0))
    testable = has_spread(mean, se)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = student_t.two_sided_p(np.where(testable, diff / se_diff, np.nan), df)
    return diff, se_diff, p


def has_spread(mean, se) -> np.ndarray:
    """Whether an estimate has a usable standard error: finite and above rounding."""
    se = np.asarray(se, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.isfinite(se) & (se > NEGLIGIBLE * np.maximum(np.abs(mean), 1.0))


def _negligible_as_zero(values, size):
    return np.where(np.abs(values) <= NEGLIGIBLE * np.maximum(size, 1.0), 0.0, values)


def _pairwise_differences(mean: np.ndarray) -> np.ndarray:
    """[c, j] = m_j - m_c, 0 where the two are within rounding of each other."""
    return _negligible_as_zero(mean[None, :] - mean[:, None], np.maximum(np.abs(mean[None, :]), np.abs(mean[:, None])))


def ranks(mean: np.ndarray) -> np.ndarray:
    """Ranks of the counties, 1 = highest; ties share the better rank.

    Parameters
    ----------
    mean : 1-D array of float

    Returns
    -------
    1-D int array
        1 + the number of counties with a higher mean; means within rounding of each
        other are ties.
    """
    return 1 + (_pairwise_differences(mean) > 0).sum(axis=1)


def rank_intervals(mean: np.ndarray, se: np.ndarray, df: np.ndarray,
                   level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """For each county, the ranks it could hold.

    Parameters
    ----------
    mean, se : 1-D arrays of float
        County estimates and standard errors.
    df : 1-D array of float
        Each county's degrees of freedom.
    level : float
        Probability that each county's true rank lies in its interval.

    Returns
    -------
    low, high : 1-D int arrays
        A county whose SE is zero or undefined (see ``has_spread``) can hold any rank, and
        is never significantly apart from another.

    Notes
    -----
    A county cannot rank above a county significantly better than it, nor below one
    significantly worse: low = 1 + #significantly better, high = K - #significantly worse.
    Each county's K - 1 comparisons are tested two-sided at (1 - level) / (K - 1)
    (Bonferroni), which gives individual intervals of at least that coverage (Klein,
    Wright and Wieczorek 2020, "A joint confidence region for an overall ranking of
    populations", JRSS C 69(3)). Counties are independent strata, so
    Var(m_a - m_b) = se_a^2 + se_b^2, with Welch-Satterthwaite degrees of freedom
    (v_a + v_b)^2 / (v_a^2 / df_a + v_b^2 / df_b).
    """
    k = len(mean)
    usable = has_spread(mean, se)
    v = np.where(usable, se ** 2, np.nan)
    diff = _pairwise_differences(mean)
    spread = v[None, :] + v[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        satterthwaite = spread ** 2 / (v[None, :] ** 2 / df[None, :] + v[:, None] ** 2 / df[:, None])
        p = student_t.two_sided_p(diff / np.sqrt(spread), satterthwaite)
    apart = p < (1 - level) / max(k - 1, 1)
    better = (apart & (diff > 0)).sum(axis=1)
    worse = (apart & (diff < 0)).sum(axis=1)
    full = ~usable
    return np.where(full, 1, 1 + better), np.where(full, k, k - worse)


HIGHER, LEVEL, LOWER, UNTESTED = "高于全市", "持平", "低于全市", "无法检验"   # a county against the city


def versus_all(diff, p, alpha: float = 0.05) -> list[str]:
    """Each county's tier against the overall figure: HIGHER or LOWER where the difference is
    significant (p < alpha, the test of ``difference_from_all``), else LEVEL; UNTESTED where p is NaN.

    Counties whose ranks cannot be told apart are still told apart from the city: the tiers are what
    a ranking can say when its possible ranks overlap.
    """
    tiers = []
    for d, pv in zip(np.asarray(diff, dtype=float), np.asarray(p, dtype=float)):
        if not np.isfinite(pv):
            tiers.append(UNTESTED)
        elif pv < alpha and d != 0:
            tiers.append(HIGHER if d > 0 else LOWER)
        else:
            tiers.append(LEVEL)
    return tiers


@dataclass(frozen=True)
class Grades:
    """Grade = the first label whose lower bound the index reaches (bounds descending)."""

    bounds: tuple[tuple[float, str], ...] = ((90.0, "优秀"), (80.0, "良好"), (70.0, "中等"), (float("-inf"), "较差"))

    def of(self, index: float) -> str:
        if not np.isfinite(index):
            return ""
        return next(label for bound, label in self.bounds if index >= bound)

    def reached(self, low: float, high: float) -> list[str]:
        """The grades an interval [low, high] reaches, best first."""
        labels, upper = [], np.inf
        for bound, label in self.bounds:
            if low < upper and high >= bound:
                labels.append(label)
            upper = bound
        return labels

    def span(self, index: float, low: float, high: float) -> str:
        """The grade, and the other grades its confidence interval reaches: 优秀（区间跨良好）.

        Parameters
        ----------
        index, low, high : float
            The estimate and its confidence interval.

        Returns
        -------
        str
            The plain grade where the interval lies within it or is undefined.
        """
        grade = self.of(index)
        if not grade or not (np.isfinite(low) and np.isfinite(high)):
            return grade
        others = [label for label in self.reached(low, high) if label != grade]
        return f"{grade}（区间跨{'、'.join(others)}）" if others else grade


def holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values (family-wise error rate).

    Parameters
    ----------
    p : 1-D array of float

    Returns
    -------
    1-D array of float
        With p sorted ascending, p_adj(i) = max over j <= i of min(1, (m - j + 1) p(j)).
        Equals ``statsmodels.stats.multitest.multipletests(p, method="holm")``.
    """
    p = np.asarray(p, dtype=float)
    order = np.argsort(p)
    m = len(p)
    adjusted = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1)
    return out


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (false discovery rate).

    Parameters
    ----------
    p : 1-D array of float

    Returns
    -------
    1-D array of float
        With p sorted ascending, p_adj(i) = min over j >= i of min(1, m p(j) / j).
        Equals ``statsmodels.stats.multitest.multipletests(p, method="fdr_bh")``.
    """
    p = np.asarray(p, dtype=float)
    m = len(p)
    order = np.argsort(p)[::-1]
    adjusted = np.minimum.accumulate(p[order] * m / (m - np.arange(m)))
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1)
    return out


ADJUSTMENTS = {"holm": holm, "bh": benjamini_hochberg}


CONFIRMED, WATCH = "确定问题", "需关注"     # the problem list's tiers, most certain first
TIERS = (CONFIRMED, WATCH)


@dataclass(frozen=True)
class ProblemRules:
    """What puts an item of a county on the problem list, and in which tier.

    确定问题 (confirmed): significantly below the city after the adjustment across the
    county's items, or the whole 95% interval below the problem line. 需关注 (watch): the
    whole interval below the city's score (not significant after adjustment), fewer than
    `satisfied_line` satisfied, a score below the problem line, or one of the county's
    `lowest` lowest scores (below the county's average item score).
    """

    line: float = 70.0              # the problem line on the 0..100 score
    satisfied_line: float = 0.70    # a satisfied share below this needs attention
    lowest: int = 3                 # the county's lowest items need attention; 0: none
    alpha: float = 0.05             # for the adjusted one-sided p-values


def problem_tiers(mean, ci_high, mean_all, p_adjusted, share_satisfied, rules: ProblemRules
                  ) -> tuple[list[str], list[str]]:
    """The tier (or "") of each item of one county and the reasons it is listed.

    Parameters
    ----------
    mean, ci_high : 1-D arrays over items
        The county's scores and the upper ends of their 95% intervals.
    mean_all : 1-D array
        The city's scores.
    p_adjusted : 1-D array
        One-sided p-values for "below the city", adjusted across the county's items
        (NaN: not tested).
    share_satisfied : 1-D array
        Shares satisfied (0..1).
    rules : ProblemRules

    Returns
    -------
    tiers, reasons : lists of str, one per item
        The tier is CONFIRMED, WATCH or "" (not listed); reasons are joined with "；",
        every reason that holds (a confirmed item may also carry watch reasons).

    Notes
    -----
    Every item whose interval lies wholly below the city's score is listed (in one tier
    or the other), so the list never contradicts the county's item chart.
    """
    mean, ci_high, mean_all, p_adjusted, share_satisfied = (
        np.asarray(v, dtype=float) for v in (mean, ci_high, mean_all, p_adjusted, share_satisfied))
    with np.errstate(invalid="ignore"):
        significant = (mean < mean_all) & (p_adjusted < rules.alpha)
        under_line = ci_high < rules.line
        interval_below = (ci_high < mean_all) & ~significant
        few_satisfied = share_satisfied < rules.satisfied_line
        below_line = (mean < rules.line) & ~under_line
    lowest = np.zeros(len(mean), dtype=bool)
    scored = np.flatnonzero(np.isfinite(mean))
    if rules.lowest > 0 and len(scored):
        ordered = np.sort(mean[scored])
        cut = ordered[min(rules.lowest, len(ordered)) - 1]
        with np.errstate(invalid="ignore"):
            # Ties at the cut are all among the lowest; an item no lower than the county's average
            # item score is not (items all alike have no lowest).
            lowest = (mean <= cut) & (mean < ordered.mean() - NEGLIGIBLE * 100)
    confirmed = [(significant, "显著低于全市（校正后）"),
                 (under_line, f"得分区间整体低于问题线 {rules.line:g} 分")]
    watch = [(interval_below, "区间整体低于全市"),
             (below_line, f"得分低于问题线 {rules.line:g} 分"),
             (few_satisfied, f"满意率低于 {rules.satisfied_line:.0%}"),
             (lowest, f"本区县得分最低的 {rules.lowest} 项之一")]
    tiers, reasons = [], []
    for j in range(len(mean)):
        hit_confirmed = [text for flags, text in confirmed if flags[j]]
        hit_watch = [text for flags, text in watch if flags[j]]
        tiers.append(CONFIRMED if hit_confirmed else WATCH if hit_watch else "")
        reasons.append("；".join(hit_confirmed + hit_watch))
    return tiers, reasons


def gap_certainty(difference, ci_high, mean_all, p_one_sided, p_adjusted, alpha: float = 0.05) -> list[str]:
    """How certain each gap to the city is, in words a reader can check against the item chart.

    Parameters
    ----------
    difference : 1-D array
        County minus city.
    ci_high, mean_all : 1-D arrays
        The upper ends of the county's intervals and the city's scores.
    p_one_sided, p_adjusted : 1-D arrays
        One-sided p-values for "below the city", before and after the adjustment (NaN: not tested).

    Returns
    -------
    list of str
        显著低于全市（校正后）; 区间整体低于全市，校正后不显著; 低于全市，未经校正显著;
        低于全市，但不显著; 不低于全市; or 无法检验 (no usable standard error).
    """
    words = []
    for d, high, city, p, adjusted in zip(*(np.asarray(v, dtype=float) for v in
                                            (difference, ci_high, mean_all, p_one_sided, p_adjusted))):
        if not np.isfinite(p):
            words.append("无法检验（标准误为 0 或无法估计）")
        elif d >= 0:
            words.append("不低于全市")
        elif adjusted < alpha:
            words.append("显著低于全市（校正后）")
        elif high < city:
            words.append("区间整体低于全市，校正后不显著")
        elif p < alpha:
            words.append("低于全市，未经校正显著，校正后不显著")
        else:
            words.append("低于全市，但不显著")
    return words
