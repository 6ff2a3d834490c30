"""What the commands print about analysis results."""
from __future__ import annotations

import click


def echo_notices(results, err: bool = True) -> None:
    """What a reader of the figures must know (also kept in settings.json)."""
    for notice in results.record["notices"]:
        click.echo(f"注意：{notice}", err=err)


def echo_ranking(results, names: dict[str, str]) -> None:
    """Counties best first: index, 95% interval, possible ranks, the tier against the city and grade
    (with the grades its interval reaches); imprecise counties marked *; then the city."""
    table = results.county_results
    county, index, rank = table["county"], table["index"], table["rank"]
    grades = table["grade_span"] if "grade_span" in table else table["grade"]
    for i in sorted(range(table.n_rows - 1), key=lambda i: rank[i]):   # the last row is ALL
        low, high = table["rank_low"][i], table["rank_high"][i]
        ranks = f"{low:.0f}" if low == high else f"{low:.0f}–{high:.0f}"
        tier = f"，{table['versus_city'][i]}" if "versus_city" in table else ""
        mark = "*" if table["imprecise"][i] else ""
        click.echo(f"  {rank[i]:>2.0f}. {names.get(county[i], county[i])}{mark}  {index[i]:.1f}"
                   f"（95% 置信区间 {table['ci_low'][i]:.1f}–{table['ci_high'][i]:.1f}，"
                   f"可能名次 {ranks}{tier}，{grades[i]}）")
    click.echo(f"  全市  {index[-1]:.1f}")
    if any(table["imprecise"][:-1]):
        click.echo("  *有效样本量不足，结果仅供参考")
