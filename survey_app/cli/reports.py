"""`survey report`: every document for staff, from a campaign in the database or from files."""
from __future__ import annotations

from pathlib import Path

import click

import questionnaires
from survey_app.cli.base import make_app
from survey_app.errors import UserError

FORMATS = ("pdf", "docx", "xlsx", "sav", "csv")


class FormatList(click.ParamType):
    name = "formats"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        chosen = tuple(f.strip().lower() for f in value.replace("，", ",").split(",") if f.strip())
        unknown = sorted(set(chosen) - set(FORMATS))
        if unknown or not chosen:
            raise UserError(f"未知的格式：{'、'.join(unknown) or '（空）'}（可用：{','.join(FORMATS)}）")
        return chosen


@click.command(help="生成报告：各区县和全市的 PDF/Word 报告、Excel 工作簿、CSV 表格、加权后的答卷（SPSS、CSV、Excel）")
@click.argument("campaign_slug", required=False)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="输出目录（整体替换）")
@click.option("--format", "formats", type=FormatList(), default=",".join(FORMATS), show_default=True,
              help="生成哪些格式，逗号分隔")
@click.option("--responses", "responses_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="不用数据库中的调查，改用此答卷文件（导出格式）")
@click.option("--targets", "targets_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="与 --responses 一起：人口目标 CSV")
@click.option("--counties", "counties_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="与 --responses 一起：区县名单（code,name），报告中显示区县名称")
@click.option("--title", default="县域教育群众满意度调查", help="与 --responses 一起：调查名称")
@click.option("--questionnaire", "questionnaire_name", default=questionnaires.DEFAULT, show_default=True,
              help="与 --responses 一起：内置问卷名或 YAML 文件路径")
@click.option("--cluster", help="整群列；调查默认按渠道（channel）整群")
def report(campaign_slug, out, formats, responses_csv, targets_csv, counties_file, title, questionnaire_name,
           cluster):
    from survey_app.services import report_files
    if bool(campaign_slug) == bool(responses_csv):
        raise UserError("请给出调查编号，或用 --responses 给出答卷文件（二者选一）")
    progress = lambda message: click.echo(f"  {message}", err=True)
    if campaign_slug:
        app = make_app()
        with app.app_context():
            written = report_files.from_campaign(campaign_slug, app.config["TIMEZONE"], out, formats, cluster,
                                                 progress)
    else:
        written = report_files.from_files(responses_csv, targets_csv, counties_file, title, questionnaire_name,
                                          out, formats, cluster, progress)
    click.echo(f"已写入 {len(written)} 个文件：{out.resolve()}")

