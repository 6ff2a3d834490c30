"""County and city reports, as PDF (Typst) and as Word .docx (python-docx) for staff who edit before
forwarding. Both are built from the same Report (reports.report), so they say the same.

The body speaks to officials in plain Chinese; the method, with its technical terms (each in Chinese
first), is the appendix."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from analysis import compare
from analysis.job import Results
from analysis.wording import Wording
from questionnaires import Questionnaire
from reports import charts, comment_digest, docx_render, method
from reports.report import Report
from reports.typst_render import Typesetter


@dataclass
class Context:
    results: Results
    questionnaire: Questionnaire
    names: dict[str, str]          # county code -> name
    title: str                     # the campaign's name
    organizer: str = ""
    computed: str = ""             # when the figures were computed, as people read it
    slug: str = ""                 # the campaign's short name, the first part of a report's number
    simulated: bool = False        # the demo's: every page says 模拟数据
    _charts: dict = field(default_factory=dict)

    def name(self, code: str) -> str:
        return "全市" if code == "ALL" else self.names.get(code, code)

    @property
    def counties(self) -> list[str]:
        return [str(c) for c in self.results.county_results["county"][:-1]]

    def row(self, code: str) -> dict:
        table = self.results.county_results
        i = list(table["county"]).index(code)
        return {name: table[name][i] for name in table}

    def items(self, code: str) -> dict[str, np.ndarray]:
        table = self.results.item_results
        rows = np.asarray(table["county"]) == code
        return {name: np.asarray(table[name])[rows] for name in table}


def _f(value, digits: int = 1) -> str:
    return "—" if value is None or not np.isfinite(value) else f"{value:.{digits}f}"


def _pct(value) -> str:
    return "—" if value is None or not np.isfinite(value) else f"{value:.1%}"


def p_text(p) -> str:
    """A p-value as printed beside 显著: p<0.001, else three decimals, four where three would show
    the 0.050 line itself (p = 0.0499 is significant, 0.050 would not look so)."""
    if p is None or not np.isfinite(p):
        return "p=—"
    if p < 0.001:
        return "p<0.001"
    text = f"{p:.3f}"
    return f"p={p:.4f}" if text == "0.050" else f"p={text}"


def _bound(value) -> str:
    """A bound of a difference's interval: one decimal, more where one would print a nonzero bound
    as 0.0 (its side of zero is what the reader checks)."""
    if value is None or not np.isfinite(value):
        return "—"
    digits = 1
    while digits < 3 and value != 0 and round(abs(value), digits) == 0:
        digits += 1
    return f"{value:.{digits}f}".replace("-", "−")


def _ranks(low, high) -> str:
    return f"{int(low)}" if int(low) == int(high) else f"{int(low)}–{int(high)}"


IMPRECISE_MARK = "*"
IMPRECISE_NOTE = "*有效样本量不足，结果仅供参考。"
UNRELIABLE = "（不可靠）"


def marked(ctx: Context, code: str) -> str:
    """The county's name, with IMPRECISE_MARK where its results are imprecise."""
    row = ctx.row(code)
    return ctx.name(code) + (IMPRECISE_MARK if code != "ALL" and row.get("imprecise") else "")


def _any_imprecise(ctx: Context) -> bool:
    return any(bool(ctx.row(code).get("imprecise")) for code in ctx.counties)


def _level(ctx: Context) -> str:
    return f"{1 - ctx.results.record.get('alpha', 0.05):.0%}"


def _grade(row: dict) -> str:
    return str(row.get("grade_span") or row["grade"])


def summary(ctx: Context, code: str) -> str:
    """A paragraph written from the figures."""
    row, city = ctx.row(code), ctx.row("ALL")
    items = ctx.items(code)
    order = np.argsort(items["mean"])
    topics = [f"{ctx.questionnaire.items[j].topic}（{items['mean'][j]:.1f} 分）" for j in range(len(order))]
    best, worst = [topics[j] for j in order[::-1][:2]], [topics[j] for j in order[:2]]
    k = len(ctx.counties)
    text = (f"{ctx.name(code)}教育群众满意度指数为 {_f(row['index'])}（95% 置信区间 {_f(row['ci_low'])}–{_f(row['ci_high'])}），"
            f"等级为“{_grade(row)}”，")
    if int(row["rank_low"]) == 1 and int(row["rank_high"]) == k and k > 1:
        text += (f"名义上在全市 {k} 个区县中排第 {int(row['rank'])} 名，但可能名次为 1–{k}，"
                 "名次在统计上无法确定，宜看它与全市的比较。")
    else:
        text += f"在全市 {k} 个区县中排第 {int(row['rank'])} 名（可能名次 {_ranks(row['rank_low'], row['rank_high'])}）。"
    text += _versus_city(ctx, row, city)
    text += f"得分最高的方面是{'、'.join(best)}，最低的是{'、'.join(worst)}。"
    clusters = ctx.results.record["design"]["clusters"]
    unit = "个渠道" if clusters == "channel" else f"个整群（{clusters}）"
    text += f"本区县使用有效答卷 {int(row['n']):,} 份"
    if clusters != "none (each response)":
        text += f"，来自 {int(row['psu']):,} {unit}"
    text += f"（计入整群和加权后的有效样本量约 {_f(row['n_effective'], 0)}）。"
    if row["imprecise"]:
        few = row["psu"] < ctx.results.record["min_clusters"]
        text += (f"只有 {int(row['psu'])} {unit}，抽样误差本身也估计不稳，" if few else "有效样本量偏少，") + \
            "结果不够精确，解读时请注意置信区间较宽。"
    return text


def _versus_city(ctx: Context, row: dict, city: dict) -> str:
    """The county against the city in words that agree with the interval printed beside them: the
    difference's own interval, from the same t test as p (the county's interval around its index
    is not the test: the county is part of the city)."""
    diff, p = row["diff_vs_all"], row["p_vs_all"]
    if not np.isfinite(diff):
        return ""
    if not np.isfinite(p):
        return "本区县的标准误为 0 或无法估计（答案没有差异，或只有 1 个整群），不检验与全市的差别。"
    direction = "高" if diff > 0 else "低"
    alpha = ctx.results.record.get("alpha", 0.05)
    low, high = row.get("diff_ci_low", np.nan), row.get("diff_ci_high", np.nan)
    interval = (f"，二者之差的 {_level(ctx)} 置信区间 {_bound(low)} 至 {_bound(high)}"
                if np.isfinite(low) and np.isfinite(high) else "")
    shown = abs(round(row["index"], 1) - round(city["index"], 1))      # as the two printed figures differ
    text = f"比全市（{_f(city['index'])}）{direction} {shown:.1f} 分{interval}"
    if p < alpha:
        text += f"，不含 0，差异在统计上显著（{p_text(p)}），属“{direction}于全市”一档。"
        if row["ci_low"] <= city["index"] <= row["ci_high"]:
            text += ("本区县指数的置信区间虽包含全市指数，但本区县是全市的一部分，二者一同变动，"
                     "是否不同要看二者之差的区间。")
    else:
        text += (f"，包含 0，差异在统计上不显著（{p_text(p)}），与全市持平。" if interval else
                 f"，差异在统计上不显著（{p_text(p)}），与全市持平。")
    return text


def tiers(ctx: Context) -> dict[str, list[str]]:
    """County codes (ranking order) by their tier against the city (compare.versus_all)."""
    table = ctx.results.county_results
    if "versus_city" not in table:
        return {}
    tier = dict(zip(map(str, table["county"]), map(str, table["versus_city"])))
    grouped: dict[str, list[str]] = {}
    for code in _ranked(ctx):
        grouped.setdefault(tier[code], []).append(code)
    return grouped


def city_summary(ctx: Context, public: bool = False) -> str:
    """The city's summary; `public`: without what the weighting did (the public version's note says how)."""
    city = ctx.row("ALL")
    table = ctx.results.county_results
    index = np.asarray(table["index"][:-1], dtype=float)
    top, bottom = ctx.counties[int(np.nanargmax(index))], ctx.counties[int(np.nanargmin(index))]
    k = len(ctx.counties)
    text = (f"全市教育群众满意度指数为 {_f(city['index'])}（95% 置信区间 {_f(city['ci_low'])}–{_f(city['ci_high'])}），"
            f"由 {k} 个区县按人口合成，使用有效答卷 {int(city['n']):,} 份。")
    effect = "" if public else method.weighting_effect(ctx.results.record.get("weighting", {}))
    if effect:
        text += effect
    text += (f"区县指数最高的是{marked(ctx, top)}（{np.nanmax(index):.1f}），"
             f"最低的是{marked(ctx, bottom)}（{np.nanmin(index):.1f}）。")
    grouped = tiers(ctx)
    if grouped:
        parts = [f"{label}的有{'、'.join(marked(ctx, c) for c in grouped[tier])}（{len(grouped[tier])} 个）"
                 for tier, label in ((compare.HIGHER, "高于全市"), (compare.LEVEL, "与全市持平"),
                                     (compare.LOWER, "低于全市"), (compare.UNTESTED, "无法检验"))
                 if grouped.get(tier)]
        text += f"与全市相比（按二者之差的统计检验，{_level(ctx)} 置信水平）：" + "；".join(parts) + "。"
    undetermined = [c for c in ctx.counties
                    if int(ctx.row(c)["rank_low"]) == 1 and int(ctx.row(c)["rank_high"]) == k]
    if not public:                  # (the public version's table shows no ranks)
        text += _ranks_sentence(ctx, undetermined, k)
    if _any_imprecise(ctx):
        text += "名称带 * 的区县有效样本量不足，结果仅供参考。"
    return text


def _ranks_sentence(ctx: Context, undetermined: list[str], k: int) -> str:
    if k > 1 and len(undetermined) == k:
        return f"各区县的可能名次都是 1–{k}，名次在统计上无法区分，不宜排名，请按上述三档比较。"
    if undetermined:
        return (f"{'、'.join(marked(ctx, c) for c in undetermined)}的可能名次为 1–{k}，名次无法确定；"
                "其余区县可能名次区间重叠的，彼此的差别也在抽样误差范围内。")
    return "可能名次区间重叠的区县之间名次无法区分，它们的差别在抽样误差范围内。"


def _chart(ctx: Context, key: str, build) -> bytes:
    if key not in ctx._charts:
        ctx._charts[key] = charts.render(build(), "png", dpi=200)
    return ctx._charts[key]


def ranking_png(ctx: Context, highlight: str | None) -> bytes:
    table = ctx.results.county_results
    names = [marked(ctx, c) for c in ctx.counties]
    return _chart(ctx, f"ranking-{highlight}", lambda: charts.ranking(
        names, table["index"][:-1], table["ci_low"][:-1], table["ci_high"][:-1], float(table["index"][-1]),
        highlight=marked(ctx, highlight) if highlight else None, source=ctx.title, n=int(table["n"][-1])))


def draw_charts(ctx: Context, share: slice = slice(None)) -> dict[str, bytes]:
    """The charts the reports show, as PNG by key (Context._charts): those in `share` of the list
    (each county's ranking, the city's, each items chart, the importance-performance chart) are drawn
    if they were not yet."""
    drawings = [*(lambda code=code: ranking_png(ctx, code) for code in [*ctx.counties, None]),
                *(lambda code=code: items_png(ctx, code) for code in [*ctx.counties, "ALL"]),
                lambda: ipa_png(ctx)]
    for draw in drawings[share]:
        draw()
    return ctx._charts


def _ranking_note(ctx: Context, lead: str) -> tuple:
    return ("p", lead + (IMPRECISE_NOTE if _any_imprecise(ctx) else ""))


def items_png(ctx: Context, code: str) -> bytes:
    items, city = ctx.items(code), ctx.items("ALL")
    labels = [f"{i.id} {i.topic}" for i in ctx.questionnaire.items]
    return _chart(ctx, f"items-{code}", lambda: charts.items(
        labels, items["mean"], items["ci_low"], items["ci_high"], city["mean"] if code != "ALL" else None,
        subject="全市" if code == "ALL" else "本区县", source=f"{ctx.title}，{ctx.name(code)}",
        n=int(ctx.row(code)["n"])))


def ipa_png(ctx: Context) -> bytes:
    drivers = ctx.results.drivers
    topic = {i.id: i.topic for i in ctx.questionnaire.items}
    return _chart(ctx, "ipa", lambda: charts.importance_performance(
        [topic.get(i, i) for i in drivers["item"]], drivers["importance"], drivers["performance"], drivers["quadrant"],
        source=f"{ctx.title}，全市"))


def _item_table(ctx: Context, code: str, public: bool = False):
    """Each item's score, interval and shares; `public`: named by topic and question, without its code."""
    items = ctx.items(code)
    rows = [[f"{item.topic}：{item.text}" if public else f"{item.id} {item.topic}", _f(items["mean"][j]), f"{_f(items['ci_low'][j])}–{_f(items['ci_high'][j])}",
             _pct(items["share_satisfied"][j]), _pct(items["share_dissatisfied"][j])]
            for j, item in enumerate(ctx.questionnaire.items)]
    return ("table", ["题目", "平均得分", "95% 置信区间", "满意率", "不满意率"], rows,
            {"widths": (46, 12, 16, 12, 12)} if public else {})


MARKS = {compare.CONFIRMED: "●", compare.WATCH: "○"}


def _tier(tier: str) -> str:
    return f"{MARKS[tier]} {tier}" if tier in MARKS else ""


def _rules(ctx: Context) -> str:
    """The tiers' definitions, from the settings the figures were made with (the test and its
    adjustment are named in the appendix)."""
    record = ctx.results.record
    line = record["problem_threshold"]
    lowest = record.get("lowest_items", 0)
    return (f"“确定问题”指得分显著低于全市（已考虑同时比较多道题带来的偶然差异），"
            f"或得分的 95% 置信区间整体低于问题线 {line:g} 分；“需关注”指得分区间整体低于全市但差异不够确定、"
            f"满意率低于 {record.get('satisfied_line', 0.7):.0%}、得分低于 {line:g} 分"
            + (f"，或为本区县得分最低的 {lowest} 项之一" if lowest else "") + "。"
            "各题得分图中全市得分（方框）落在本区县置信区间右侧的题目，都在清单之中。")


def _problem_blocks(ctx: Context, code: str) -> list:
    """The county's problem list: how many in each tier and why, the evidence, then a form to fill in."""
    p = ctx.results.problems
    mine = [i for i in range(p.n_rows) if p["county"][i] == code]
    if not mine:
        return [("p", "没有列入问题清单的题目。" + _rules(ctx))]
    counts = {tier: sum(p["tier"][i] == tier for i in mine) for tier in compare.TIERS}
    lead = (f"列入问题清单 {len(mine)} 项：确定问题 {counts[compare.CONFIRMED]} 项，需关注 {counts[compare.WATCH]} 项"
            f"（确定问题在前，各层内最差的在前）。" + _rules(ctx))
    rows = [[_tier(p["tier"][i]), f"{p['item'][i]} {p['topic'][i]}\n{p['text'][i]}",
             f"{_f(p['mean'][i])}\n{_f(p['ci_low'][i])}–{_f(p['ci_high'][i])}",
             _pct(p["share_satisfied"][i]), _pct(p["share_dissatisfied"][i]),
             f"{_signed(_shown_difference(p['mean'][i], p['difference'][i]))}\n"
             f"{_signed(p['difference_ci_low'][i])} 至 {_signed(p['difference_ci_high'][i])}",
             str(p["certainty"][i]), str(p["reason"][i]).replace("；", "；\n")] for i in mine]
    evidence = ("table", ["层级", "题目", "得分\n95% 区间", "满意率", "不满意率", "与全市之差\n95% 区间", "与全市比较",
                          "列入原因"], rows, {"widths": (21, 29, 20, 14, 14, 20, 26, 30), "size": 8})
    form = ("table", ["层级", "题目", "整改措施", "责任科室"],
            [[_tier(p["tier"][i]), f"{p['item'][i]} {p['topic'][i]}", "", ""] for i in mine],
            {"widths": (14, 26, 80, 30), "min_height": 14})
    return [("p", lead), evidence, ("p", "整改落实表（由本区县填写）："), form]


def _shown_difference(mean: float, difference: float) -> float:
    """The county's score minus the city's as the two printed (rounded) scores differ."""
    return round(mean, 1) - round(mean - difference, 1) if np.isfinite(difference) else difference


def _signed(value) -> str:
    return "—" if value is None or not np.isfinite(value) else f"{value:+.1f}".replace("-", "−")


def _ranked(ctx: Context) -> list[str]:
    """County codes best first (the ranking's order)."""
    t = ctx.results.county_results
    order = np.argsort(np.asarray(t["rank"][:-1], dtype=float), kind="stable")
    return [str(t["county"][i]) for i in order]


def _city_problem_table(ctx: Context):
    """Items x counties (best first): each cell the item's tier on the county's list."""
    p = ctx.results.problems
    tier = {(str(c), str(i)): str(t) for c, i, t in zip(p["county"], p["item"], p["tier"])}
    counties = _ranked(ctx)
    rows = [[f"{item.id} {item.topic}", *(MARKS.get(tier.get((c, item.id), ""), "") for c in counties)]
            for item in ctx.questionnaire.items]
    for name, wanted in (("确定问题（项）", compare.CONFIRMED), ("需关注（项）", compare.WATCH)):
        rows.append([name, *(str(sum(tier.get((c, i.id)) == wanted for i in ctx.questionnaire.items))
                             for c in counties)])
    return ("table", ["题目", *(ctx.name(c) for c in counties)], rows,
            {"widths": (2.4, *[1] * len(counties)), "size": 8})


def _score_matrix(ctx: Context):
    """Items x counties (best first) and the city: mean scores."""
    counties = _ranked(ctx)
    means = {code: ctx.items(code)["mean"] for code in [*counties, "ALL"]}
    rows = [[f"{item.id} {item.topic}", *(_f(means[c][j]) for c in [*counties, "ALL"])]
            for j, item in enumerate(ctx.questionnaire.items)]
    return ("table", ["题目", *(ctx.name(c) for c in counties), "全市"], rows,
            {"widths": (2.4, *[1] * (len(counties) + 1)), "size": 8})


def _distribution_table(ctx: Context, code: str):
    """Per item, the weighted share of each answer (%) and the unweighted number of scored answers."""
    d = ctx.results.distribution
    points = ctx.questionnaire.scale.points
    shares = {(str(i), int(k)): v for c, i, k, v in zip(d["county"], d["item"], d["code"], d["share"]) if c == code}
    answered = {str(i): int(n) for c, i, n in zip(d["county"], d["item"], d["n_scored"]) if c == code}
    rows = [[f"{item.id} {item.topic}", *(_f(100 * shares.get((item.id, p.code), np.nan)) for p in points),
             f"{answered.get(item.id, 0):,}"] for item in ctx.questionnaire.items]
    return ("table", ["题目", *(p.label for p in points), "有效作答"], rows,
            {"widths": (2.2, *[1] * len(points), 1.1), "size": 8})


def _distribution_note(ctx: Context) -> str:
    scale = ctx.questionnaire.scale
    scored = [p.label for p in scale.points if p.score is not None]
    unscored = [p.label for p in scale.points if p.score is None]
    satisfied = "、".join(p.label for p in scale.points if p.code in scale.satisfied)
    text = (f"各题答案分布（加权百分比）：“{scored[0]}”至“{scored[-1]}”以该题的有效作答"
            + (f"（不含“{'、'.join(unscored)}”）" if unscored else "") + f"为分母，{satisfied}之和即满意率")
    if unscored:
        text += f"；“{'、'.join(unscored)}”以全部有效答卷为分母（问卷每题必答，答卷中空白的题即“不了解”）"
    return text + "。有效作答为未加权的份数。"


def _breakdown_blocks(ctx: Context, code: str) -> list:
    """The index by group, intervals of groups from too few clusters or too small an effective n
    shown as UNRELIABLE, and what that means when any is."""
    b = ctx.results.breakdowns
    questions = {a.id: a.question for a in ctx.questionnaire.attributes}
    shown = [i for i in range(b.n_rows) if b["county"][i] == code and b["n"][i] > 0]
    unreliable = {i for i in shown if "reliable" in b and not b["reliable"][i]}
    rows = [[questions.get(b["attribute"][i], b["attribute"][i]), str(b["label"][i]), f"{int(b['n'][i]):,}",
             _f(b["index"][i]), f"{_f(b['ci_low'][i])}–{_f(b['ci_high'][i])}" + (UNRELIABLE if i in unreliable else "")]
            for i in shown]
    blocks = [("table", ["分组", "类别", "样本量", "满意度指数", "95% 置信区间"], rows)]
    if unreliable:
        blocks.append(("p", unreliable_note(ctx.results.record)))
    return blocks


def unreliable_note(record: dict) -> str:
    clusters = record["design"]["clusters"]
    unit = "个渠道" if clusters == "channel" else "份答卷" if clusters == "none (each response)" else "个整群"
    return (f"{UNRELIABLE}：该组答卷来自少于 {record['min_clusters']} {unit}，或有效样本量少于 "
            f"{record['min_effective_n']:g}，它的置信区间本身估计不稳（可能比全区县的还窄），仅供参考。")


def _composition_table(ctx: Context, code: str):
    c = ctx.results.composition
    questions = {a.id: a.question for a in ctx.questionnaire.attributes}
    rows = [[questions.get(c["attribute"][i], c["attribute"][i]), str(c["label"][i]), f"{int(c['n'][i]):,}",
             _pct(c["sample_share"][i]), _pct(c["population_share"][i])]
            for i in range(c.n_rows) if c["county"][i] == code]
    return ("table", ["属性", "类别", "答卷", "样本占比", "人口占比"], rows)


def _ranking_table(ctx: Context):
    """Counties best first: the possible ranks beside the tier against the city, which still tells
    counties apart where ranks cannot; imprecise counties marked."""
    rows = []
    for code in _ranked(ctx):
        row = ctx.row(code)
        rows.append([f"{int(row['rank'])}", marked(ctx, code), _f(row["index"]), f"{_f(row['ci_low'])}–{_f(row['ci_high'])}",
                     _ranks(row["rank_low"], row["rank_high"]), str(row.get("versus_city", "")), _grade(row),
                     f"{int(row['n']):,}"])
    return ("table", ["名次", "区县", "满意度指数", "95% 置信区间", "可能名次", "与全市比较", "等级", "样本量"], rows,
            {"widths": (8, 14, 13, 17, 12, 14, 26, 12)})


def _ranking_lead(ctx: Context) -> str:
    return (f"“可能名次”以不低于 95% 的概率包含区县的真实名次；区间重叠的区县名次无法区分。“与全市比较”按区县与全市之差的"
            f"统计检验（{_level(ctx)} 置信水平）分为高于全市、持平、低于全市三档，名次无法区分时按三档比较。"
            "等级按指数划分，置信区间跨到相邻等级的注明“区间跨”。")


def _appendix(ctx: Context, code: str) -> list:
    """The method with its technical terms, each after its Chinese words; a county's appendix gives
    the county's own counts and says nothing of other counties (their notices name them)."""
    if code == "ALL":
        rows = method.notes(ctx.results.record, ctx.questionnaire, names=ctx.names)
    else:
        quality = ctx.results.quality
        i = [str(c) for c in quality["county"]].index(code)
        counts = {"received": int(quality["received"][i]), "used": int(quality["used"][i])}
        rows = method.notes(ctx.results.record, ctx.questionnaire, [code], ctx.names, counts)
    return [("p", "本附录说明报告中每个数字的来历，供核对和复算使用；正文不需要它也能读懂。"),
            *(("p", f"{topic}：{text}") for topic, text in rows)]


APPENDIX = "附录　方法与技术说明"


def county_sections(ctx: Context, code: str) -> list:
    return [
        ("摘要", [("p", summary(ctx, code))]),
        ("一、在全市的位置", [("img", ranking_png(ctx, code), 16),
                        _ranking_note(ctx, "圆点为满意度指数，线段为 95% 置信区间，虚线为全市指数；菱形为本区县。")]),
        ("二、各方面得分", [("img", items_png(ctx, code), 16), _item_table(ctx, code),
                      ("p", _distribution_note(ctx)), _distribution_table(ctx, code)]),
        ("三、问题清单", _problem_blocks(ctx, code)),
        ("四、不同人群的评价", _breakdown_blocks(ctx, code)),
        ("五、优先改进的方面（全市）", [("img", ipa_png(ctx), 15),
                                ("p", "重要性为各题与总体评价的关联程度；右下象限的方面重要而表现较差，宜优先改进。")]),
        ("六、样本构成", [_composition_table(ctx, code),
                     ("p", "样本构成与人口构成的差异已按人口目标加权纠正。")]),
        ("七、群众的意见建议", comment_digest.blocks(ctx, code)),
        (APPENDIX, _appendix(ctx, code)),
    ]


def city_sections(ctx: Context) -> list:
    return [
        ("摘要", [("p", city_summary(ctx))]),
        ("一、各区县排名", [("img", ranking_png(ctx, None), 16), ("p", _ranking_lead(ctx)), _ranking_table(ctx),
                       *([("p", IMPRECISE_NOTE)] if _any_imprecise(ctx) else [])]),
        ("二、各区县问题清单一览", [("p", "●：确定问题；○：需关注；空白：未列入。区县按排名从高到低排列。" + _rules(ctx)),
                           _city_problem_table(ctx)]),
        ("三、各区县各题得分", [("p", "各区县各题的平均得分（0–100），区县按排名从高到低排列，最后一列为全市。"),
                         _score_matrix(ctx)]),
        ("四、各方面得分（全市）", [("img", items_png(ctx, "ALL"), 16), _item_table(ctx, "ALL"),
                           ("p", _distribution_note(ctx)), _distribution_table(ctx, "ALL")]),
        ("五、优先改进的方面", [("img", ipa_png(ctx), 15)]),
        ("六、不同人群的评价（全市）", _breakdown_blocks(ctx, "ALL")),
        ("七、样本构成（全市）", [_composition_table(ctx, "ALL")]),
        ("八、群众的意见建议", comment_digest.blocks(ctx, "ALL")),
        (APPENDIX, _appendix(ctx, "ALL")),
    ]


def _public_table(ctx: Context):
    rows = [[marked(ctx, code), _f(ctx.row(code)["index"]), f"{_f(ctx.row(code)['ci_low'])}–{_f(ctx.row(code)['ci_high'])}",
             str(ctx.row(code).get("versus_city", "")), _grade(ctx.row(code))] for code in _ranked(ctx)]
    return ("table", ["区县", "满意度指数", "95% 置信区间", "与全市比较", "等级"], rows, {"widths": (16, 14, 18, 16, 30)})


def _public_method(ctx: Context) -> str:
    record, city = ctx.results.record, ctx.row("ALL")
    quality = record["quality"]
    rules = "、".join(method.RULES[r] for r in sorted(set(quality["exclude"]) | set(quality.get("always_excluded", []))))
    margins = record["weighting"].get("margins")
    weighted = (f"各区县的答卷按人口构成（{Wording.of(ctx.questionnaire).attributes(margins)}）加权，" if margins
                else "答卷未按人口加权，")
    grades = "，".join(f"{label}（{'指数 ≥ ' + format(bound, 'g') if bound > -1e300 else '其余'}）"
                      for bound, label in record["grades"])
    return (f"本次调查由{ctx.organizer or '第三方评估机构'}组织，群众通过扫描二维码在手机上匿名填写，"
            f"共收到答卷 {record['responses']['received']:,} 份，按质量规则剔除无效答卷（{rules}）后使用 "
            f"{int(city['n']):,} 份。问卷 {len(ctx.questionnaire.items)} 道题，每题的答案换算为 0–100 分，"
            f"满意度指数是各题得分的平均；{weighted}全市指数按各区县人口合成。调查是抽样，指数有抽样误差：95% 置信区间以 95% 的把握包含真实值，"
            f"区间重叠的区县之间差别不一定真实存在。等级按指数划分：{grades}。")


def public_sections(ctx: Context) -> list:
    """The city report as a city publishes it: results and grades, no problem lists or internal notes."""
    return [
        ("摘要", [("p", city_summary(ctx, public=True))]),
        ("一、调查概况", [("p", _public_method(ctx))]),
        ("二、各区县满意度", [("img", ranking_png(ctx, None), 16), _public_table(ctx),
                        ("p", "“与全市比较”：区县指数与全市指数之差经统计检验，分为高于全市、与全市持平、低于全市三档。"
                              + (IMPRECISE_NOTE if _any_imprecise(ctx) else ""))]),
        ("三、各方面满意度（全市）", [("img", items_png(ctx, "ALL"), 16), _item_table(ctx, "ALL", public=True)]),
    ]


def title_of(ctx: Context, code: str) -> str:
    return f"{ctx.name(code)}教育群众满意度调查报告" if code != "ALL" else "全市教育群众满意度调查报告"


def _number(ctx: Context, code: str, public: bool) -> str:
    """The report's number: campaign, date computed, county (全市 for the city)."""
    date = "".join(re.findall(r"\d+", ctx.computed)[:3])
    return "-".join(part for part in (ctx.slug, date, "全市" if code == "ALL" else code, "公开" if public else "") if part)


def report(ctx: Context, code: str, public: bool = False) -> Report:
    """A county's report, the city's (code ALL) or, `public`, the city's public version."""
    if public:
        sections, edition = public_sections(ctx), "公开版"
    elif code == "ALL":
        sections, edition = city_sections(ctx), "内部版（含各区县问题清单）"
    else:
        sections, edition = county_sections(ctx, code), "送本区县（含问题清单，供整改使用）"
    cover = tuple(row for row in (("编制单位", ctx.organizer), ("报告编号", _number(ctx, code, public)),
                                  ("计算时间", ctx.computed.removeprefix("计算于 "))) if row[1])
    return Report(title=title_of(ctx, code), subtitle=ctx.title, issuer=ctx.organizer, sections=sections,
                  cover=cover, running=f"{title_of(ctx, code)}　{ctx.title}", mark="模拟数据" if ctx.simulated else "",
                  edition=edition, toc=code == "ALL" and not public)


def pdf(ctx: Context, code: str, typesetter: Typesetter | None = None, public: bool = False) -> bytes:
    """`typesetter`: one for several reports (its fonts loaded once); else one for this report."""
    if typesetter is None:
        with Typesetter() as own:
            return own.pdf(report(ctx, code, public))
    return typesetter.pdf(report(ctx, code, public))


def docx(ctx: Context, code: str, public: bool = False) -> bytes:
    return docx_render.render(report(ctx, code, public))
