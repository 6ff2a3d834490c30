"""What simulated residents write in the open question: about one in ten, mostly about what they
rated worst, some praise, some only "无"; a few give a phone number or a teacher's full name, so that the
demo's files and reports show the masking. Deterministic for a seed (its own random stream, so the
answers the simulation draws are the same with or without comments)."""
from __future__ import annotations

import numpy as np

# What a resident says about each topic of the default questionnaire (q01..q16), unhappy with it.
COMPLAINTS = (
    ("公办幼儿园太少，学位紧张，私立幼儿园收费太高。", "家附近没有幼儿园，每天接送要走很远。", "幼儿园老师流动太大，孩子刚熟悉又换了人。"),
    ("划片入学不透明，希望公开招生政策。", "随迁子女入学手续太复杂，材料要跑好几趟。", "学区房炒得太厉害，普通家庭就近入学难。"),
    ("教室太挤，一个班六十多个孩子，大班额问题希望尽快解决。", "学校操场太小，下雨天没有地方活动。",
     "农村学校的设备太旧，电脑和图书都不够。", "宿舍条件差，冬天没有热水洗澡。"),
    ("个别老师态度不好，经常大声训斥孩子。", "有老师暗示家长送礼，希望严查。", "希望老师对每个孩子一视同仁，不要偏心。"),
    ("农村学校师资弱，好老师都调到城里去了。", "希望提高教学质量，孩子成绩一直上不去。", "老师换得太频繁，孩子的课程跟不上。"),
    ("作业太多，孩子每天写到十一点，睡眠严重不足。", "家庭作业经常要家长批改、打卡，家长压力很大。", "考试和排名还是很多，孩子压力太大。"),
    ("课后服务只是看着写作业，希望多开兴趣班和社团。", "放学太早，双职工家庭接不了孩子，希望延长托管时间。", "课后服务收费希望公开透明。"),
    ("学校门口上下学时交通太乱，希望派交警疏导。", "校门口的小摊卖三无食品，希望整治。", "校车太少，孩子上学路上不安全。"),
    ("食堂饭菜太贵，分量少，孩子经常吃不饱。", "食堂的菜太油太咸，希望改善伙食。", "希望家长能参与食堂监督，公开食材来源。"),
    ("体育课经常被占用，孩子运动太少。", "孩子近视越来越多，希望学校重视视力保护。", "希望学校配专职心理老师，关注孩子的心理健康。"),
    ("留守儿童需要更多关爱，希望老师多家访。", "残疾孩子上学难，希望多一些特殊教育资源。"),
    ("家长群消息太多，很多事情都推给家长做。", "希望学校有事提前通知，不要临时才说。", "家长会太少，想了解孩子在学校的情况找不到人。"),
    ("学校收的资料费太多，希望规范收费。", "贫困家庭资助名额太少，评选也不公开。", "收费名目多，希望公开收费明细。"),
    ("本地高中质量一般，成绩好的学生都去外地读书了。", "职业学校专业太少，希望多开实用的专业。", "中考分流让家长很焦虑，希望多一些普高学位。"),
    ("校外培训班换个名字还在开，希望加强监管。", "有老师在外面办补习班，希望严查有偿补课。"),
    ("希望政府加大对农村学校的投入。", "教师待遇偏低，好老师留不住，希望提高教师工资。", "希望教育经费多用在改善教学条件上。"),
)
PRAISE = ("总体满意，感谢学校和老师的辛苦付出！", "孩子在学校很开心，老师很负责，谢谢！", "这几年学校变化很大，新建了教学楼，非常满意。",
          "食堂饭菜比以前好多了，孩子很喜欢。", "课后服务解决了我们接孩子的难题，点赞！", "校门口有交警和保安值守，很放心。")
OPENINGS = ("", "", "", "建议：", "我是家长，", "说几点意见：")
CLOSINGS = ("", "", "", "谢谢！", "希望尽快改进。", "希望教育局重视。")
NOTHING = ("无", "没有", "暂无意见", "没有。", "很好", "无意见")
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高"
GIVEN = ("建国", "秀英", "伟", "芳", "静", "志强", "丽华", "明", "海燕", "军")
NAMED = ("感谢{name}老师对孩子的耐心教导！", "{name}老师很负责，孩子进步很大，谢谢！", "{surname}校长从来不听家长的意见，希望上级关注。",
         "{name}老师上课经常玩手机，请学校管一管。")
PHONES = ("我的电话{phone}，欢迎回访。", "有问题可以联系我：{phone}。")

WRITE_RATE = 0.07          # residents who write something ...
WRITE_RATE_UNHAPPY = 0.16  # ... and those who rated some item 不满意 or worse
NOTHING_SHARE = 0.15       # of those who write: only "无" and the like
PRAISE_SHARE = 0.6         # of those who rated nothing below 满意: praise (the rest: a suggestion anyway)
PERSONAL_SHARE = 0.04      # of those who write: a teacher's full name, and as many a phone number


def comments(seed: int, codes: np.ndarray, not_applicable: int | None) -> np.ndarray:
    """Each simulated resident's comment (None: none), from their answer codes (residents x 16 items,
    5 = 非常满意 … 1 = 非常不满意)."""
    rng = np.random.default_rng([seed, 0xC0])
    n = len(codes)
    scored = np.where(codes == not_applicable, 9, codes)
    worst = scored.min(axis=1)
    writes = rng.random(n) < np.where(worst <= 2, WRITE_RATE_UNHAPPY, WRITE_RATE)
    out = np.full(n, None, dtype=object)
    for i in np.flatnonzero(writes):
        out[i] = _comment(rng, scored[i])
    return out


def _pick(rng, options):
    return options[rng.integers(len(options))]


def _comment(rng, codes: np.ndarray) -> str:
    draw = rng.random()
    if draw < NOTHING_SHARE:
        return _pick(rng, NOTHING)
    if draw < NOTHING_SHARE + PERSONAL_SHARE:
        name = _pick(rng, SURNAMES) + _pick(rng, GIVEN)
        return _pick(rng, NAMED).format(name=name, surname=name[0])
    if draw < NOTHING_SHARE + 2 * PERSONAL_SHARE:
        phone = "1" + str(rng.integers(3, 10)) + "".join(str(d) for d in rng.integers(0, 10, 9))
        if rng.random() < 0.5:
            phone = f"{phone[:3]} {phone[3:7]} {phone[7:]}" if rng.random() < 0.5 else f"{phone[:3]}-{phone[3:7]}-{phone[7:]}"
        return _topic_text(rng, codes) + _pick(rng, PHONES).format(phone=phone)
    if codes.min() >= 4 and rng.random() < PRAISE_SHARE:
        return _pick(rng, PRAISE)
    return _pick(rng, OPENINGS) + _topic_text(rng, codes) + _pick(rng, CLOSINGS)


def _topic_text(rng, codes: np.ndarray) -> str:
    """About the item rated worst (ties: one of them), sometimes a second one rated 一般 or worse too."""
    worst = np.flatnonzero(codes == codes.min())
    first = int(_pick(rng, worst))
    text = _pick(rng, COMPLAINTS[first])
    others = [j for j in np.argsort(codes, kind="stable")[:3] if j != first and codes[j] <= 3]
    if others and rng.random() < 0.25:
        text += "另外，" + _pick(rng, COMPLAINTS[int(others[0])])
    return text
