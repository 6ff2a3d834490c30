"""Build the demo campaign: database, simulated responses, links, QR codes, targets, results."""
from __future__ import annotations

import csv
import multiprocessing
import os
import secrets
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
from flask import Flask
from sqlalchemy import select

import questionnaires
from analysis.job import Results, Settings
from analysis.quality import QualitySettings
from reports.tables import rows_csv
from survey_app import db
from survey_app.demo import simulation
from survey_app.io.analysis_files import InputFiles, run_analysis
from survey_app.io.counties import CountyRow
from survey_app.io.qr_codes import qr_stem, write_many
from survey_app.models import Campaign, Role, User
from survey_app.services import accounts, campaigns, monitor, responses
from survey_app.services import quotas as quota_service
from survey_app.services import targets as target_service

SLUG = "demo"
DEMO_EVALUATOR = "demo-evaluator"


@dataclass(frozen=True)
class DemoFiles:
    links: Path
    qr: Path
    targets: Path
    counties: Path
    responses: Path
    results: Path

    @classmethod
    def under(cls, directory: Path) -> DemoFiles:
        return cls(directory / "links.csv", directory / "qr", directory / "targets.csv",
                   directory / "counties.csv", directory / "responses.csv", directory / "results")


@dataclass(frozen=True)
class Demo:
    links: list[tuple[str, str, str, str, str]]   # campaigns.LINK_COLUMNS
    files: DemoFiles
    results: Results
    county_names: dict[str, str]
    evaluator: tuple[str, str]                    # user name and password of the demo's evaluator


def build_demo(app: Flask, n: int, seed: int, progress=lambda message: None) -> Demo:
    """Create the demo campaign once (n simulated responses), then write its links, QR codes
    and weighted results from the responses as they stand."""
    directory = Path(app.config["DATA_DIR"]) / "demo"
    directory.mkdir(parents=True, exist_ok=True)
    files = DemoFiles.under(directory)
    db.upgrade(app.extensions["survey_engine"])
    # Written every time: the database (PostgreSQL, say) may hold the demo while this folder is new.
    files.counties.write_text(rows_csv(["code", "name"], [(c.code, c.name) for c in simulation.CITY]), encoding="utf-8")
    target_table = simulation.targets()
    files.targets.write_text(rows_csv(list(target_table.columns), target_table.itertuples(index=False)),
                             encoding="utf-8")
    with app.app_context():
        with db.session() as session:
            existing = session.scalar(select(Campaign).where(Campaign.slug == SLUG))
        if existing is None:
            _create(files, n, seed, progress)
        else:
            progress("演示调查已存在，直接使用（删除数据目录可重新生成）。")
        with db.session() as session:
            demo = campaigns.find_campaign(session, SLUG)
            rows = campaigns.link_rows(demo, app.config["BASE_URL"])
            codes = _QrCodes(_codes_to_write(files, rows), files.qr)     # meanwhile: export and analysis
            monitor.refresh(session, demo, ZoneInfo(app.config["TIMEZONE"]))   # the monitor opens at once
            with files.responses.open("w", encoding="utf-8", newline="") as stream:
                responses.export_csv(session.connection(), demo, stream, app.config["TIMEZONE"])
    questionnaire = questionnaires.load(questionnaires.DEFAULT)
    settings = Settings(quality=QualitySettings.for_questionnaire(questionnaire), cluster="channel")
    names = {c.code: c.name for c in simulation.CITY}
    results, _ = run_analysis(InputFiles(files.responses, files.targets), questionnaire, settings, files.results,
                              names=names)
    codes.wait()
    files.links.write_text(rows_csv(campaigns.LINK_COLUMNS, rows), encoding="utf-8")
    with app.app_context():
        evaluator = _evaluator_account(directory / "evaluator-password.txt")
    return Demo(rows, files, results, names, evaluator)


def _codes_to_write(files: DemoFiles, rows) -> list[tuple[str, str]]:
    """(link, stem) of the QR codes not yet written for these links: hundreds of channels."""
    written = _links_written(files.links)
    todo = []
    for row in rows:
        stem = qr_stem(row)
        if written.get(row[0]) != row[-1] or not all((files.qr / f"{stem}.{kind}").exists() for kind in ("png", "svg")):
            todo.append((row[-1], stem))
    return todo


class _QrCodes:
    """Hundreds of QR codes (pure Python, about 10 ms each) written by a worker process while this
    one exports and analyses the responses; a few, or where no process can start, here."""

    PARALLEL_FROM = 50

    def __init__(self, todo: list[tuple[str, str]], directory: Path):
        self.todo, self.directory, self.pool, self.future = todo, directory, None, None
        if len(todo) >= self.PARALLEL_FROM:
            try:       # spawn: the worker shares no database connection with this process
                self.pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
                self.future = self.pool.submit(write_many, todo, directory)
            except OSError:
                self.pool = None

    def wait(self) -> None:
        try:
            if self.future is not None:
                self.future.result()
                return
        except BrokenProcessPool:
            pass       # written here instead
        finally:
            if self.pool is not None:
                self.pool.shutdown()
        write_many(self.todo, self.directory)


def _links_written(path: Path) -> dict[str, str]:
    """Channel code -> link of the QR codes written last time (links.csv is written after them)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            return {row["channel"]: row["url"] for row in csv.DictReader(stream)}
    except (OSError, KeyError, csv.Error):
        return {}


def _plan(session, demo: Campaign, n: int) -> None:
    """The demo's population targets and quotas, as an evaluator would set them in the workspace."""
    rows = [target_service.TargetRow(*row) for row in simulation.targets().itertuples(index=False)]
    target_service.replace(session, demo, rows, None)
    proposal = quota_service.propose(demo, total=round(n * 1.1, -2), floor=round(n * 0.03, -2))
    quota_service.replace(session, demo, {(p.county_code, "", ""): p.quota for p in proposal}, None)


def _evaluator_account(password_file: Path) -> tuple[str, str]:
    """The demo's evaluator account, created once; its password is kept (owner-only) to show again,
    and set anew when this folder lost it."""
    with db.session() as session:
        user = session.scalar(select(User).where(User.username == DEMO_EVALUATOR))
        if user is None or not password_file.exists():
            password = _password()
            if user is None:
                accounts.create_user(session, username=DEMO_EVALUATOR, display_name="演示评估人员",
                                     password=password, role=Role.EVALUATOR)
            else:
                accounts.set_password(session, user, password, None)
            fd = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(password)
    return DEMO_EVALUATOR, password_file.read_text().strip()


def _password() -> str:
    while True:   # the account rules want letters and digits
        password = secrets.token_urlsafe(9)
        if not (password.isalpha() or password.isdigit()):
            return password


def _create(files: DemoFiles, n: int, seed: int, progress) -> None:
    now = datetime.now(UTC)
    start = now - timedelta(days=13)
    questionnaire = questionnaires.load(questionnaires.DEFAULT)
    counties = [CountyRow(c.code, c.name) for c in simulation.CITY]
    with db.session() as session:
        demo = campaigns.create_campaign(
            session, slug=SLUG, name="（演示）宜宾市县域教育群众满意度调查", simulated=True,
            organizer="（演示）宜宾市人民政府教育督导室 委托 第三方评估机构",
            questionnaire=questionnaire, counties=counties,
            opens_at=start, closes_at=now + timedelta(days=14))
        channel_rows = []
        for county, label in simulation.channel_plan():
            ch = campaigns.add_channel(session, demo, county, label)
            channel_rows.append((ch.id, ch.county_id, county))
        shares = [c.sample_share for c in simulation.CITY]
        progress(f"正在生成 {n} 份模拟答卷（{len(counties)} 个区县，{len(channel_rows)} 个渠道，"
                 f"样本量占比 {min(shares) / sum(shares):.1%}–{max(shares) / sum(shares):.1%}）……")
        _plan(session, demo, n)
        frame = simulation.simulate(
            questionnaire, pd.DataFrame(channel_rows, columns=["channel_id", "county_id", "county_code"]),
            n, start, days=13, seed=seed)
        responses.insert_many(session.connection(), demo, frame,
                              progress=lambda done: progress(f"  已写入 {done}/{n}"))
    progress(f"已生成 {n} 份模拟答卷。")
