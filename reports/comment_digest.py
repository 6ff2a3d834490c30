"""The reports' section on residents' own words (the questionnaire's open question): how many wrote,
about what, and some of what they wrote, personal details masked (analysis.comments).

`blocks` returns the section's blocks in the format of reports.documents: ("p", text) and
("table", header, rows, options). A county's section holds that county's comments only.
"""
from __future__ import annotations

from analysis.comments import SAMPLE_SIZE, CountyWords

SAMPLE_NOTE = (f"原话摘录（至多 {SAMPLE_SIZE} 条）按固定规则选出：按提及份数从多到少，每个方面选一条以它开头、内容较完整的意见，"
               "同一句话只摘一次；同样的答卷每次摘录相同。电话、身份证号、邮箱、账号和称呼前的姓名已隐去，其余照录。")


def blocks(ctx, code: str) -> list:
    """The section of a county's report (the county's comments only) or of the city's (code ALL)."""
    digest = ctx.results.comments
    if digest is None:
        return [("p", "本次调查的问卷没有开放的意见建议题（或答卷数据中没有意见建议一列），本节从略。")]
    own = digest.of(code)
    where = "全市" if code == "ALL" else "本区县"
    lead = (f"问卷最后一题为选答的开放题“{digest.question}”。{where}有效答卷 {own.responses:,} 份中，"
            f"{own.comments:,} 份写了回答（占 {_pct(own.comments, own.responses)}）")
    if own.comments and own.informative < own.comments:
        lead += f"，其中 {own.informative:,} 份写了具体的意见或建议（其余为“无”“没有”“很好”等）"
    out = [("p", lead + "。以下为未加权的份数和比例。")]
    if code == "ALL":
        out.append(_by_county(ctx))
    if not own.informative:
        return [*out, ("p", f"{where}没有群众写下具体的意见或建议。")]
    return [*out, *_themes(own, where), ("p", SAMPLE_NOTE), _samples(own)]


def _pct(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "—"


def _by_county(ctx):
    """Each county (and the city): valid responses, comments and their share."""
    digest = ctx.results.comments
    rows = []
    for code in [*ctx.counties, "ALL"]:
        own = digest.of(code)
        rows.append([ctx.name(code), f"{own.responses:,}", f"{own.comments:,}", _pct(own.comments, own.responses),
                     f"{own.informative:,}"])
    return ("table", ["区县", "有效答卷", "写了意见建议", "占有效答卷", "其中有具体内容"], rows,
            {"widths": (14, 12, 14, 12, 14)})


def _themes(own: CountyWords, where: str) -> list:
    """The topics most written about (a comment may touch several), then other frequent words."""
    out = []
    if own.themes:
        lead = (f"{where}意见建议涉及最多的方面（按问卷的题目主题归类，一条意见可涉及多个方面，"
                "比例以有具体内容的意见建议为分母）：")
        out.append(("p", lead))
        out.append(("table", ["方面（问卷主题）", "提及份数", "占有具体内容的意见建议"],
                    [[topic, f"{n:,}", f"{share:.1%}"] for topic, n, share in own.themes], {"widths": (20, 12, 20)}))
    if own.words:
        out.append(("p", "其他常见词语（提及份数）：" + "、".join(f"{w}（{n:,}）" for w, n, _ in own.words) + "。"))
    return out


def _samples(own: CountyWords):
    return ("table", ["序号", "原话（个人信息已隐去）"], [[str(k), text] for k, text in enumerate(own.samples, start=1)],
            {"widths": (6, 94), "size": 9})
