"""`survey ...`: the command line for evaluators and staff (messages in Chinese)."""
from __future__ import annotations

import csv
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import click

import questionnaires
from survey_app.services import ServiceError

# Commands import the web app, the database and the QR library only when they run, so
# `survey analyze` starts without them.


def _app():
    from survey_app.app import create_app
    return create_app()


def _local_time(text: str, tz: str) -> datetime:
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=ZoneInfo(tz))
        except ValueError:
            continue
    raise click.BadParameter(f"“{text}”不是有效时间，应为 2026-11-01 或 2026-11-01 08:00")


def _fail(message: str):
    raise click.ClickException(message)


class ChineseGroup(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (ServiceError, questionnaires.QuestionnaireError) as exc:
            _fail(str(exc))


@click.group(cls=ChineseGroup, help="县域教育群众满意度调查系统")
def main():
    pass


@main.group(help="数据库")
def database():
    pass


main.add_command(database, "db")


@database.command("upgrade", help="创建或升级数据库结构")
def db_upgrade():
    from survey_app import db
    app = _app()
    db.upgrade(app.extensions["survey_engine"])
    click.echo(f"数据库已是最新结构：{app.extensions['survey_engine'].url.render_as_string()}")


@main.group(help="调查（一次调查活动）")
def campaign():
    pass


@campaign.command("create", help="从问卷和区县名单（CSV：code,name）创建调查")
@click.argument("slug")
@click.option("--questionnaire", "questionnaire_name", default="county_education_satisfaction",
              show_default=True, help="内置问卷名或 YAML 文件路径")
@click.option("--counties", type=click.Path(exists=True, dir_okay=False), required=True)
@click.option("--name", required=True, help="调查名称")
@click.option("--organizer", required=True, help="组织单位（显示在问卷页面）")
@click.option("--opens", required=True, help="开始时间（当地时间）")
@click.option("--closes", required=True, help="结束时间（当地时间）")
def campaign_create(slug, questionnaire_name, counties, name, organizer, opens, closes):
    from survey_app import db
    from survey_app.services import campaigns as campaign_service
    app = _app()
    tz = app.config["TIMEZONE"]
    questionnaire = questionnaires.load(questionnaire_name)
    rows = campaign_service.read_counties_csv(Path(counties).read_text(encoding="utf-8"), Path(counties).name)
    with app.app_context(), db.session() as session:
        created = campaign_service.create_campaign(
            session, slug=slug, name=name, organizer=organizer, questionnaire=questionnaire,
            counties=rows, opens_at=_local_time(opens, tz), closes_at=_local_time(closes, tz))
        click.echo(f"已创建调查 {created.slug}：{len(rows)} 个区县，问卷 {questionnaire.id} {questionnaire.version}")


@campaign.command("list", help="列出所有调查")
def campaign_list():
    from sqlalchemy import func, select

    from survey_app import db
    from survey_app.models import Campaign, Response
    app = _app()
    now = datetime.now(timezone.utc)
    status_text = {"open": "进行中", "not_open": "未开始", "closed": "已结束"}
    with app.app_context(), db.session() as session:
        counts = dict(session.execute(select(Response.campaign_id, func.count()).group_by(Response.campaign_id)).all())
        for c in session.scalars(select(Campaign).order_by(Campaign.id)):
            click.echo(f"{c.slug}\t{c.name}\t{status_text[c.status(now)]}\t{counts.get(c.id, 0)} 份答卷")


@main.group(help="分发渠道（每个渠道一个链接和二维码）")
def channel():
    pass


@channel.command("add", help="为区县添加渠道，如：survey channel add demo 511502 城关中学 人民广场海报")
@click.argument("campaign_slug")
@click.argument("county")
@click.argument("labels", nargs=-1, required=True)
def channel_add(campaign_slug, county, labels):
    from survey_app import db
    from survey_app.services import campaigns as campaign_service
    app = _app()
    with app.app_context(), db.session() as session:
        target = campaign_service.find_campaign(session, campaign_slug)
        for label in labels:
            added = campaign_service.add_channel(session, target, county, label)
            click.echo(f"{added.code}\t{added.label}\t{campaign_service.link(app.config['BASE_URL'], added)}")


def _channels(app, campaign_slug):
    from survey_app import db
    from survey_app.services import campaigns as campaign_service
    with app.app_context(), db.session() as session:
        target = campaign_service.find_campaign(session, campaign_slug)
        return campaign_service.link_rows(target, app.config["BASE_URL"])


@main.command(help="列出调查的全部链接（CSV 输出）")
@click.argument("campaign_slug")
def links(campaign_slug):
    from survey_app.services import campaigns as campaign_service
    rows = _channels(_app(), campaign_slug)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(campaign_service.LINK_COLUMNS)
    writer.writerows(rows)


@main.command(help="为每个渠道生成二维码（PNG 和 SVG）")
@click.argument("campaign_slug")
@click.option("--out", type=click.Path(file_okay=False), required=True)
def qr(campaign_slug, out):
    from survey_app.services import campaigns as campaign_service
    rows = _channels(_app(), campaign_slug)
    for row in rows:
        campaign_service.write_qr(row[-1], Path(out), campaign_service.qr_stem(row))
    click.echo(f"已生成 {len(rows)} 个二维码（PNG 和 SVG）：{Path(out).resolve()}")


@main.group(help="导出数据")
def export():
    pass


@export.command("responses", help="导出全部答卷为 CSV（UTF-8 带 BOM，Excel 可直接打开）")
@click.argument("campaign_slug")
@click.option("--out", type=click.Path(dir_okay=False, allow_dash=True), required=True,
              help="输出文件，- 表示标准输出")
def export_responses(campaign_slug, out):
    from survey_app import db
    from survey_app.services import campaigns as campaign_service
    from survey_app.services import responses
    app = _app()
    progress = (lambda n: click.echo(f"  已导出 {n} 份", err=True)) if out != "-" else None
    with app.app_context(), db.session() as session:
        target = campaign_service.find_campaign(session, campaign_slug)
        if out == "-":
            written = responses.export_csv(session.connection(), target, sys.stdout, app.config["TIMEZONE"])
            sys.stdout.flush()
        else:
            # Written beside the target and renamed at the end: no half-written file on failure.
            partial = Path(out).with_name(Path(out).name + ".part")
            with partial.open("w", encoding="utf-8", newline="") as stream:
                written = responses.export_csv(session.connection(), target, stream,
                                               app.config["TIMEZONE"], progress)
            partial.replace(out)
    click.echo(f"已导出 {written} 份答卷：{out}", err=True)


@main.command(help="计算各区县加权满意度结果（指数、置信区间、排名、题目、问题清单）")
@click.argument("responses_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="输出目录")
@click.option("--questionnaire", "questionnaire_name", default="county_education_satisfaction",
              show_default=True, help="内置问卷名或 YAML 文件路径")
@click.option("--targets", "targets_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="人口目标 CSV（county,variable,category,population）；不给则每份答卷权重为 1")
@click.option("--item-weights", "item_weights_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="题目权重 CSV（item,weight），覆盖问卷中的权重")
@click.option("--cluster", help="整群列（如 channel：链接按学校分发时）")
@click.option("--no-quality-exclusions", is_flag=True, help="不按质量规则剔除任何答卷（仍报告标记）")
@click.option("--exclude", help="剔除的质量规则，逗号分隔（默认 speeder,duplicate_id,honeypot,incomplete）")
@click.option("--min-items", type=click.IntRange(min=1), help="计算个人指数所需的最少有效作答题数（默认取问卷设置）")
@click.option("--trim", help="权重截尾范围（最终权重/基础权重），如 0.3,3")
@click.option("--empty-cells", type=click.Choice(["collapse", "error"]), default="collapse", show_default=True,
              help="人口单元没有样本时：并入相邻类别，或报错停止")
@click.option("--scores", help="选项分值：linear（等距 0–100）或“代码=分值”列表，如 5=100,4=80,3=60,2=40,1=20；"
                               "默认用问卷中的分值")
@click.option("--grades", help="等级分数线，从高到低，如 90=优秀,80=良好,70=中等,0=较差（默认即此）")
@click.option("--problem-threshold", type=float, default=70.0, show_default=True,
              help="题目得分低于此值即列入问题清单")
@click.option("--adjust", type=click.Choice(["holm", "bh"]), default="holm", show_default=True,
              help="问题清单的多重检验校正")
@click.option("--shrinkage", is_flag=True, help="另给出各区县指数的 Fay–Herriot 收缩估计")
@click.option("--driver-outcome", help="关键驱动分析以该题（总体满意度题，如 q16）为结果变量；默认以综合指数为结果")
def analyze(**options):
    from survey_app.services.analysis_run import Request, run_analysis
    results, written = run_analysis(Request(**options), progress=lambda message: click.echo(message, err=True))
    for notice in results.record["notices"]:
        click.echo(f"注意：{notice}", err=True)
    click.echo(f"已写入 {len(written)} 个文件：{options['out'].resolve()}")


@main.command(help="用生产级服务器（gunicorn，多进程）运行系统")
@click.option("--bind", default="127.0.0.1:8000", show_default=True, envvar="SURVEY_BIND")
@click.option("--workers", default=4, show_default=True, envvar="WEB_CONCURRENCY")
def serve(bind, workers):
    from survey_app import db
    from survey_app.server import run
    app = _app()  # generates the secret key once, before workers start
    db.upgrade(app.extensions["survey_engine"])
    click.echo(f"服务已启动：http://{bind}/ （{workers} 个进程，按 Ctrl+C 停止）")
    run(bind, workers)


@main.command(help="演示：建库、生成模拟调查（默认 54,340 份答卷）并启动服务")
@click.option("--responses", "n", default=54_340, show_default=True)
@click.option("--seed", default=2026, show_default=True)
@click.option("--bind", default="127.0.0.1:8000", show_default=True)
@click.option("--no-serve", is_flag=True, help="只生成数据，不启动服务")
def demo(n, seed, bind, no_serve):
    from survey_app.services.demo import build_demo
    app = _app()
    summary = build_demo(app, n, seed, echo=click.echo)
    if not no_serve:
        from survey_app.server import run
        click.echo(f"\n服务已启动：{app.config['BASE_URL']}/  （按 Ctrl+C 停止）")
        run(bind, 2)
    return summary
