"""The method, in Chinese, from the analysis record: what the workbook's method sheet and the
reports' method section say, so that a reader can follow how every figure was made."""
from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from analysis.fallbacks import SPARSE_CELL
from analysis.wording import Wording
from questionnaires import Questionnaire

RULES = {"speeder": "作答过快", "duplicate_id": "提交编号重复", "honeypot": "疑似机器（隐藏字段被填写）",
         "incomplete": "有效作答题数不足", "straightline": "答案全部相同", "repeat_device": "同一设备重复提交",
         "burst": "同一网络地址短时集中提交", "review": "评估人员审核剔除"}


def notices_for(record: dict, counties: Collection[str] | None = None,
                names: Mapping[str, str] | None = None) -> list[str]:
    """The record's notices, or, for a reader of some `counties` only, those naming no county and
    what the others say of these counties alone (never another county's code or figures). The
    analysis knows counties by code: with `names`, each is called by its name."""
    if counties is None:
        texts = list(record.get("notices", []))
    else:
        scope = record.get("notice_scope", {"general": [], "counties": {}})
        texts = scope["general"] + [text for code in counties for text in scope["counties"].get(code, [])]
    return [named(text, names) for text in texts] if names else texts


def named(text: str, names: Mapping[str, str]) -> str:
    """`text` with each county code it holds replaced by the county's name."""
    if not names:
        return text
    pattern = re.compile("(?<![0-9])(" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + ")(?![0-9])")
    return pattern.sub(lambda m: names[m.group(1)], text)


def notes(record: dict, questionnaire: Questionnaire, counties: Collection[str] | None = None,
          names: Mapping[str, str] | None = None, counts: Mapping[str, int] | None = None) -> list[tuple[str, str]]:
    """(topic, text) rows; for a reader of some `counties` only, without what concerns other counties.
    `counts`: the reader's own received and used responses, said instead of the city's."""
    return settings_notes(record, questionnaire, each_county=counties is None, counts=counts) + \
        [("注意", notice) for notice in notices_for(record, counties, names)]


def settings_notes(record: dict, questionnaire: Questionnaire, each_county: bool = True,
                   counts: Mapping[str, int] | None = None) -> list[tuple[str, str]]:
    """The rows of `notes` before the notices; `each_county`: with what was done for single counties.
    Technical terms follow their Chinese words (迭代比例加权（raking）)."""
    quality = record["quality"]
    weighting = record["weighting"]
    scores = "，".join(f"{_label(questionnaire, int(code))}={score:g}" for code, score in record["score_mapping"].items())
    weights = record["item_weights"]
    equal = len(set(weights.values())) == 1
    excluded = "、".join(RULES[r] for r in sorted(set(quality["exclude"]) | set(quality.get("always_excluded", []))))
    flagged = "、".join(RULES[r] for r in RULES if r not in quality["exclude"] and r not in quality.get("always_excluded", []))
    responses = counts or record["responses"]
    rows = [
        ("问卷", f"{questionnaire.title}（版本 {questionnaire.version}），{len(questionnaire.items)} 道满意度题。"),
        ("样本", f"{'本区县' if counts else ''}收到答卷 {responses['received']:,} 份，按质量规则剔除 "
               f"{responses['received'] - responses['used']:,} 份后使用 {responses['used']:,} 份。"),
        ("质量规则", f"剔除：{excluded}（过快指用时少于 {quality['speeder_threshold_s']:.0f} 秒）；只标记不剔除：{flagged}。"),
        ("计分", f"各题答案换算为 0–100 分：{scores}；“不了解”按未作答处理。"),
        ("满意度指数", "每位答题人已答题目得分的加权平均；" + ("各题权重相同。" if equal else
                     "题目权重：" + "，".join(f"{k}={v:g}" for k, v in weights.items()) + "。")),
        ("加权", _weighting(weighting, Wording.of(questionnaire), each_county)
         + ("" if counts else weighting_effect(weighting))),       # (the effect on the city's index)
        ("抽样设计与标准误", f"区县为分层{_clusters(record['design']['clusters'])}；"
                      "标准误用泰勒线性化方法计算，并计入加权调整本身（与 R 语言 survey 包的 rake 和 svymean 函数相同）。"),
        ("置信区间", "95% 置信区间 = 估计值 ± t × 标准误，t 取自由度为抽样设计自由度的 t 分布（区县：整群数 − 1；"
                 f"全市：整群数 − 区县数 = {record['design']['degrees_of_freedom']:g}），区间截在 0–100 分以内；"
                 "满意率、不满意率的区间在对数几率（logit）尺度上计算（与 R 语言 survey 包的 svyciprop 函数的 logit 方法相同），"
                 "不会超出 0–100%。"),
        ("比较与名次", "各区县与全市之差的 t 检验（学生 t 分布）计入二者的协方差，自由度取该区县的自由度；“可能名次”区间以不低于 95% 的概率"
                  "包含区县的真实名次（每个区县与其余区县的比较作邦费罗尼（Bonferroni）多重比较校正，方法见 Klein、Wright、"
                  "Wieczorek 2020；两区县之差的自由度按韦尔奇–萨特思韦特（Welch–Satterthwaite）公式）。答案没有差异（标准误为 0）或只有 1 个整群的区县不做检验，"
                  "可能名次为全部名次。可能名次区间重叠的区县名次无法区分，因此各区县另按与全市之差的检验分为三档："
                  f"p < {record['alpha']:g} 且高于全市的为“高于全市”，低于全市的为“低于全市”，其余为“持平”。"
                  f"报告中“显著”与否和与全市之差的 {1 - record['alpha']:.0%} 置信区间出自同一个 t 检验（同一标准误、同一自由度），"
                  "区间不含 0 即显著，二者不会矛盾；区县自身指数的置信区间不用于这一判断（区县是全市的一部分，二者一同变动，"
                  "差的标准误小于区县指数的标准误）。p 值保留三位小数，小于 0.001 的写作 p<0.001，"
                  "三位小数恰为 0.050 的保留四位，以免与显著性界线混淆。"),
        ("等级", "，".join(f"{label}：{'≥' + format(bound, 'g') if bound > -1e300 else '其余'}"
                         for bound, label in record["grades"]) + "。等级按指数的点估计划分；"
                 "95% 置信区间跨到相邻等级的，注明“区间跨”哪些等级，如“优秀（区间跨良好）”。"),
        ("问题清单", _problems(record)),
        ("答案分布", "各题各选项的加权百分比：计分的选项以该题的有效作答（不含“不了解”）为分母，表示满意的选项之和"
                 "即满意率；“不了解”以全部有效答卷为分母（问卷每题必答，答卷中空白的题即“不了解”）；人数为未加权的份数。"),
        ("精确度", f"有效样本量（样本量 ÷ 满意度指数的设计效应，计入整群和加权）少于 {record['min_effective_n']:g}，"
                f"或整群少于 {record['min_clusters']} 个的区县标为“不够精确”（排名表和排名图中名称后加 *）。"
                "不同人群的评价中，同样条件下（该组答卷的整群少于上述个数，或其有效样本量少于上述值）的置信区间"
                "标为“（不可靠）”：区间由很少几个整群估计，本身不稳，可能比全区县的区间还窄。"),
    ]
    if record.get("versions"):
        rows.append(("计算软件及版本", "，".join(f"{k} {v}" for k, v in record["versions"].items()) + "。"))
    if weighting.get("targets_sha256"):
        rows.append(("人口目标文件指纹", f"SHA-256 校验值 {weighting['targets_sha256']}（同一份人口目标得到同一指纹，"
                                    "可用来核对计算所用的人口目标）。"))
    return rows


def _problems(record: dict) -> str:
    """How the problem list's two tiers are defined, with the settings used."""
    line, alpha = record["problem_threshold"], record["alpha"]
    adjustment = ("霍尔姆（Holm）法多重比较" if record["adjustment"] == "holm"
                  else "本雅明尼–霍赫伯格（Benjamini–Hochberg）法错误发现率")
    lowest = record.get("lowest_items", 0)
    return (f"分两层。“确定问题”：得分显著低于全市（与全市之差的 t 检验计入区县与全市的协方差，自由度取该区县的；"
            f"“低于全市”的单侧 p 值在区县内各题之间经{adjustment}校正后小于 {alpha:g}），或得分的 95% 置信区间上限"
            f"低于问题线 {line:g} 分。“需关注”：得分的 95% 置信区间整体低于全市得分但校正后不显著、"
            f"满意率低于 {record.get('satisfied_line', 0.7):.0%}、得分低于 {line:g} 分"
            + (f"，或为本区县得分最低的 {lowest} 项之一（低于本区县各题的平均得分）" if lowest else "") +
            "。区间整体低于全市的题目一定列入其中一层，与各题得分图一致。与全市之差的 95% 置信区间 = 差 ± t × 差的标准误"
            "（未经多重比较校正）；“与全市比较”用文字说明差别的确定程度。标准误为 0 或无法估计的题目不做检验。"
            "每层内按严重程度（本区县得分 − 全市得分与问题线中较小者）从小到大排列。")


def _label(questionnaire: Questionnaire, code: int) -> str:
    return next((p.label for p in questionnaire.scale.points if p.code == code), str(code))


def _clusters(cluster: str) -> str:
    if cluster == "none (each response)":
        return ""
    return "，按渠道整群（一个二维码或链接为一群）" if cluster == "channel" else f"，按 {cluster} 列整群"


def weighting_effect(weighting: dict) -> str:
    """What the weights did to the city's index, and why: the groups over- and under-represented
    in the sample (record["weighting"], analysis.job._weighting_effect); "" without it."""
    unweighted, weighted = weighting.get("unweighted_index"), weighting.get("weighted_index")
    if unweighted is None or weighted is None:
        return ""
    change = round(weighted, 1) - round(unweighted, 1)       # as the two printed figures differ
    text = (f"未加权时（每份答卷同等计入）全市满意度指数为 {unweighted:.1f}，按人口加权后为 {weighted:.1f}"
            + (f"，{'低' if change < 0 else '高'} {abs(change):.1f} 分" if round(abs(change), 1) else "，基本不变") + "。")
    groups = weighting.get("imbalanced_groups", [])

    def listed(rows):
        return "、".join(f"{g['label']}（样本占 {g['sample_share']:.0%}，人口占 {g['population_share']:.0%}"
                        + (f"，指数 {g['index']:.1f}" if g.get("index") is not None and g["index"] == g["index"] else "")
                        + "）" for g in rows)
    over = [g for g in groups if g["sample_share"] > g["population_share"]]
    under = [g for g in groups if g["sample_share"] < g["population_share"]]
    if over or under:
        text += ("样本中" + "，".join(part for part in (listed(over) + "偏多" if over else "",
                                                     listed(under) + "偏少" if under else "") if part)
                 + "；加权使各人群按其在人口中的比例计入（偏多的人群权重变小，偏少的变大）"
                 + ("，全市指数因此下降。" if change < 0 else "，全市指数因此上升。" if change > 0 else "。"))
    return text


def _tiny(share: float) -> str:
    """A small relative error in words, never in a computer's notation (8.7e-11)."""
    return "不到百万分之一" if share < 1e-6 else f"为 {share:.4%}"


def _weighting(weighting: dict, wording: Wording, each_county: bool = True) -> str:
    """How the weights were made; `each_county`: with the cells merged and fallbacks of every county
    (a reader of some counties only finds their own among the notices)."""
    if "margins" not in weighting:
        return "未使用人口目标：每份答卷权重为 1，全市结果按样本量而非人口合成。"
    margins = wording.attributes(weighting["margins"])
    text = (f"基础权重 = 区县人口 / 区县样本量；再在每个区县内按人口目标（{margins}）逐变量迭代调整（迭代比例加权，"
            "英文 raking），"
            f"{weighting['iterations']} 次迭代后各人口单元的最大相对误差{_tiny(weighting['max_margin_error'])}。")
    if weighting.get("trim_bounds"):
        low, high = weighting["trim_bounds"]
        text += f"权重截尾在基础权重的 {low:g}–{high:g} 倍之间。"
    if not each_county:
        return text
    if weighting.get("collapsed"):
        text += "合并的人口单元：" + "；".join(weighting["collapsed"]) + "。"
    if weighting.get("fallbacks"):
        text += (f"样本过少、无法同时满足各人口目标的区县，依次合并稀疏类别（少于 {SPARSE_CELL} 份答卷的类别并入相邻类别）、"
                 "减少加权变量：" + "；".join(weighting["fallbacks"]) + "。")
    return text
