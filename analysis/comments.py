"""Residents' own words (the questionnaire's open question): cleaned, masked, summed up.

Pure computation on lists of text, as the rest of the analysis: no web, no database.

- ``normalise``: what is stored of a typed answer (control characters out, white space one space).
- ``mask``: personal details hidden for every staff-facing file and report (the evaluators' review
  page alone shows the raw text): phone numbers, ID numbers, e-mail and chat accounts, other long
  numbers, and names before a title (see ``mask_names``).
- ``themes_of``: the questionnaire's topics a comment is about, found by keywords (SEEDS).
- ``digest``: per county and for the city, how many wrote, the most frequent themes and other
  frequent words (jieba's segmentation, stop words left out), and a deterministic sample.
"""
from __future__ import annotations

import hashlib
import io
import logging
import re
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np

from analysis.table import Table

SAMPLE_SIZE = 8            # comments quoted per county (and for the city)
TOP_THEMES = 8             # themes listed per county
TOP_WORDS = 10             # other frequent words listed per county
SEGMENTED_PER_COUNTY = 1000   # at most this many comments of a county are segmented for its other words
SAMPLE_SEED = "comments-2026"

# ---------------------------------------------------------------------------------------------------
# Cleaning


_SPACE = re.compile(r"\s+")


def _words(text: str) -> frozenset[str]:
    """The words of a list written as text, separated by spaces."""
    return frozenset(text.split())


def normalise(text: str | None) -> str:
    """A typed answer as it is stored: control and format characters (Unicode category C: NUL,
    escapes, zero-width and direction marks) removed, every run of white space (line breaks, tabs,
    full-width spaces) one space, the ends trimmed. "" when nothing is left."""
    if not text:
        return ""
    kept = "".join(" " if ch.isspace() else ch for ch in text if ch.isspace() or unicodedata.category(ch)[0] != "C")
    return _SPACE.sub(" ", kept).strip()


# Answers that say nothing (compared without punctuation and spaces): they count as written, not as content.
NOTHING = _words("""无 没有 暂无 暂时没有 没 无意见 没有意见 没意见 无建议 没有建议 没建议 无意见建议 没有意见建议
没有意见和建议 无意见和建议 没什么 没什么意见 没什么建议 没有了 无无 不知道 不清楚 说不清 好 很好 挺好 都好 都很好 满意 很满意
非常满意 一般 还行 还可以 可以 同上 如上 暂无意见 暂无建议 没有其他 无其他 没有别的 谢谢 无所谓""")
_PUNCTUATION = re.compile(r"[\W_]+")


def informative(text: str) -> bool:
    """Whether a comment says something: not only punctuation, a digit or two, or a "无" / "没有"."""
    bare = _PUNCTUATION.sub("", text)
    return len(bare) >= 2 and bare not in NOTHING and not bare.isdigit()


# ---------------------------------------------------------------------------------------------------
# Masking

# Phone numbers and the like. \d is any Unicode digit, full-width ones too.
_NUMBERS = re.compile(
    r"(?P<email>[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)"
    r"|(?P<id>(?<!\d)\d{17}[\dXxＸｘ](?![\dA-Za-z]))"                           # ID number (18 digits, last may be X)
    r"|(?P<mobile>(?<!\d)(?:(?:\+|00)?86[\s-]?)?[1１][3-9３-９]\d(?:[\s-]?\d){8}(?!\d))"   # 11-digit mobile, any spacing
    r"|(?P<landline>(?<!\d)(?:[(（]0\d{2,3}[)）]|0\d{2,3})[\s-]?(?:\d{7,8}|\d{3,4}[\s-]\d{4})(?!\d))"
    r"|(?P<account>(?P<app>微信号?|[Qq]{2}号?|[VvWw][Xx])[\s:：是为]*(?:[A-Za-z][-_A-Za-z0-9]{5,19}|\d{5,12}))"
    r"|(?P<long>(?<!\d)(?:\d{7,}|\d{4}(?:[\s-]\d{4}){2,})(?!\d))"            # any other long number
)
_MAY_HOLD_NUMBER = re.compile(r"[\d@]|微信|[Qq]{2}|[VvWw][Xx]")
_SHOWN_AS = {"email": "【邮箱】", "id": "【身份证号】", "mobile": "【电话】", "landline": "【电话】",
             "account": "【账号】", "long": "【号码】"}

# Titles a name may stand before. A school has many teachers: a surname with 老师 (王老师) names
# nobody and stays; a school has one principal: 张校长 names one person and is masked.
SHARED_TITLES = ("班主任", "老师", "教练")
LEADER_TITLES = ("副校长", "校长", "副园长", "园长", "副主任", "主任", "副局长", "局长", "副书记", "书记", "副县长", "县长",
                 "副区长", "区长", "科长", "股长", "院长", "所长", "处长")
_TITLE = re.compile("|".join(sorted(SHARED_TITLES + LEADER_TITLES, key=len, reverse=True)))
# The common surnames (some 300 cover nearly all of China's population) and the double ones.
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟"
    "谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛"
    "邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路"
    "游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全"
    "佟应臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝")
DOUBLE_SURNAMES = _words("欧阳 司马 诸葛 上官 司徒 东方 夏侯 皇甫 尉迟 公孙 慕容 长孙 宇文 令狐 端木 西门 南宫 独孤")
# Words that begin like a surname and a given name but are none (高中老师, 任课老师, 全校校长).
NOT_NAMES = _words("高中 高一 高二 高三 高校 高年 任课 全校 全体 全班 全市 全县 方面 文科 理科 史地 "
                      "时候 时间 江安 常规 成绩 安全 明年 明天 万一 包括 单位 师生 师范 管理 车上 华文 宁可 于是 "
                      "关心 关于 关注 余下 应该 全部 向来 连续 连着 邱家 石头 温度 马上 沙河 商量 古诗 申请 路上")
# Words ending in a surname's character that come before a name (感谢李华老师: 谢 is not a surname here).
# Subjects end so too (语文李老师 is Li, the Chinese teacher).
BEFORE_NAMES = _words("感谢 谢谢 多谢 致谢 对于 关于 由于 至于 属于 等于 在于 终于 来自 语文 历史 作文 人文 中文 天文 "
                         "英文 外文")
PREPOSITIONS = frozenset("向于")    # 向李老师: a preposition before a surname


def mask(text: str | None) -> str:
    """The comment with personal details hidden: e-mail, ID numbers, phone numbers (mobiles with any
    spaces or dashes, landlines with an area code), chat accounts and other numbers of 7 digits or more
    as 【邮箱】【身份证号】【电话】【账号】【号码】; names before a title as 某 (see `mask_names`)."""
    if not text:
        return ""
    if _MAY_HOLD_NUMBER.search(text):            # most comments hold no digit: their scan is skipped
        text = _NUMBERS.sub(_shown_as, text)
    return mask_names(text)


def _shown_as(found: re.Match) -> str:
    kind = found.lastgroup
    return (found.group("app") if kind == "account" else "") + _SHOWN_AS[kind]


def mask_names(text: str) -> str:
    """A name before a title becomes 某: 王建国老师 -> 某老师, 张校长 -> 某校长, 欧阳娜娜主任 -> 某主任.

    The rule, for the Chinese characters just before each title (after the previous title):

    - a full name, a surname (SURNAMES or DOUBLE_SURNAMES) and one or two more characters, is masked
      before any title; the longest that reads as a name is taken (surname and two characters first);
    - a surname alone is masked before a title a school has one of (LEADER_TITLES: 校长, 园长, 主任,
      局长 …) and kept before a title many share (SHARED_TITLES: 老师, 班主任, 教练): 王老师 stays;
    - a candidate that is a common word (NOT_NAMES: 高中, 任课, 全校), whose surname ends a word before
      it (BEFORE_NAMES: 感谢李华老师 masks 李华, not 谢李华), or that starts with a preposition before
      a surname (向李老师) is not a name. A leader title whose first character makes a word with the one
      before (全校长期, 高校长) is not a title.

    Names after a title (校长王建国) and names without one are not found: the review page shows staff
    nothing, and evaluators read the raw text there.
    """
    if not _TITLE.search(text):
        return text
    out, start = [], 0
    for found in _TITLE.finditer(text):
        before = text[start:found.start()]
        run = _chinese_tail(before)
        cut = _name_length(run, found.group(), before, text[found.end():found.end() + 1])
        out.append(before[:len(before) - cut] + ("某" if cut else "") + found.group())
        start = found.end()
    out.append(text[start:])
    return "".join(out)


def _chinese_tail(text: str) -> str:
    """The Chinese characters at the end of `text` (at most five)."""
    tail = ""
    for ch in reversed(text[-5:]):
        if not "\u4e00" <= ch <= "\u9fff":
            break
        tail = ch + tail
    return tail


def _name_length(run: str, title: str, before: str, after: str = "") -> int:
    """How many characters at the end of `run` are a name before `title` (0: none); `after`: the
    character after the title."""
    for length in (4, 3, 2):
        if len(run) < length:
            continue
        name = run[-length:]
        double = name[:2] in DOUBLE_SURNAMES
        if (length == 4 and not double) or (length == 2 and double):      # 欧阳 alone is a surname
            continue
        if not (double or name[0] in SURNAMES) or name[:2] in NOT_NAMES | BEFORE_NAMES or name in NOT_NAMES:
            continue
        if not double and name[0] in PREPOSITIONS and name[1] in SURNAMES:
            continue
        if len(run) > length and run[-length - 1] + name[0] in BEFORE_NAMES:
            continue
        return length
    if title not in LEADER_TITLES:
        return 0
    if run[-2:] in DOUBLE_SURNAMES:
        return 2
    if run and run[-1] in SURNAMES and run[-2:] not in BEFORE_NAMES | NOT_NAMES \
            and not (run[-1] + title[0] in _WORDS_WITH_TITLE and title[-1:] + after in _LONG):
        return 1
    return 0


# 长期, 长久 …: after one of _WORDS_WITH_TITLE, a title's last character starts one of these words
# (高校长期缺乏: 高校 长期), and there is no title; else it is one (高校长不听: Principal Gao).
_LONG = _words("长期 长久 长远 长年 长此 长时 长大 长达 长效")
# A character and a title's first one that make a word (全校长期, 高校长期, 学校长期): no title there
# when _LONG follows.
_WORDS_WITH_TITLE = _words("全校 高校 学校 分校 本校 母校 名校 军校 党校 夜校 离校 返校 在校 住校 到校 离园 入园 "
                              "田园 公园 家园 校园 花园 果园")


# ---------------------------------------------------------------------------------------------------
# Themes

# Keywords of the default questionnaire's topics; a questionnaire's own topic names are keywords too.
SEEDS = {
    "学前教育": "幼儿园 入园 学前 托儿所 幼教 保育 幼师",
    "入学公平": "入学 招生 划片 学区 择校 学位 户口 借读",
    "办学条件": "校舍 教室 操场 运动场 设备 设施 办学条件 空调 厕所 宿舍 图书馆 大班额 班额 硬件 塑胶跑道 教学楼",
    "师德师风": "师德 师风 体罚 收礼 送礼 有偿补课 敬业 责任心 负责 认真 耐心 态度 辱骂 偏心",
    "教学质量": "教学质量 教学水平 成绩 升学率 升学 师资 课堂 教学 优秀教师 好老师",
    "学业负担": "作业 负担 减负 双减 考试 排名 压力 打卡 题海",
    "课后服务": "课后服务 课后 托管 延时 兴趣班 社团 晚托 看护",
    "校园安全": "安全 交通 门口 接送 校车 欺凌 霸凌 保安 隐患 堵车",
    "学校食堂": "食堂 饭菜 伙食 午餐 午饭 营养餐 吃饭 饭量 菜品 吃不饱",
    "身心健康": "体育 锻炼 视力 近视 心理 健康 睡眠 运动 体育课 户外",
    "教育关爱": "留守 随迁 残疾 特殊教育 特教 关爱 单亲 孤儿",
    "家校沟通": "家长群 沟通 家访 家长会 家校 回复 通知",
    "收费资助": "收费 乱收费 费用 资助 补助 贫困 助学 资料费 学费",
    "高中职教": "高中 职高 中职 职业教育 职校 技校 普高 中考 职业学校",
    "校外培训": "培训 补课 辅导班 补习 培训班 培训机构 校外",
    "政府重视": "政府 投入 经费 待遇 编制 教育局 财政 工资",
}


@dataclass(frozen=True)
class ThemeFinder:
    """Each topic's keywords in one pattern (longest first, so 运动场 is 办学条件, not 运动)."""

    topics: tuple[str, ...]
    pattern: re.Pattern
    topic_of: dict[str, str]

    @classmethod
    def for_topics(cls, topics: Sequence[str]) -> ThemeFinder:
        topics = tuple(dict.fromkeys(topics))
        topic_of: dict[str, str] = {}
        for topic in topics:
            for word in [topic, *SEEDS.get(topic, "").split()]:
                topic_of.setdefault(word, topic)
        words = sorted(topic_of, key=len, reverse=True)
        return cls(topics, re.compile("|".join(map(re.escape, words))), topic_of)

    def themes(self, text: str) -> list[str]:
        """The topics the text mentions, in the order it first mentions them."""
        return list(dict.fromkeys(self.topic_of[m.group()] for m in self.pattern.finditer(text)))


# Words that say nothing of what a comment is about (and the survey's own words).
STOP_WORDS = _words("""我们 你们 他们 她们 自己 大家 孩子 小孩 学生 学校 老师 家长 教育 本地 地方 希望 建议 意见 觉得 感觉 认为
没有 还是 就是 一些 一个 这个 那个 这些 那些 什么 怎么 现在 已经 可以 能够 需要 应该 非常 比较 很多 太多 问题 方面 目前 进一步
加强 提高 改善 以后 每天 有些 其他 而且 但是 因为 所以 如果 还有 不是 不要 不能 不够 满意 谢谢 感谢 工作 情况 一定 更加
增加 减少 希望 能够 继续 做好 多多 一下 一点 有点 有的 的话 这样 那样 时候 之后 之前 以前 现在 还要 越来越 特别 真的 确实
尤其 主要 相关 进行 存在 出现 适当 注意 实际 合理 重视 支持 关注 提升 完善 落实 保障 希望 可能 不会 不用 只是 然后 各位
辛苦 谢谢你们 一直 本县 县里 我县 我们县 市里 国家 另外 尽快 改进 经常 几点 欢迎 回访 联系 有问题 一下子 总体 好多 很大 太大 太多了 不好 多一些""")
_MASKED = re.compile(r"【[^】]*】")      # what mask() put in place of personal details


_segmenter = None
_segmenter_lock = threading.Lock()
segmenter_load_seconds: float | None = None     # what loading jieba's dictionary took in this process


# jieba's dictionary holds 349,046 words; loading it took 1-1.6 s. Words seen fewer than this many times
# in its corpus (four in five) are too rare to be among a county's frequent words: without them the
# dictionary loads in a quarter of the time, and such a word is cut into characters, which are not counted.
MIN_FREQUENCY = 20


def segmenter():
    """jieba's tokenizer, its dictionary (the words of MIN_FREQUENCY and more) loaded once per process on
    first use (about 0.3 s), the themes' keywords added."""
    global _segmenter, segmenter_load_seconds
    with _segmenter_lock:
        if _segmenter is None:
            start = time.perf_counter()
            import jieba
            jieba.setLogLevel(logging.WARNING)          # no "Building prefix dict …" on the console
            tokenizer = jieba.Tokenizer()
            with resources.files("jieba").joinpath("dict.txt").open("rb") as dictionary:   # "word count [tag]"
                kept = b"".join(line for line in dictionary if int(line.split(b" ", 2)[1]) >= MIN_FREQUENCY)
            tokenizer.FREQ, tokenizer.total = tokenizer.gen_pfdict(io.BytesIO(kept))
            tokenizer.initialized = True
            for words in SEEDS.values():
                for word in words.split():
                    tokenizer.add_word(word)             # a keyword is one word, never split
            _segmenter = tokenizer
            segmenter_load_seconds = time.perf_counter() - start
    return _segmenter


_NUMERALS = frozenset("一二三四五六七八九十百千两几")


def _word(token: str) -> bool:
    """A word worth counting: two or more Chinese characters, not a stop word, not a number (十一点, 一些)."""
    return (len(token) >= 2 and all("\u4e00" <= ch <= "\u9fff" for ch in token) and token not in STOP_WORDS
            and token[0] not in _NUMERALS)


def other_words(texts: Sequence[str], finder: ThemeFinder, known: dict[str, frozenset] | None = None) -> Counter:
    """Per word (jieba's segmentation, no stop words, no theme keyword), how many of the texts use it.
    `known`: the words of texts segmented before (a text is segmented once; it is added to)."""
    if not texts:
        return Counter()
    cut = segmenter().lcut
    known = {} if known is None else known
    counts: Counter = Counter()
    for text, n in Counter(texts).items():
        if text not in known:
            known[text] = frozenset(w for w in cut(_MASKED.sub(" ", text), HMM=False)
                                    if _word(w) and w not in finder.topic_of)
        for word in known[text]:
            counts[word] += n
    return counts


# ---------------------------------------------------------------------------------------------------
# The digest


COLUMN = "comment"        # the responses' column (questionnaires.model.COMMENT_FIELD)


def column(responses: Mapping, questionnaire) -> np.ndarray | None:
    """Each response's comment (text, or None), when the questionnaire asks the open question and the
    responses carry its column; else None."""
    if questionnaire.comment is None or COLUMN not in responses:
        return None
    return np.array([v if isinstance(v, str) else None for v in responses[COLUMN]], dtype=object)


@dataclass(frozen=True)
class Digest:
    """What residents wrote, per county and for the city (county ALL, last).

    summary:  county, responses (valid), comments (written), informative (saying something), share
              (comments / responses)
    themes:   county, kind ("主题": a topic of the questionnaire, "词语": another frequent word), theme,
              n (informative comments mentioning it), share (of the informative comments)
    samples:  county, rank, text (masked): at most SAMPLE_SIZE quotable comments
    comments: county, response_id, text (masked), themes: every informative comment of a valid response
    question: the open question as asked
    """

    summary: Table
    themes: Table
    samples: Table
    comments: Table
    question: str

    def of(self, county: str) -> CountyWords:
        """One county's (or the city's, ALL) part."""
        i = list(self.summary["county"]).index(county)
        row = {name: self.summary[name][i] for name in self.summary}

        def listed(kind: str) -> list[tuple[str, int, float]]:
            rows = (self.themes["county"] == county) & (self.themes["kind"] == kind)
            return [(str(t), int(n), float(s)) for t, n, s in zip(self.themes["theme"][rows], self.themes["n"][rows],
                                                                  self.themes["share"][rows])]
        return CountyWords(int(row["responses"]), int(row["comments"]), int(row["informative"]), float(row["share"]),
                           listed("主题"), listed("词语"),
                           [str(t) for t in self.samples["text"][self.samples["county"] == county]])


@dataclass(frozen=True)
class CountyWords:
    """A county's (or the city's) part of the digest."""

    responses: int                            # valid responses
    comments: int                             # of them, with a comment
    informative: int                          # of those, saying something
    share: float                              # comments / responses
    themes: list[tuple[str, int, float]]      # (topic, comments mentioning it, share of informative comments)
    words: list[tuple[str, int, float]]       # other frequent words, likewise
    samples: list[str]                        # masked


def digest(counties: Sequence[str], county_of: Sequence[str], response_ids: Sequence[str],
           texts: Sequence[str | None], topics: Sequence[str], question: str) -> Digest:
    """The digest of the valid responses (one entry each, in any order): `county_of` their counties,
    `texts` their comments (None or "" where they wrote nothing), for `counties` in report order.

    Notes
    -----
    Shares are of valid responses, unweighted (what was written, not an estimate for the population).
    Themes are counted once per comment. Other words come from at most SEGMENTED_PER_COUNTY comments of
    a county (a deterministic choice), and the city's are the counties' summed. The sample (`sample`) is
    the same for the same comments, whatever their order.
    """
    finder = ThemeFinder.for_topics(topics)
    county_of = np.asarray(county_of, dtype=object)
    groups = {c: [] for c in counties}
    written = Counter()
    for county, rid, text in zip(county_of, response_ids, texts):
        if not isinstance(text, str) or not text.strip():
            continue
        written[county] += 1
        if informative(text):
            shown = mask(text)
            groups.setdefault(county, []).append((str(rid), shown, finder.themes(shown)))
    responses = Counter(county_of.tolist())
    summary, theme_rows, sample_rows, comment_rows = [], [], [], []
    city_themes, city_words, segmented = Counter(), Counter(), {}
    for county in counties:
        found = groups.get(county, [])
        summary.append((county, responses[county], written[county], len(found)))
        themes = Counter(t for _, _, ts in found for t in ts)
        words = other_words(_some(found, SEGMENTED_PER_COUNTY), finder, segmented)
        city_themes.update(themes)
        city_words.update(words)
        theme_rows += _ranked(county, themes, words, len(found))
        sample_rows += [(county, k, text) for k, text in enumerate(sample(found), start=1)]
        comment_rows += [(county, rid, text, "、".join(ts)) for rid, text, ts in found]
    everyone = [entry for county in counties for entry in groups.get(county, [])]
    summary.append(("ALL", sum(responses[c] for c in counties), sum(written[c] for c in counties), len(everyone)))
    theme_rows += _ranked("ALL", city_themes, city_words, len(everyone))
    sample_rows += [("ALL", k, text) for k, text in enumerate(sample(everyone), start=1)]
    n = np.array([r[1] for r in summary], dtype=np.int64)
    wrote = np.array([r[2] for r in summary], dtype=np.int64)
    return Digest(
        summary=Table({"county": _texts(r[0] for r in summary), "responses": n, "comments": wrote,
                       "informative": np.array([r[3] for r in summary], dtype=np.int64),
                       "share": wrote / np.maximum(n, 1)}),
        themes=Table({"county": _texts(r[0] for r in theme_rows), "kind": _texts(r[1] for r in theme_rows),
                      "theme": _texts(r[2] for r in theme_rows),
                      "n": np.array([r[3] for r in theme_rows], dtype=np.int64),
                      "share": np.array([r[4] for r in theme_rows], dtype=float)}),
        samples=Table({"county": _texts(r[0] for r in sample_rows),
                       "rank": np.array([r[1] for r in sample_rows], dtype=np.int64),
                       "text": _texts(r[2] for r in sample_rows)}),
        comments=Table({name: _texts(r[i] for r in comment_rows)
                        for i, name in enumerate(("county", "response_id", "text", "themes"))}),
        question=question)


def _texts(values) -> np.ndarray:
    return np.array(list(values), dtype=object)


def _ranked(county: str, themes: Counter, words: Counter, informative_n: int) -> list[tuple]:
    """The most frequent themes (mentioned at least once) and other words (used at least twice)."""
    rows = [(county, "主题", t, n, n / informative_n) for t, n in _top(themes, TOP_THEMES, 1)]
    return rows + [(county, "词语", w, n, n / informative_n) for w, n in _top(words, TOP_WORDS, 2)]


def _top(counts: Counter, k: int, least: int) -> list[tuple[str, int]]:
    """The k most frequent (ties in the order of the text, then alphabetically: stable across runs)."""
    return sorted(((w, n) for w, n in counts.items() if n >= least), key=lambda x: (-x[1], x[0]))[:k]


def _key(text: str) -> str:
    return hashlib.sha256(f"{SAMPLE_SEED}:{text}".encode()).hexdigest()


def _some(found: list[tuple], limit: int) -> list[str]:
    """The texts, or a deterministic choice of `limit` of them (by keyed hash)."""
    texts = [text for _, text, _ in found]
    return texts if len(texts) <= limit else sorted(texts, key=_key)[:limit]


def sample(found: list[tuple[str, str, list[str]]], size: int = SAMPLE_SIZE) -> list[str]:
    """Up to `size` quotable comments (masked texts), so that the sample shows the range of what was
    written: for each theme, the most written-about first, the longest comment that begins with it (up
    to 100 characters; ties by keyed hash, not by chance); then the longest others. Each text, and each
    sentence of six characters or more, is quoted once (while enough others remain)."""
    themes_of: dict[str, list[str]] = {}
    for _, text, themes in found:
        themes_of.setdefault(text, themes)
    order = sorted(themes_of, key=lambda t: (-min(len(t), 100), _key(t)))
    frequency = Counter(t for _, _, themes in found for t in themes)
    chosen: list[str] = []
    quoted: set[str] = set()

    def fresh(text: str) -> bool:
        return text not in chosen and not _sentences(text) & quoted

    def take(text: str) -> None:
        chosen.append(text)
        quoted.update(_sentences(text))

    for theme, _ in _top(frequency, len(frequency), 1):
        lead = next((t for t in order if themes_of[t][:1] == [theme] and fresh(t)), None)
        if lead is not None and len(chosen) < size:
            take(lead)
    for text in order:
        if len(chosen) < size and fresh(text):
            take(text)
    return chosen + [t for t in order if t not in chosen][:size - len(chosen)]


_SENTENCE_END = re.compile(r"[。！？!?；;…]+")


def _sentences(text: str) -> set[str]:
    return {s.strip("，, ") for s in _SENTENCE_END.split(text) if len(s.strip("，, ")) >= 6}
