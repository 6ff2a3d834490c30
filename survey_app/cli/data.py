"""Data out of the system: the responses export and the weighted analysis."""
from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click

import questionnaires
from analysis.job import Settings, questionnaire_sha256
from survey_app.cli import params
from survey_app.cli.base import CommandError, make_app
from survey_app.cli.printing import echo_notices, echo_ranking


@click.group(help="导出数据")
def export():
    pass


@export.command("responses", help="导出全部答卷：CSV（UTF-8 带 BOM，Excel 可直接打开）、Excel（.xlsx）或 SPSS（.sav），按 --out 的扩展名")
@click.argument("campaign_slug")
@click.option("--out", type=click.Path(dir_okay=False, allow_dash=True), required=True,
              help="输出文件（.csv、.xlsx 或 .sav），- 表示以 CSV 输出到标准输出")
def export_responses(campaign_slug, out):
    from survey_app import db
    from survey_app.errors import UserError
    from survey_app.io.atomic import atomic_file
    from survey_app.services import audit, exports, responses
    from survey_app.services import campaigns as campaign_service
    kind = "csv" if out == "-" else Path(out).suffix.lower().lstrip(".")
    if kind not in exports.FORMATS:
        raise UserError(f"输出文件“{out}”的扩展名应为 .csv、.xlsx 或 .sav")
    app = make_app()
    progress = (lambda n: click.echo(f"  已导出 {n} 份", err=True)) if out != "-" else None
    with app.app_context(), db.session() as session:
        target = campaign_service.find_campaign(session, campaign_slug)
        if out == "-":
            written = responses.export_csv(session.connection(), target, sys.stdout, app.config["TIMEZONE"])
            sys.stdout.flush()
            audit.record(session, None, "export", campaign_slug, responses=written, file=kind)
        elif kind == "csv":      # streamed: constant memory however many responses
            with atomic_file(Path(out)) as stream:
                written = responses.export_csv(session.connection(), target, stream,
                                               app.config["TIMEZONE"], progress)
            audit.record(session, None, "export", campaign_slug, responses=written, file=kind)
        else:
            data, written = exports.responses_file(session, target, kind, app.config["TIMEZONE"], None)
            with atomic_file(Path(out), "wb", encoding=None) as stream:
                stream.write(data)
    click.echo(f"已导出 {written} 份答卷：{out}", err=True)


@click.command(help="计算各区县加权满意度结果（指数、置信区间、排名、题目、问题清单）")
@click.argument("responses_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="输出目录")
@click.option("--settings", "settings_json", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="重现一次分析：读它写出的 settings.json，核对输入文件和问卷未变后照原样重算（默认写回该目录）")
@click.option("--questionnaire", "questionnaire_name", default=questionnaires.DEFAULT,
              show_default=True, help="内置问卷名或 YAML 文件路径")
@click.option("--targets", "targets_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="人口目标（county,variable,category,population；CSV 或 .xlsx）；不给则每份答卷权重为 1")
@click.option("--item-weights", "item_weights_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="题目权重（item,weight；CSV 或 .xlsx），覆盖问卷中的权重")
@click.option("--counties", "counties_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="区县名单（code,name；CSV 或 .xlsx）：各表和屏幕上在区县代码旁写出区县名称")
@click.option("--cluster", help="整群列（如 channel：链接按学校分发时）")
@click.option("--no-quality-exclusions", is_flag=True, help="不按质量规则剔除任何答卷（仍报告标记）")
@click.option("--exclude", type=params.QUALITY_RULES,
              help="剔除的质量规则，逗号分隔（默认 speeder,duplicate_id,honeypot,burst,incomplete）")
@click.option("--min-items", type=click.IntRange(min=1), help="计算个人指数所需的最少有效作答题数（默认取问卷设置）")
@click.option("--trim", type=params.TRIM_BOUNDS, help="权重截尾范围（最终权重/基础权重），如 0.3,3")
@click.option("--empty-cells", type=click.Choice(["collapse", "error"]), default="collapse", show_default=True,
              help="人口单元没有样本时：并入相邻类别，或报错停止")
@click.option("--scores", type=params.SCORES,
              help="选项分值：linear（等距 0–100）或“代码=分值”列表，如 5=100,4=80,3=60,2=40,1=20；默认用问卷中的分值")
@click.option("--grades", type=params.GRADES, help="等级分数线，从高到低，如 90=优秀,80=良好,70=中等,0=较差（默认即此）")
@click.option("--problem-threshold", type=float, default=Settings.problem_threshold, show_default=True,
              help="题目得分低于此值即列入问题清单")
@click.option("--adjust", type=click.Choice(["holm", "bh"]), default=Settings.adjustment, show_default=True,
              help="问题清单的多重检验校正")
@click.option("--min-clusters", type=click.IntRange(min=2), default=Settings.min_clusters, show_default=True,
              help="整群（或答卷）少于此数的区县标为“不够精确”")
@click.option("--shrinkage", is_flag=True, help="另给出各区县指数的 Fay–Herriot 收缩估计")
@click.option("--driver-outcome", help="关键驱动分析以该题（总体满意度题，如 q16）为结果变量；默认以综合指数为结果")
def analyze(responses_csv, out, settings_json, **options):
    from survey_app.io.analysis_files import InputFiles, recorded_run, run_analysis
    from survey_app.io.counties import county_names
    if settings_json is not None:
        if responses_csv is not None:
            raise click.UsageError("使用 --settings 时不要再给答卷文件：输入文件取自记录")
        valued = {name for param in analyze.params if isinstance(param, click.Option) and not param.is_flag
                  for name in param.opts}
        run = recorded_run(settings_json, valued)
        recorded = analyze.make_context("analyze", run.words).params
        command, check = run.command, run.questionnaire_sha256
        responses_csv, options = recorded.pop("responses_csv"), {k: v for k, v in recorded.items()
                                                                 if k not in ("out", "settings_json")}
        out = out or settings_json.parent
    else:
        if responses_csv is None or out is None:
            raise click.UsageError("需要答卷文件和 --out 输出目录（或用 --settings 重现一次记录的分析）")
        command, check = shlex.join(["survey", *click.get_current_context().meta["argv"]]), None
    questionnaire = questionnaires.load(options["questionnaire_name"])
    if check is not None and questionnaire_sha256(questionnaire) != check:
        raise CommandError(f"问卷 {options['questionnaire_name']} 与记录中的不同：无法重现记录的分析")
    counties_file = options.pop("counties_file")
    names = county_names(counties_file) if counties_file else {}
    files = InputFiles(responses_csv, options["targets_csv"], options["item_weights_csv"], counties_file)
    results, written = run_analysis(files, questionnaire, _settings(questionnaire, **options), out,
                                    progress=lambda message: click.echo(message, err=True), command=command,
                                    names=names)
    echo_notices(results)
    click.echo("\n加权满意度指数（名次从高到低）：")
    echo_ranking(results, names)
    click.echo(f"已写入 {len(written)} 个文件：{out.resolve()}")


def _settings(questionnaire, questionnaire_name, targets_csv, item_weights_csv, cluster, no_quality_exclusions,
              exclude, min_items, trim, empty_cells, scores, grades, problem_threshold, adjust, min_clusters,
              shrinkage, driver_outcome) -> Settings:
    from analysis.quality import QualitySettings
    from analysis.scoring import ScoreMapping
    return Settings(
        score_mapping=ScoreMapping.linear(questionnaire).scores if scores == "linear" else scores,
        quality=QualitySettings.for_questionnaire(
            questionnaire, frozenset() if no_quality_exclusions else exclude, min_items),
        cluster=cluster, trim_bounds=trim, collapse_empty_cells=empty_cells == "collapse",
        problem_threshold=problem_threshold, adjustment=adjust, min_clusters=min_clusters, shrinkage=shrinkage,
        driver_outcome=driver_outcome, **({"grades": grades} if grades else {}))
