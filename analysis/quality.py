"""Quality rules: which responses are flagged, which are excluded, and how many per county."""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

import numpy as np

from analysis.inputs import Responses
from analysis.table import Table
from questionnaires import Questionnaire

RULES = ("speeder", "straightline", "duplicate_id", "repeat_device", "honeypot", "burst", "incomplete", "review")
ALWAYS = ("incomplete", "review")   # no index / an evaluator's decision: excluded whatever the settings


@dataclass(frozen=True)
class QualitySettings:
    """Defaults: straight-lining (often a genuine "非常满意" throughout) and repeat devices
    (a family shares one phone) are flagged but kept; the rest exclude. A response with
    fewer than `min_items_answered` scored items has no index, and one an evaluator
    excluded on review stays out: both are always left out."""

    speeder_floor_s: float = 60.0
    speeder_fraction_of_median: float = 0.3
    min_items_answered: int = 8
    exclude: frozenset[str] = field(default_factory=lambda: frozenset(
        {"speeder", "duplicate_id", "honeypot", "burst", "incomplete"}))

    def __post_init__(self):
        unknown = set(self.exclude) - set(RULES)
        if unknown:
            raise ValueError(f"未知的质量规则：{'、'.join(sorted(unknown))}（可用：{'、'.join(RULES)}）")

    @classmethod
    def for_questionnaire(cls, questionnaire: Questionnaire, exclude: frozenset[str] | None = None,
                          min_items_answered: int | None = None) -> QualitySettings:
        """The questionnaire's minimum time and item count; `exclude` defaults to the default rules."""
        return cls(speeder_floor_s=questionnaire.quality.min_seconds,
                   min_items_answered=min_items_answered or questionnaire.quality.min_items_answered,
                   **({"exclude": frozenset(exclude)} if exclude is not None else {}))


@dataclass(frozen=True)
class Flags:
    rules: dict[str, np.ndarray]   # one boolean array per rule, in RULES order
    speeder_threshold_s: float

    def excluded(self, settings: QualitySettings) -> np.ndarray:
        dropped = np.logical_or.reduce([self.rules[rule] for rule in ALWAYS])
        for rule in settings.exclude:
            dropped |= self.rules[rule]
        return dropped


def flags(responses: Responses, answered: np.ndarray, settings: QualitySettings) -> Flags:
    """Apply every quality rule to every response.

    Parameters
    ----------
    responses : Responses
    answered : (n, k) bool array
        True where an item has a score (不了解 is not answered).
    settings : QualitySettings

    Returns
    -------
    Flags
        One boolean array per rule and the speeder threshold used.

    Notes
    -----
    speeder: duration below max(settings.speeder_floor_s, fraction x median duration), or no
    duration; straightline: ``straightlined``; duplicate_id: every occurrence of an id after
    its first; honeypot, repeat_device and burst (address or form burst): the stored flags; incomplete: fewer scored answers
    than ``min_items_answered``; review: excluded by an evaluator (the ``excluded`` column).
    """
    median = np.nanmedian(responses.duration) if len(responses) else 0.0
    threshold = float(max(settings.speeder_floor_s, settings.speeder_fraction_of_median * median))
    rules = {
        "speeder": ~(responses.duration >= threshold),   # a missing duration counts as too fast
        "straightline": straightlined(responses.codes, answered),
        "duplicate_id": _repeated(responses.response_id.codes),
        "repeat_device": responses.repeat_device,
        "honeypot": responses.honeypot,
        "burst": responses.burst,
        "incomplete": answered.sum(axis=1) < settings.min_items_answered,
        "review": responses.excluded,
    }
    return Flags(rules, threshold)


def straightlined(codes: np.ndarray, scored: np.ndarray) -> np.ndarray:
    """Straight-lining: the one definition, used when a response is stored and in the analysis.

    Parameters
    ----------
    codes : (n, k) int array
        Answer codes, -1 where empty.
    scored : (n, k) bool array
        True where the answer carries a score (不了解/不适用 and empty answers do not).

    Returns
    -------
    (n,) bool array
        True where at least two answers are scored and all scored answers are the same code.

    Notes
    -----
    不了解 is left out: fifteen 非常满意 and one 不了解 is straight-lining, exactly as the
    exported file (which leaves 不了解 empty) shows it.
    """
    low = np.where(scored, codes, np.iinfo(codes.dtype).max).min(axis=1)
    high = np.where(scored, codes, np.iinfo(codes.dtype).min).max(axis=1)
    return (low == high) & (scored.sum(axis=1) > 1)


def straightlined_response(codes: list[int], scored_codes: Collection[int]) -> bool:
    """`straightlined` for one response as it is stored: no arrays for sixteen numbers."""
    scored = [code for code in codes if code in scored_codes]
    return len(scored) > 1 and scored.count(scored[0]) == len(scored)


def _repeated(codes: np.ndarray) -> np.ndarray:
    """True for every occurrence of a code after its first."""
    order = np.argsort(codes, kind="stable")
    repeated = np.zeros(len(codes), dtype=bool)
    repeated[order[1:]] = codes[order[1:]] == codes[order[:-1]]
    return repeated


def report(county_codes: np.ndarray, county_labels: np.ndarray, found: Flags,
           dropped: np.ndarray) -> Table:
    """Counts per county: received, flagged by each rule, excluded, used.

    Parameters
    ----------
    county_codes : (n,) int array
    county_labels : array of str
    found : Flags
    dropped : (n,) bool array
        The responses excluded.

    Returns
    -------
    Table
        A row per county and a last row ALL.
    """
    size = len(county_labels)

    def count(mask):
        per_county = np.bincount(county_codes, weights=mask, minlength=size).astype(np.int64)
        return np.append(per_county, per_county.sum())

    received = count(np.ones(len(county_codes)))
    excluded = count(dropped)
    return Table({"county": np.append(county_labels, "ALL"), "received": received,
                  **{rule: count(found.rules[rule]) for rule in RULES},
                  "excluded": excluded, "used": received - excluded})


def bursts(responses: Responses) -> Table:
    """Per channel with any burst: county, responses received and those in a burst, most first."""
    if responses.channel is None:
        return Table({"channel": np.array([], dtype=object), "county": np.array([], dtype=object),
                      "received": np.zeros(0, np.int64), "burst": np.zeros(0, np.int64)})
    pairs = responses.channel.codes * len(responses.county.labels) + responses.county.codes
    found, inverse = np.unique(pairs, return_inverse=True)
    received = np.bincount(inverse, minlength=len(found))
    burst = np.bincount(inverse, weights=responses.burst, minlength=len(found)).astype(np.int64)
    order = [i for i in np.lexsort((found, -burst)) if burst[i] > 0]
    channel, county = np.divmod(found[order], len(responses.county.labels))
    return Table({"channel": responses.channel.labels[channel], "county": responses.county.labels[county],
                  "received": received[order], "burst": burst[order]})
