"""Residents' own words: cleaning, masking personal details, themes and the digest (hand-made corpus)."""
import random

import pytest

import questionnaires
from analysis import comments

TOPICS = [item.topic for item in questionnaires.load(questionnaires.DEFAULT).items]


@pytest.mark.parametrize("typed, stored", [
    ("  食堂\r\n饭菜\t太贵\u3000了  ", "食堂 饭菜 太贵 了"),
    ("作业\x00太多\x1b[31m\u200b了\u202e", "作业太多[31m了"),
    ("\n \t\u3000", ""),
    (None, ""),
])
def test_typed_text_is_stored_without_control_characters_and_with_single_spaces(typed, stored):
    assert comments.normalise(typed) == stored


@pytest.mark.parametrize("text, says", [("无", False), ("没有。", False), ("无意见！", False), ("1", False),
                                        ("。。", False), ("很好", False), ("食堂太差", True), ("希望多开兴趣班", True)])
def test_a_comment_saying_nothing_is_told_apart(text, says):
    assert comments.informative(text) is says


@pytest.mark.parametrize("text, shown", [
    # phone numbers, with any spaces or dashes, and landlines with an area code
    ("有事打13812345678", "有事打【电话】"),
    ("电话 138 1234 5678 或 138-1234-5678", "电话 【电话】 或 【电话】"),
    ("+86 139-8765-4321找我", "【电话】找我"),
    ("座机0831-1234567，(0831)12345678", "座机【电话】，【电话】"),
    ("１３８１２３４５６７８", "【电话】"),
    # ID numbers (last character X), e-mail, chat accounts, other long numbers
    ("身份证51150219800101123X", "身份证【身份证号】"),
    ("身份证号511502198001011234。", "身份证号【身份证号】。"),
    ("发邮件到 wang.jg@163.com 吧", "发邮件到 【邮箱】 吧"),
    ("加微信：wxid_abc123", "加微信【账号】"),
    ("QQ 12345678", "QQ【账号】"),
    ("卡号6222020200001234567", "卡号【号码】"),
    # names before a title: a full name always, a surname alone before a title a school has one of
    ("王建国老师打学生", "某老师打学生"),
    ("王老师很好", "王老师很好"),
    ("张校长不作为", "某校长不作为"),
    ("学校李副校长", "学校某副校长"),
    ("欧阳娜娜老师", "某老师"),
    ("欧阳校长", "某校长"),
    ("感谢李华老师的付出", "感谢某老师的付出"),
    ("向李明老师反映过", "向某老师反映过"),
    ("班主任李明老师", "班主任某老师"),
    ("刘主任好", "某主任好"),
    ("高校长从来不听家长的意见", "某校长从来不听家长的意见"),      # Principal Gao: no 长期 follows
])
def test_personal_details_are_masked(text, shown):
    assert comments.mask(text) == shown


@pytest.mark.parametrize("text", [
    "收费3000元太贵", "2026-11-01开学", "高中老师太少", "任课老师经常换", "数学老师很负责", "全校长期没有体育课",
    "谢谢王老师", "向李老师学习", "语文李老师很好", "二年级王老师", "高校长期招不到人", "拨打12345热线", "公园长期无人管",
])
def test_what_names_nobody_is_left_as_written(text):
    assert comments.mask(text) == text


def test_themes_are_the_questionnaires_topics_found_by_keywords():
    finder = comments.ThemeFinder.for_topics(TOPICS)
    assert finder.themes("食堂饭菜太贵，作业太多") == ["学校食堂", "学业负担"]      # in the order written
    assert finder.themes("运动场太小") == ["办学条件"]                          # 运动场 before 运动
    assert finder.themes("孩子上幼儿园太远，入园难") == ["学前教育"]            # once per comment
    assert finder.themes("谢谢") == []
    assert finder.themes("新建了教学楼") == ["办学条件"] and finder.themes("希望学校重视视力保护") == ["身心健康"]
    assert comments.ThemeFinder.for_topics(["午休时间"]).themes("午休时间太短") == ["午休时间"]   # a topic of its own


# A small fixed corpus: county A writes about the canteen and homework, county B about safety and fees.
A = ["食堂饭菜太贵了，孩子经常吃不饱，希望降低价格。", "食堂卫生要加强，饭菜太油腻。", "作业太多，孩子每天写到十一点，睡眠不足。",
     "作业太多了，周末也要写作业，课外阅读时间没有了。", "王建国老师很负责，联系电话13812345678。", "无", "没有", None, ""]
B = ["学校门口接送时交通太乱，希望加强管理。", "校门口交通拥堵，放学时很危险。", "课后服务收费不透明，希望公开收费标准。",
     "资料费不公开，每学期都要交，收费太多。", "张校长很少来学校。", "很好", None, None]


def _digest(a=A, b=B, order=None):
    rows = [("511502", f"a{i}", t) for i, t in enumerate(a)] + [("511503", f"b{i}", t) for i, t in enumerate(b)]
    if order is not None:
        random.Random(order).shuffle(rows)
    county, ids, texts = zip(*rows)
    return comments.digest(["511502", "511503"], county, ids, texts, TOPICS, "您对本地教育还有什么意见和建议？")


def test_the_digest_counts_who_wrote_and_what_about():
    digest = _digest()
    a, b, city = digest.of("511502"), digest.of("511503"), digest.of("ALL")
    assert (a.responses, a.comments, a.informative) == (9, 7, 5)          # None and "" wrote nothing; 无 says nothing
    assert (b.responses, b.comments, b.informative) == (8, 6, 5)
    assert (city.responses, city.comments, city.informative) == (17, 13, 10)
    assert a.share == pytest.approx(7 / 9) and city.share == pytest.approx(13 / 17)
    assert a.themes[:2] == [("学业负担", 2, 0.4), ("学校食堂", 2, 0.4)]
    assert {t: n for t, n, _ in b.themes} == {"校园安全": 2, "收费资助": 2, "课后服务": 1}
    assert {t: n for t, n, _ in city.themes}["学校食堂"] == 2
    assert ("公开", 2, 0.4) in b.words and all(w not in comments.STOP_WORDS for w, _, _ in city.words)
    assert "门口" not in [w for w, _, _ in b.words]                       # a keyword is a theme, not another word


def test_a_county_sample_holds_its_own_comments_masked_and_the_same_each_time():
    digest = _digest()
    a, b = digest.of("511502"), digest.of("511503")
    assert set(a.samples) <= {comments.mask(t) for t in A if t} and len(a.samples) == 5
    assert set(b.samples) <= {comments.mask(t) for t in B if t}
    assert "某老师很负责，联系电话【电话】。" in a.samples and "某校长很少来学校。" in b.samples
    assert not any("13812345678" in t or "王建国" in t for t in digest.of("ALL").samples)
    assert _digest(order=1).samples.to_pandas().equals(digest.samples.to_pandas())     # input order does not matter
    assert list(digest.comments["text"][digest.comments["county"] == "511503"])[-1] == "某校长很少来学校。"


def test_a_sample_is_at_most_eight_distinct_comments_covering_the_themes_first():
    found = [(f"r{i}", f"食堂饭菜第{i}次不好吃，价格太贵。", ["学校食堂"]) for i in range(20)]
    found += [("x", "作业太多。", ["学业负担"]), ("y", "作业太多。", ["学业负担"])]
    chosen = comments.sample(found)
    assert len(chosen) == 8 == len(set(chosen)) and "作业太多。" in chosen
    assert comments.sample(found) == chosen


def test_the_dictionary_is_loaded_once_per_process():
    first = comments.segmenter()
    assert comments.segmenter() is first and comments.segmenter_load_seconds is not None
    assert "吃不饱" in first.lcut("孩子吃不饱")                       # the keywords are words of its own
