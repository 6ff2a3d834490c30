"""Campaigns, channels, their links and QR codes."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

import questionnaires
from survey_app.cli.base import local_time, make_app


@click.group(help="调查（一次调查活动）")
def campaign():
    pass


@campaign.command("create", help="从问卷和区县名单（CSV 或 Excel：code,name）创建调查")
@click.argument("slug")
@click.option("--questionnaire", "questionnaire_name", default=questionnaires.DEFAULT,
              show_default=True, help="内置问卷名或 YAML 文件路径")
@click.option("--counties", type=click.Path(exists=True, dir_okay=False), required=True)
@click.option("--name", required=True, help="调查名称")
@click.option("--organizer", required=True, help="组织单位（显示在问卷页面）")
@click.option("--opens", required=True, help="开始时间（当地时间）")
@click.option("--closes", required=True, help="结束时间（当地时间）")
def campaign_create(slug, questionnaire_name, counties, name, organizer, opens, closes):
    from survey_app import db
    from survey_app.io.counties import counties_from
    from survey_app.io.uploads import read_upload
    from survey_app.services import campaigns as campaign_service
    app = make_app()
    tz = app.config["TIMEZONE"]
    questionnaire = questionnaires.load(questionnaire_name)
    rows = counties_from(read_upload(Path(counties).name, Path(counties).read_bytes()))
    with app.app_context(), db.session() as session:
        created = campaign_service.create_campaign(
            session, slug=slug, name=name, organizer=organizer, questionnaire=questionnaire,
            counties=rows, opens_at=local_time(opens, tz), closes_at=local_time(closes, tz))
        click.echo(f"已创建调查 {created.slug}：{len(rows)} 个区县，问卷 {questionnaire.id} {questionnaire.version}")


@campaign.command("list", help="列出所有调查")
def campaign_list():
    from survey_app import db
    from survey_app.models.campaign import STATUS_LABELS
    from survey_app.services import campaigns
    app = make_app()
    now = datetime.now(UTC)
    with app.app_context(), db.session() as session:
        counts = campaigns.received_by_campaign(session)
        for c in reversed(campaigns.newest_first(session)):
            click.echo(f"{c.slug}\t{c.name}\t{STATUS_LABELS[c.status(now)]}\t{counts.get(c.id, 0)} 份答卷")


@click.group(help="分发渠道（每个渠道一个链接和二维码）")
def channel():
    pass


@channel.command("add", help="为区县添加渠道，如：survey channel add demo 511502 城关中学 人民广场海报")
@click.argument("campaign_slug")
@click.argument("county")
@click.argument("labels", nargs=-1, required=True)
def channel_add(campaign_slug, county, labels):
    from survey_app import db
    from survey_app.services import campaigns as campaign_service
    app = make_app()
    with app.app_context(), db.session() as session:
        target = campaign_service.find_campaign(session, campaign_slug)
        for label in labels:
            added = campaign_service.add_channel(session, target, county, label)
            click.echo(f"{added.code}\t{added.label}\t{campaign_service.link(app.config['BASE_URL'], added)}")


def _link_rows(campaign_slug):
    from survey_app import db
    from survey_app.services import campaigns as campaign_service
    app = make_app()
    with app.app_context(), db.session() as session:
        target = campaign_service.find_campaign(session, campaign_slug)
        return campaign_service.link_rows(target, app.config["BASE_URL"])


@click.command(help="列出调查的全部链接（CSV 输出）")
@click.argument("campaign_slug")
def links(campaign_slug):
    from reports.tables import rows_csv
    from survey_app.services.campaigns import LINK_COLUMNS
    click.echo(rows_csv(LINK_COLUMNS, _link_rows(campaign_slug), bom=False), nl=False)


@click.command(help="为每个渠道生成二维码（PNG 和 SVG）")
@click.argument("campaign_slug")
@click.option("--out", type=click.Path(file_okay=False), required=True)
def qr(campaign_slug, out):
    from survey_app.io.qr_codes import qr_stem, write_qr
    rows = _link_rows(campaign_slug)
    for row in rows:
        write_qr(row[-1], Path(out), qr_stem(row))
    click.echo(f"已生成 {len(rows)} 个二维码（PNG 和 SVG）：{Path(out).resolve()}")
