"""Build the demo campaign: database, simulated responses, links, QR codes, targets."""
from __future__ import annotations

import csv
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
from flask import Flask
from sqlalchemy import select

import questionnaires
from survey_app import config, db
from survey_app.models import Campaign
from survey_app.services import campaigns, responses, simulation
from survey_app.services.analysis_run import Request, run_analysis

SLUG = "demo"
CHANNEL_KINDS = ["实验小学", "第一中学", "城关幼儿园", "中心小学", "职业技术学校", "人民广场海报",
                 "家长微信群", "第二中学", "镇中心校", "政务大厅海报", "第三中学", "社区公告栏"]


def build_demo(app: Flask, n: int, seed: int, echo=print) -> dict:
    out = config.data_dir() / "demo"
    out.mkdir(parents=True, exist_ok=True)
    engine = app.extensions["survey_engine"]
    db.upgrade(engine)
    with app.app_context():
        with db.session() as session:
            existing = session.scalar(select(Campaign).where(Campaign.slug == SLUG))
        if existing is None:
            _create(app, n, seed, echo)
        else:
            echo("演示调查已存在，直接使用（删除数据目录可重新生成）。")
        with db.session() as session:
            demo = campaigns.find_campaign(session, SLUG)
            rows = campaigns.link_rows(demo, app.config["BASE_URL"])
    with (out / "links.csv").open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(campaigns.LINK_COLUMNS)
        writer.writerows(rows)
    for row in rows:
        campaigns.write_qr(row[-1], out / "qr", campaigns.qr_stem(row))
    echo("\n各区县的第一个问卷链接（模拟调查，可用手机或浏览器打开填写）：")
    shown = set()
    for _code, county, name, label, url in rows:
        if county not in shown:
            shown.add(county)
            echo(f"  {name}（{label}）：{url}")
    echo(f"\n全部链接：{out / 'links.csv'}\n二维码（PNG、SVG）：{out / 'qr'}")
    echo(f"人口目标（用于加权）：{out / 'targets.csv'}\n区县名单：{out / 'counties.csv'}")
    results = _analyze(app, out, echo)
    return {"links": rows, "directory": out, "results": results}


def _analyze(app: Flask, out: Path, echo) -> Path:
    """Export the answers as they stand and compute the weighted county results."""
    with app.app_context(), db.session() as session:
        demo = campaigns.find_campaign(session, SLUG)
        with (out / "responses.csv").open("w", encoding="utf-8", newline="") as stream:
            responses.export_csv(session.connection(), demo, stream, app.config["TIMEZONE"])
    directory = out / "results"
    results, _ = run_analysis(Request(out / "responses.csv", directory, targets_csv=out / "targets.csv",
                                      cluster="channel"))
    for notice in results.record["notices"]:
        echo(f"  注意：{notice}")
    names = {c.code: c.name for c in simulation.CITY}
    table = results.county_results
    county, index, rank = table["county"], table["index"], table["rank"]
    echo("\n加权满意度指数（模拟数据；按渠道整群、按身份和城乡加权）：")
    for i in sorted(range(table.n_rows - 1), key=lambda i: rank[i]):   # the last row is ALL
        echo(f"  {rank[i]:>2.0f}. {names.get(county[i], county[i])}  {index[i]:.1f}"
             f"（95% 置信区间 {table['ci_low'][i]:.1f}–{table['ci_high'][i]:.1f}，"
             f"可能名次 {table['rank_low'][i]:.0f}–{table['rank_high'][i]:.0f}，{table['grade'][i]}）")
    echo(f"  全市  {index[-1]:.1f}")
    echo(f"全部结果（各区县、各题、问题清单、权重、设置记录）：{directory}")
    return directory


def _create(app: Flask, n: int, seed: int, echo) -> None:
    out = config.data_dir() / "demo"
    now = datetime.now(timezone.utc)
    start = now - timedelta(days=13)
    questionnaire = questionnaires.load("county_education_satisfaction")
    counties = [campaigns.CountyRow(c.code, c.name) for c in simulation.CITY]
    pd.DataFrame(counties).to_csv(out / "counties.csv", index=False, encoding="utf-8-sig")
    simulation.targets().to_csv(out / "targets.csv", index=False, encoding="utf-8-sig")
    with db.session() as session:
        demo = campaigns.create_campaign(
            session, slug=SLUG, name="（演示）宜宾市县域教育群众满意度调查", simulated=True,
            organizer="（演示）宜宾市人民政府教育督导室 委托 第三方评估机构",
            questionnaire=questionnaire, counties=counties,
            opens_at=start, closes_at=now + timedelta(days=14))
        channel_rows = []
        total_share = sum(c.sample_share for c in simulation.CITY)
        for profile in simulation.CITY:
            count = max(3, round(len(CHANNEL_KINDS) * profile.sample_share / max(
                c.sample_share for c in simulation.CITY)))
            for kind in CHANNEL_KINDS[:count]:
                label = kind if "海报" in kind or "群" in kind or "公告" in kind else profile.name + kind
                ch = campaigns.add_channel(session, demo, profile.code, label)
                channel_rows.append((ch.id, ch.county_id, profile.code))
        echo(f"正在生成 {n} 份模拟答卷（{len(counties)} 个区县，{len(channel_rows)} 个渠道，"
             f"样本量占比 {min(c.sample_share for c in simulation.CITY) / total_share:.1%}"
             f"–{max(c.sample_share for c in simulation.CITY) / total_share:.1%}）……")
        frame = simulation.simulate(
            questionnaire, pd.DataFrame(channel_rows, columns=["channel_id", "county_id", "county_code"]),
            n, start, days=13, seed=seed)
        simulation.insert(session.connection(), demo, frame,
                          progress=lambda done: echo(f"  已写入 {done}/{n}"))
    echo(f"已生成 {n} 份模拟答卷。")
