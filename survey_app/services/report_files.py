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
from survey_app.io.csv_columns import as_utf8_csv
from survey_app.services import campaigns, responses, targets
from survey_app.services.results import settings_for


def _computed(timezone: str) -> str:
    return datetime.now(ZoneInfo(timezone)).strftime("计算于 %Y年%m月%d日 %H:%M")


def from_campaign(slug: str, timezone: str, out: Path, formats, cluster: str | None, progress) -> list[Path]:
    with bundle.second_process() as helper:          # starts while the responses are read and analysed
        context, frame = campaign_context(slug, timezone, cluster, progress)
        return replace_directory(bundle.documents_for(context, frame, formats, progress, helper=helper).files, out)


def campaign_context(slug: str, timezone: str, cluster: str | None, progress) -> tuple[documents.Context, pd.DataFrame]:
    """The analysed campaign (its current responses and exclusions) and its responses."""
    with db.session() as session:
        campaign = campaigns.find_campaign(session, slug)
        questionnaire = campaign.questionnaire
        progress(f"读取调查 {slug} 的答卷")
        frame = responses.load_frame(session.connection(), campaign, timezone, not_known=True)
        target_table = targets.table(campaign) if campaign.targets else None
        names = {c.code: c.name for c in campaign.counties}
        title, organizer, simulated = campaign.name, campaign.organizer, campaign.simulated
    settings = settings_for(questionnaire, cluster)
    progress(f"分析 {len(frame):,} 份答卷")
    try:
        results = analyze(frame, questionnaire, target_table, settings)
    except AnalysisError as exc:
        raise UserError(str(exc)) from exc
    results.record["versions"] = versions()
    return documents.Context(results, questionnaire, names, title, organizer, _computed(timezone), slug=slug,
                             simulated=simulated), frame


def from_files(responses_csv: Path, targets_csv: Path | None, counties_file: Path | None, title: str,
               questionnaire_name: str, out: Path, formats, cluster: str | None, progress) -> list[Path]:
    questionnaire = questionnaires.load(questionnaire_name)
    settings = Settings(quality=QualitySettings.for_questionnaire(questionnaire), cluster=cluster)
    progress(f"读取答卷：{responses_csv.name}")
    frame = read_responses(responses_csv)
    results = analyze_files(InputFiles(responses_csv, targets_csv), questionnaire, settings, progress, frame)
    names = county_names(counties_file) if counties_file else {}
    context = documents.Context(results, questionnaire, names, title, "", _computed("Asia/Shanghai"))
    data = frame if {"sav", "csv", "xlsx"} & set(formats) else None
    return replace_directory(bundle.documents_for(context, data, formats, progress).files, out)


def read_responses(path: Path) -> pd.DataFrame:
    """A responses file in the export layout (CSV in UTF-8 or GBK, or Excel), read once for both
    the analysis and the data files; codes and ids as text, empty cells missing."""
    with as_utf8_csv(path, "答卷文件") as source:
        try:
            return pd.read_csv(source, encoding="utf-8-sig", keep_default_na=False, na_values=[""],
                               dtype={"response_id": str, "county": str, "channel": str, "comment": str})
        except (ValueError, pd.errors.ParserError) as exc:
            raise UserError(f"答卷文件 {path.name} 无法读取：{exc}") from exc
