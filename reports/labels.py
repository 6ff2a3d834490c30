"""The one map of Chinese headers and labels that documents show."""
from __future__ import annotations

COLUMNS = {
    "county": "区县代码", "county_name": "区县", "n": "样本量", "psu": "整群数", "df": "自由度",
    "n_effective": "有效样本量（样本量÷设计效应）", "n_effective_kish": "有效样本量（Kish，仅按权重）", "index": "满意度指数",
    "se": "标准误", "ci_low": "95%置信区间下限", "ci_high": "95%置信区间上限", "deff": "设计效应", "rank": "名次",
    "rank_low": "可能名次（最好）", "rank_high": "可能名次（最差）", "grade": "等级", "grade_span": "等级（计入置信区间）",
    "diff_vs_all": "与全市之差", "diff_ci_low": "与全市之差95%置信区间下限", "diff_ci_high": "与全市之差95%置信区间上限",
    "versus_city": "与全市比较", "reliable": "区间可靠（1=是）",
    "se_diff": "差的标准误", "p_vs_all": "与全市比较的p值", "imprecise": "不够精确（1=是）",
    "index_shrunk": "收缩估计", "se_shrunk": "收缩估计标准误", "shrinkage": "收缩系数",
    "item": "题号", "topic": "主题", "text": "题目", "mean": "平均得分",
    "share_satisfied": "满意率", "share_satisfied_se": "满意率标准误",
    "share_satisfied_ci_low": "满意率95%置信区间下限", "share_satisfied_ci_high": "满意率95%置信区间上限",
    "share_dissatisfied": "不满意率", "share_dissatisfied_se": "不满意率标准误",
    "share_dissatisfied_ci_low": "不满意率95%置信区间下限", "share_dissatisfied_ci_high": "不满意率95%置信区间上限",
    "attribute": "属性", "category": "类别", "label": "类别名称",
    "mean_all": "全市平均得分", "difference": "与全市之差", "se_difference": "差的标准误", "p_value": "p值",
    "p_adjusted": "校正后p值", "reason": "列入原因", "severity": "严重程度（越小越严重）",
    "received": "收到", "excluded": "剔除", "used": "使用",
    "speeder": "过快", "straightline": "答案全部相同", "duplicate_id": "编号重复", "repeat_device": "同一设备重复",
    "honeypot": "疑似机器", "burst": "集中提交", "incomplete": "作答题数不足", "review": "审核剔除",
    "channel": "渠道",
    "alpha": "克龙巴赫α", "n_complete": "答全所有题的样本量", "importance": "重要性", "performance": "表现（全市平均得分）",
    "quadrant": "象限", "sample_share": "样本占比", "population_share": "人口占比", "weight": "最终权重",
    "response_id": "回执编号",
    "tier": "层级", "certainty": "与全市比较", "difference_ci_low": "与全市之差95%置信区间下限",
    "difference_ci_high": "与全市之差95%置信区间上限", "measures": "整改措施", "department": "责任科室",
    "code": "答案代码", "share": "占比（加权）",
    "n_scored": "有效作答数（不含不了解）", "n_responses": "答卷数",
}
ALL = "全市"
# Quality flags stored with each response (the data files' flag_<name> columns).
FLAGS = {"speeder": "过快", "honeypot": "疑似机器", "straightline": "答案全部相同", "repeat_device": "同一设备重复",
         "address_burst": "同一网络集中提交", "form_burst": "集中打开问卷", "burst": "集中提交"}


def column(name: str) -> str:
    return COLUMNS.get(name, name)
