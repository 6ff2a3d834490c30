"""Quality flags: one straight-lining rule from the phone to the analysis; every flag reaches the export."""
import enum

import pandas as pd
from sqlalchemy import update

from analysis import job
from analysis.quality import QualitySettings
from survey_app import db
from survey_app.models import Flag, Response, packing
from survey_app.services import campaigns, responses
from tests.helpers import stored, submit, valid_answers


def test_straightlining_is_the_same_rule_when_stored_and_in_the_analysis(app, client, channel_token,
                                                                         questionnaire, runner, tmp_path):
    submit(client, channel_token, valid_answers(questionnaire, "5", q16="9"))   # 15 x 非常满意 + 不了解
    submit(client, channel_token, valid_answers(questionnaire, "5", q16="4"))
    submit(client, channel_token, valid_answers(questionnaire, "9", q01="3"))   # one scored answer only
    flat = [bool(Flag(r.flags) & Flag.STRAIGHTLINE) for r in sorted(stored(app), key=lambda r: r.id)]
    assert flat == [True, False, False]

    out = tmp_path / "responses.csv"
    runner("export", "responses", "test-2026", "--out", out)
    exported = pd.read_csv(out, encoding="utf-8-sig", dtype={"county": str})
    assert exported["flag_straightline"].tolist() == [1, 0, 0]
    keep_all = job.Settings(quality=QualitySettings(exclude=frozenset(), min_items_answered=1))
    result = job.analyze(exported, questionnaire, None, keep_all)
    assert result.quality["straightline"][-1] == 1


def test_a_new_flag_reaches_the_export_without_other_changes(app, client, channel_token, questionnaire,
                                                             runner, tmp_path, monkeypatch):
    extra = enum.IntFlag("Flag", [(f.name, f.value) for f in Flag] + [("BURST", 2 * max(Flag))])
    monkeypatch.setattr(packing, "Flag", extra)
    submit(client, channel_token, valid_answers(questionnaire, q01="3"))
    with app.app_context(), db.session() as session:
        session.execute(update(Response).values(flags=int(extra.BURST | extra.SPEEDER)))

    out = tmp_path / "responses.csv"
    runner("export", "responses", "test-2026", "--out", out)
    exported = pd.read_csv(out, encoding="utf-8-sig", dtype={"county": str})
    assert [c for c in exported.columns if c.startswith("flag_")] == [
        "flag_speeder", "flag_honeypot", "flag_straightline", "flag_repeat_device",
        "flag_address_burst", "flag_form_burst", "flag_burst"]
    assert exported.iloc[0][["flag_speeder", "flag_honeypot", "flag_burst"]].tolist() == [1, 0, 1]
    with app.app_context(), db.session() as session:
        loaded = responses.load_frame(session.connection(), campaigns.find_campaign(session, "test-2026"))
    assert loaded.iloc[0][["flag_speeder", "flag_honeypot", "flag_burst"]].tolist() == [1, 0, 1]
