"""A realistic simulated campaign, for the demo and the benchmarks.

Satisfaction comes from an ordered-response model: a latent score per
respondent (county + channel + respondent type + area effects + noise), item
effects, and cut points onto the 5-point scale. Links go out as a real campaign's
do: one QR code per school (dozens to hundreds per county, of lognormal sizes)
and a few posters and parents' groups; a channel's random effect makes answers
from one school alike (an intra-class correlation of a few percent on the index). A few percent answer 不了解,
some respondents genuinely tick 非常满意 throughout, and a few are speeders,
bots (honeypot) or repeat devices, so that analysis has real flags to handle. About one in ten
writes a comment in the open question (survey_app.demo.comments).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from analysis.allocation import allocate
from analysis.quality import straightlined
from questionnaires import Questionnaire
from survey_app.demo.comments import comments
from survey_app.models import Flag, packing
from survey_app.services import responses


@dataclass(frozen=True)
class CountyProfile:
    code: str
    name: str
    population: int      # residents the index speaks for
    sample_share: float  # share of the city's responses
    urban_share: float   # of the population
    mood: float          # latent satisfaction offset


# Ten counties of one city (宜宾市); sizes and moods invented for the demo.
CITY = (
    CountyProfile("511502", "翠屏区", 1_035_239, 14000, 0.78, 0.10),
    CountyProfile("511503", "南溪区", 331_770, 3000, 0.48, 0.45),
    CountyProfile("511504", "叙州区", 820_154, 11000, 0.42, 0.20),
    CountyProfile("511523", "江安县", 423_516, 6000, 0.37, -0.25),
    CountyProfile("511524", "长宁县", 330_245, 2500, 0.40, 0.05),
    CountyProfile("511525", "高县", 402_331, 5500, 0.35, -0.05),
    CountyProfile("511526", "珙县", 364_618, 4000, 0.39, -0.40),
    CountyProfile("511527", "筠连县", 302_541, 1500, 0.33, 0.30),
    CountyProfile("511528", "兴文县", 381_792, 5000, 0.34, -0.10),
    CountyProfile("511529", "屏山县", 232_916, 1840, 0.30, 0.55),
)
# Population shares by respondent type, and how over-represented each is among responses.
POPULATION_TYPES = {"parent": 0.22, "student": 0.07, "teacher": 0.06, "public": 0.65}
SAMPLE_TYPES = {"parent": 0.62, "student": 0.14, "teacher": 0.12, "public": 0.12}
TYPE_MOOD = {"parent": 0.0, "student": 0.25, "teacher": 0.45, "public": -0.35}
ITEM_MOOD = np.array([-.2, -.1, .1, .3, .1, -.5, -.2, .3, -.4, 0, -.1, .2, .05, -.3, -.35, .15])
NOT_KNOWN = np.array([.06, .03, .02, .02, .03, .03, .05, .02, .05, .04, .09, .03, .05, .08, .07, .04])
CUTS = np.array([-2.3, -1.4, -0.5, 0.55])  # latent -> codes 1..5
# Channels: one QR code per school, about one school per PEOPLE_PER_SCHOOL residents, schools of
# each kind in these shares; besides, each county's posters and parents' groups (OTHER_CHANNELS).
PEOPLE_PER_SCHOOL = 10_000
SCHOOL_KINDS = (("小学", 0.5), ("幼儿园", 0.25), ("中学", 0.2), ("职业技术学校", 0.05))
OTHER_CHANNELS = ("人民广场海报", "政务大厅海报", "社区公告栏", "家长微信群")
SCHOOL_SIZE_SPREAD = 0.6     # sd of log school size (lognormal sizes)
CHANNEL_MOOD_SD = 0.18       # channel random effect on the latent scale (ICC of the index ~0.03)
DIGITS = "零一二三四五六七八九"


def numeral(k: int) -> str:
    """1..999 in Chinese numerals as in school names: 一, 十二, 二十, 一百零五."""
    if not 0 < k < 1000:
        raise ValueError(k)
    hundreds, tens, ones = k // 100, k // 10 % 10, k % 10
    text = DIGITS[hundreds] + "百" if hundreds else ""
    if tens:
        text += ("" if tens == 1 and not hundreds else DIGITS[tens]) + "十"
    elif hundreds and ones:
        text += "零"
    return text + (DIGITS[ones] if ones else "")


def channel_plan(counties=CITY) -> list[tuple[str, str]]:
    """(county code, label) of the demo's channels: the county's schools, numbered within each
    kind (翠屏区第十二小学), then its posters and groups."""
    plan = []
    for c in counties:
        schools = max(len(SCHOOL_KINDS), round(c.population / PEOPLE_PER_SCHOOL))
        counts = allocate(schools, np.array([share for _, share in SCHOOL_KINDS]))
        for (kind, _), count in zip(SCHOOL_KINDS, counts):
            plan += [(c.code, f"{c.name}第{numeral(k)}{kind}") for k in range(1, int(count) + 1)]
        plan += [(c.code, f"{c.name}{label}") for label in OTHER_CHANNELS]
    return plan


def targets(counties=CITY) -> pd.DataFrame:
    """Population margins per county (county, variable, category, population); both margins
    of a county sum to its population."""
    rows = []
    shares = np.array(list(POPULATION_TYPES.values()))
    for c in counties:
        for kind, count in zip(POPULATION_TYPES, allocate(c.population, shares)):
            rows.append((c.code, "respondent_type", kind, int(count)))
        urban = round(c.population * c.urban_share)
        rows += [(c.code, "area", "urban", urban), (c.code, "area", "rural", c.population - urban)]
    return pd.DataFrame(rows, columns=["county", "variable", "category", "population"])


def simulate(questionnaire: Questionnaire, channels: pd.DataFrame, n: int, start: datetime,
             days: float, seed: int = 2026) -> pd.DataFrame:
    """n simulated responses as packed rows ready to insert (services.responses.insert_many).

    `channels` has columns channel_id, county_id, county_code (several per county) and, optionally,
    size (how many people a channel reaches; else lognormal, as schools' sizes are).
    """
    if len(questionnaire.items) != len(ITEM_MOOD):
        raise ValueError("the simulation models the 16-item default questionnaire")
    rng = np.random.default_rng(seed)
    profiles = {c.code: c for c in CITY}
    county_codes = channels["county_code"].unique()
    per_county = allocate(n, np.array([profiles[c].sample_share for c in county_codes]))

    county_idx = np.repeat(np.arange(len(county_codes)), per_county)
    channel_rows = np.empty(n, dtype=np.int64)
    channel_mood = rng.normal(0, CHANNEL_MOOD_SD, len(channels))
    sizes = (channels["size"].to_numpy(dtype=float) if "size" in channels
             else rng.lognormal(0, SCHOOL_SIZE_SPREAD, len(channels)))
    for k, code in enumerate(county_codes):
        own = np.flatnonzero(channels["county_code"].to_numpy() == code)
        channel_rows[county_idx == k] = rng.choice(own, size=per_county[k], p=sizes[own] / sizes[own].sum())

    types = np.array(list(SAMPLE_TYPES))
    type_idx = rng.choice(len(types), size=n, p=list(SAMPLE_TYPES.values()))
    urban_p = np.array([min(0.95, profiles[c].urban_share + 0.15) for c in county_codes])[county_idx]
    rural = rng.random(n) >= urban_p
    stage = rng.choice(4, size=n, p=[0.18, 0.42, 0.27, 0.13])
    stage[types[type_idx] == "public"] = -1

    latent = (np.array([profiles[c].mood for c in county_codes])[county_idx]
              + channel_mood[channel_rows]
              + np.array([TYPE_MOOD[t] for t in types])[type_idx]
              - 0.2 * rural + rng.normal(0.9, 0.8, n))
    noise = rng.logistic(0, 0.55, (n, len(ITEM_MOOD)))
    codes = 1 + (latent[:, None] + ITEM_MOOD[None, :] + noise > CUTS[:, None, None]).sum(axis=0)
    codes = codes.astype(np.int16)
    enthusiasts = rng.random(n) < 0.08 + 0.1 * (latent > 1.5)
    codes[enthusiasts] = 5
    codes[rng.random(codes.shape) < NOT_KNOWN[None, :]] = questionnaire.scale.not_applicable

    duration = np.round(rng.lognormal(np.log(170), 0.45, n)).astype(np.int64)
    speeders = rng.random(n) < 0.03
    duration[speeders] = rng.integers(12, questionnaire.quality.min_seconds, speeders.sum())
    bots = rng.random(n) < 0.002
    codes[bots] = rng.integers(1, 6, (bots.sum(), codes.shape[1]))

    # Who answered when is independent of county: shuffle people, keep times in order.
    order = rng.permutation(n)
    channel_rows, codes, duration, bots = channel_rows[order], codes[order], duration[order], bots[order]
    attributes = np.stack([type_idx, rural.astype(int), stage], axis=1)[order]
    offsets = np.sort(rng.random(n)) * days * 86400
    submitted = pd.Timestamp(start) + pd.to_timedelta(offsets, unit="s")
    device = np.array([f"{x:016x}" for x in rng.integers(0, 2**63, n)])
    repeat = rng.random(n) < 0.01
    repeat[0] = False
    device[repeat] = device[np.flatnonzero(repeat) - 1]

    flags = np.zeros(n, dtype=np.int64)
    flags[duration < questionnaire.quality.min_seconds] |= int(Flag.SPEEDER)
    flags[bots] |= int(Flag.HONEYPOT)
    flags[straightlined(codes, np.isin(codes, questionnaire.scale.scored_codes))] |= int(Flag.STRAIGHTLINE)
    flags[repeat] |= int(Flag.REPEAT_DEVICE)

    frame = pd.DataFrame({
        "county_id": channels["county_id"].to_numpy()[channel_rows],
        "channel_id": channels["channel_id"].to_numpy()[channel_rows],
        "submission_id": [f"sim{i:09d}" for i in range(n)],
        "attributes": packing.pack_rows(attributes),
        "answers": packing.pack_rows(codes),
        "submitted_at": submitted,
        "duration_s": duration,
        "flags": flags,
        "device_hash": device,
        "ip_hash": device,  # one simulated phone, one address
    })
    frame["started_at"] = frame["submitted_at"] - pd.to_timedelta(frame["duration_s"], unit="s")
    if questionnaire.comment is not None:
        frame["comment"] = comments(seed, codes, questionnaire.scale.not_applicable)
    return frame


def flat_responses(questionnaire: Questionnaire, frame: pd.DataFrame, channels: pd.DataFrame) -> pd.DataFrame:
    """`simulate`'s rows in the flat export layout the analysis reads (response_id, county, channel,
    attributes, items, duration_s, submitted_at, flag columns), without a database: for benchmarks
    and tests. `channels` as for `simulate`, with the channel's code in a column `code`."""
    flat = responses.decode(questionnaire, list(frame["attributes"] + frame["answers"]))
    by_id = channels.set_index("channel_id")
    flat.insert(0, "response_id", frame["submission_id"].to_numpy())
    flat.insert(1, "county", by_id.loc[frame["channel_id"], "county_code"].to_numpy())
    flat.insert(2, "channel", by_id.loc[frame["channel_id"], "code"].to_numpy())
    flat["duration_s"] = frame["duration_s"].to_numpy()
    flat["submitted_at"] = frame["submitted_at"].dt.strftime("%Y-%m-%dT%H:%M:%S").to_numpy()
    for column, values in packing.flag_values(frame["flags"].to_numpy()).items():
        flat[column] = values
    if "comment" in frame:
        flat["comment"] = frame["comment"].to_numpy()
    return flat


def plan_table(plan: list[tuple[str, str]] | None = None) -> pd.DataFrame:
    """`channel_plan` as `simulate` takes it, numbered as a campaign numbers channels (511502-001):
    channel_id, county_id (the county code), county_code, code, label."""
    counts: dict[str, int] = {}
    rows = []
    for county, label in plan if plan is not None else channel_plan():
        counts[county] = counts.get(county, 0) + 1
        rows.append((len(rows) + 1, county, county, f"{county}-{counts[county]:03d}", label))
    return pd.DataFrame(rows, columns=["channel_id", "county_id", "county_code", "code", "label"])
