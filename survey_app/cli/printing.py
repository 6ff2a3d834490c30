"""What the commands print about analysis results."""
from __future__ import annotations

import click


def echo_notices(results, err: bool = True) -> None:
    """What a reader of the figures must know (also kept in settings.json)."""
    for notice in results.record["notices"]:
        click.echo(f"注意：{notice}", err=err)


def echo_ranking(results, names: dict[str, str]) -> None:
    """Counties best first: index, 95% interval, possible ranks and grade; then the city."""
    table = results.county_results
    county, index, rank = table["county"], table["index"], table["rank"]
    for i in sorted(range(table.n_rows - 1), key=lambda i: rank[i]):   # the last row is ALL
        click.echo(f"  {rank[i]:>2.0f}. {names.get(county[i], county[i])}  {index[i]:.1f}"
                   f"（95% 置信区间 {table['ci_low'][i]:.1f}–{table['ci_high'][i]:.1f}，"
                   f"可能名次 {table['rank_low'][i]:.0f}–{table['rank_high'][i]:.0f}，{table['grade'][i]}）")
    click.echo(f"  全市  {index[-1]:.1f}")
