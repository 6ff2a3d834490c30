"""Option values typed on the command line, parsed once into what the analysis takes.

A bad value is a user error (Chinese message, exit code 1), like every other. An empty
value (`--trim ""`) means the option was not given. Full-width commas and equals signs,
as a Chinese input method types them, count as their ASCII forms.
"""
from __future__ import annotations

import click

from survey_app.errors import UserError

WIDE = str.maketrans({"，": ",", "＝": "=", "、": ","})


def _ascii(value: str) -> str:
    return value.translate(WIDE)


class QualityRules(click.ParamType):
    """"speeder,honeypot" -> frozenset of rule names (empty text: no rule)."""

    name = "rules"

    def convert(self, value, param, ctx):
        from analysis.quality import RULES
        if isinstance(value, frozenset):
            return value
        rules = frozenset(r.strip() for r in _ascii(value).split(",") if r.strip())
        unknown = rules - set(RULES)
        if unknown:
            raise UserError(f"未知的质量规则：{'、'.join(sorted(unknown))}（可用：{'、'.join(RULES)}）")
        return rules


class TrimBounds(click.ParamType):
    """"0.3,3" -> (0.3, 3.0): bounds on final weight / base weight."""

    name = "lower,upper"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        if not value.strip():
            return None
        try:
            lower, upper = (float(v) for v in _ascii(value).split(","))
        except ValueError as exc:
            raise UserError(f"截尾范围“{value}”无效，应为两个数，如 0.3,3") from exc
        return lower, upper


class GradeBounds(click.ParamType):
    """"90=优秀,80=良好,70=中等,0=较差" -> Grades: lower bounds, best first; the last applies below too."""

    name = "grades"

    def convert(self, value, param, ctx):
        from analysis.compare import Grades
        if isinstance(value, Grades):
            return value
        if not value.strip():
            return None
        try:
            pairs = [(float(bound), label.strip()) for bound, label in (p.split("=", 1) for p in _ascii(value).split(","))]
        except ValueError as exc:
            raise UserError(f"等级“{value}”无效，应如 90=优秀,80=良好,70=中等,0=较差") from exc
        bounds = [b for b, _ in pairs]
        if bounds != sorted(bounds, reverse=True) or any(not label for _, label in pairs):
            raise UserError(f"等级“{value}”无效：分数线须从高到低，每级须有名称")
        if bounds[-1] > 0:
            raise UserError(f"等级“{value}”没有覆盖整个分数范围：最低一级的分数线须为 0（现为 {bounds[-1]:g}）")
        pairs[-1] = (float("-inf"), pairs[-1][1])
        return Grades(tuple(pairs))


class Scores(click.ParamType):
    """"linear", or "5=100,4=80,..." -> {code: score}; the analysis checks the codes."""

    name = "scores"

    def convert(self, value, param, ctx):
        if isinstance(value, dict) or value == "linear":
            return value
        if not value.strip():
            return None
        try:
            return {int(code): float(score) for code, score in (pair.split("=") for pair in _ascii(value).split(","))}
        except ValueError as exc:
            raise UserError(f"分值“{value}”无效，应为 linear 或“代码=分值”列表，如 5=100,4=80,3=60,2=40,1=20") from exc


QUALITY_RULES, TRIM_BOUNDS, GRADES, SCORES = QualityRules(), TrimBounds(), GradeBounds(), Scores()
