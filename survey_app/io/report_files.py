"""The documents of `survey report`: analyse a campaign from the database, or files, and write every
document into one folder (swapped in whole)."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

import questionnaires
from analysis.job import AnalysisError, Settings, analyze
from analysis.quality import QualitySettings
from reports import bundle, documents
from survey_app import db
from survey_app.errors import UserError
from survey_app.io.analysis_files import InputFiles, analyze_files, versions
from survey_app.io.atomic import replace_directory
from survey_app.io.counties import county_names
from survey_app.services import campaigns, responses, targets


def _computed(timezone: str) -> str:
    return datetime.now(ZoneInfo(timezone)).strftime("计算于 %Y年%m月%d日 %H:%M")


def from_campaign(slug: str, timezone: str, out: Path, formats, cluster: str | None, progress) -> list[Path]:
    context, frame = campaign_context(slug, timezone, cluster, progress)
    return replace_directory(bundle.documents_for(context, frame, formats, progress), out)


def campaign_context(slug: str, timezone: str, cluster: str | None, progress) -> tuple[documents.Context, pd.DataFrame]:
    """The analysed campaign (its current responses and exclusions) and its responses."""
    with db.session() as session:
        campaign = campaigns.find_campaign(session, slug)
        questionnaire = campaign.questionnaire
        progress(f"读取调查 {slug} 的答卷")
        frame = responses.load_frame(session.connection(), campaign, timezone)
        target_table = targets.table(campaign) if campaign.targets else None
        names = {c.code: c.name for c in campaign.counties}
        title, organizer = campaign.name, campaign.organizer
    settings = Settings(quality=QualitySettings.for_questionnaire(questionnaire), cluster=cluster or "channel")
    progress(f"分析 {len(frame):,} 份答卷")
    try:
        results = analyze(frame, questionnaire, target_table, settings)
    except AnalysisError as exc:
        raise UserError(str(exc)) from exc
    results.record["versions"] = versions()
    return documents.Context(results, questionnaire, names, title, organizer, _computed(timezone)), frame


def from_files(responses_csv: Path, targets_csv: Path | None, counties_file: Path | None, title: str,
               questionnaire_name: str, out: Path, formats, cluster: str | None, progress) -> list[Path]:
    questionnaire = questionnaires.load(questionnaire_name)
    settings = Settings(quality=QualitySettings.for_questionnaire(questionnaire), cluster=cluster)
    results = analyze_files(InputFiles(responses_csv, targets_csv), questionnaire, settings, progress)
    names = county_names(counties_file) if counties_file else {}
    frame = pd.read_csv(responses_csv, dtype={"response_id": str, "county": str, "channel": str},
                        encoding="utf-8-sig") if {"sav", "csv", "xlsx"} & set(formats) else None
    context = documents.Context(results, questionnaire, names, title, "", _computed("Asia/Shanghai"))
    return replace_directory(bundle.documents_for(context, frame, formats, progress), out)
