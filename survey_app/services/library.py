"""The questionnaire library: built-in, imported and edited versions; freezing, export, differences.

A version that a campaign with responses uses is frozen: saving an edit of it makes a new
version. An unfrozen version is changed in place, together with the snapshots of the
campaigns (without responses) that use it.
"""
from __future__ import annotations

from dataclasses import dataclass

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import questionnaires
from questionnaires import Problem, Questionnaire, QuestionnaireError
from survey_app.models import Campaign, QuestionnaireVersion, Response
from survey_app.services import audit

ORIGINS = {"builtin": "内置", "import": "导入", "edit": "在线编辑"}


def ensure_builtins(session: Session) -> None:
    """Every built-in questionnaire file is in the library (once per id and version)."""
    for name in questionnaires.builtin_names():
        q = questionnaires.load(name)
        if session.scalar(select(QuestionnaireVersion.id).where(QuestionnaireVersion.key == q.id,
                                                                QuestionnaireVersion.version == q.version)) is None:
            session.add(QuestionnaireVersion(key=q.id, version=q.version, title=q.title, definition=q.source,
                                             origin="builtin"))
    session.flush()


@dataclass(frozen=True)
class Usage:
    campaigns: list[str]      # slugs of the campaigns that use the version
    responses: int

    @property
    def frozen(self) -> bool:
        return self.responses > 0


def usage(session: Session, version: QuestionnaireVersion) -> Usage:
    campaigns = list(session.scalars(select(Campaign).where(Campaign.questionnaire_id == version.key,
                                                            Campaign.questionnaire_version == version.version)))
    responses = session.scalar(select(func.count()).where(Response.campaign_id.in_([c.id for c in campaigns]),
                                                          ~Response.test)) \
        if campaigns else 0
    return Usage([c.slug for c in campaigns], responses)


def versions(session: Session) -> list[tuple[QuestionnaireVersion, Usage]]:
    ensure_builtins(session)
    rows = session.scalars(select(QuestionnaireVersion).order_by(QuestionnaireVersion.key,
                                                                 QuestionnaireVersion.id.desc()))
    return [(v, usage(session, v)) for v in rows]


def get(session: Session, version_id: int) -> QuestionnaireVersion | None:
    return session.get(QuestionnaireVersion, version_id)


def import_yaml(session: Session, text: str, source: str, by, ip_hash: str = "") -> QuestionnaireVersion:
    """A new library version from a YAML file; a file with problems gets all of them, each at its field."""
    questionnaire = _checked(session, lambda: questionnaires.loads(text, source), source)
    version = _add(session, questionnaire, "import")
    audit.record(session, by, "questionnaire_import", f"{questionnaire.id} {questionnaire.version}", ip_hash,
                 file=source)
    return version


def create(session: Session, definition: dict, by, ip_hash: str = "") -> QuestionnaireVersion:
    """A new questionnaire (or a new version of one) written in the browser."""
    questionnaire = _checked(session, lambda: questionnaires.load_dict(definition, source="新建的问卷"), "新建的问卷")
    version = _add(session, questionnaire, "edit")
    audit.record(session, by, "questionnaire_save", f"{questionnaire.id} {questionnaire.version}", ip_hash,
                 new_version=True)
    return version


def save(session: Session, version: QuestionnaireVersion, definition: dict, by,
         ip_hash: str = "") -> QuestionnaireVersion:
    """Save an edit: in place while unfrozen, else as a new version (which needs a new number)."""
    frozen = usage(session, version).frozen
    questionnaire = _checked(session, lambda: questionnaires.load_dict(definition, source="编辑的问卷"), "编辑的问卷",
                             edited=version, frozen=frozen)
    if frozen:
        saved = _add(session, questionnaire, "edit")
    else:
        for campaign in session.scalars(select(Campaign).where(Campaign.questionnaire_id == version.key,
                                                               Campaign.questionnaire_version == version.version)):
            campaign.questionnaire_id, campaign.questionnaire_version = questionnaire.id, questionnaire.version
            campaign.questionnaire_snapshot = questionnaire.source
        version.key, version.version, version.title = questionnaire.id, questionnaire.version, questionnaire.title
        version.definition = questionnaire.source
        saved = version
    audit.record(session, by, "questionnaire_save", f"{questionnaire.id} {questionnaire.version}", ip_hash,
                 new_version=saved is not version)
    return saved


def _checked(session: Session, load, source: str, edited: QuestionnaireVersion | None = None,
             frozen: bool = False) -> Questionnaire:
    """The questionnaire `load()` gives, with a version number it may take; a definition with problems
    gets all of them at once, the number's among them (at 版本号)."""
    try:
        questionnaire = load()
    except QuestionnaireError as exc:
        found = exc.definition if isinstance(exc.definition, dict) else {}
        number = _number_problem(session, found.get("id"), found.get("version"), edited, frozen)
        if number is None:
            raise
        raise QuestionnaireError.listing(exc.source, [Problem("version", number), *exc.problems],
                                         exc.definition) from None
    number = _number_problem(session, questionnaire.id, questionnaire.version, edited, frozen)
    if number is not None:
        raise QuestionnaireError(source, "version", number)
    return questionnaire


def _number_problem(session: Session, key, number, edited: QuestionnaireVersion | None, frozen: bool) -> str | None:
    """Why questionnaire `key` may not be saved as version `number` (an edit of `edited`), if it may not."""
    if not isinstance(key, str) or not isinstance(number, (str, int, float)):
        return None                      # the loader names these
    number = str(number)
    if edited is not None and (key, number) == (edited.key, edited.version):
        return "此版本已有调查收到答卷，已冻结：请填写新的版本号，保存为新版本" if frozen else None
    if session.scalar(select(QuestionnaireVersion.id).where(QuestionnaireVersion.key == key,
                                                            QuestionnaireVersion.version == number)):
        return f"问卷 {key} 已有版本 {number}，请填写新的版本号"
    return None


def _add(session: Session, questionnaire: Questionnaire, origin: str) -> QuestionnaireVersion:
    version = QuestionnaireVersion(key=questionnaire.id, version=questionnaire.version, title=questionnaire.title,
                                   definition=questionnaire.source, origin=origin)
    session.add(version)
    session.flush()
    return version


def to_yaml(version: QuestionnaireVersion) -> str:
    """The definition as a YAML file that loads back to the same questionnaire."""
    return yaml.safe_dump(version.definition, allow_unicode=True, sort_keys=False, width=120)


def differences(old: Questionnaire, new: Questionnaire) -> list[tuple[str, str, str]]:
    """What changed between two versions: (where, before, after), in questionnaire order."""
    changes = []
    for field, label in (("title", "标题"), ("introduction", "开头说明"), ("estimated_minutes", "预计用时（分钟）")):
        if getattr(old, field) != getattr(new, field):
            changes.append((label, str(getattr(old, field)), str(getattr(new, field))))
    if old.scale != new.scale:
        changes.append(("量表", _scale_text(old), _scale_text(new)))
    if old.comment != new.comment:
        changes.append(("意见建议题", _comment_text(old), _comment_text(new)))
    if old.quality != new.quality:
        changes.append(("质量设置", _quality_text(old), _quality_text(new)))
    changes += _keyed("答题人信息", {a.id: a for a in old.attributes}, {a.id: a for a in new.attributes},
                      lambda a: _attribute_text(a, old), lambda a: _attribute_text(a, new))
    changes += _keyed("题目", {i.id: i for i in old.items}, {i.id: i for i in new.items}, _item_text, _item_text)
    if [i.id for i in old.items if i.id in new.item_ids] != [i.id for i in new.items if i.id in old.item_ids]:
        changes.append(("题目顺序", " ".join(old.item_ids), " ".join(new.item_ids)))
    return changes


def _keyed(kind, old: dict, new: dict, old_text, new_text) -> list[tuple[str, str, str]]:
    changes = []
    for key in [*old, *(k for k in new if k not in old)]:
        before, after = old.get(key), new.get(key)
        if before != after:
            changes.append((f"{kind} {key}", old_text(before) if before else "（无）",
                            new_text(after) if after else "（删除）"))
    return changes


def _scale_text(q: Questionnaire) -> str:
    points = "，".join(f"{p.code}={p.label}" + (f"（{p.score:g} 分）" if p.score is not None else "")
                      for p in q.scale.points)
    return f"{points}；满意：{_codes(q.scale.satisfied)}；不满意：{_codes(q.scale.dissatisfied)}"


def _codes(codes) -> str:
    return "、".join(map(str, sorted(codes)))


def _quality_text(q: Questionnaire) -> str:
    return f"最短用时 {q.quality.min_seconds} 秒，至少答 {q.quality.min_items_answered} 题"


def _comment_text(q: Questionnaire) -> str:
    return f"{q.comment.question}（选答，最多 {q.comment.max_length} 字）" if q.comment else "（无）"


def _attribute_text(a, q: Questionnaire) -> str:
    """The question, its options and its conditions by their labels (ids after them, for the YAML author)."""
    conditions = []
    for attr, allowed in a.applies_if:
        asked = q.attribute(attr)
        labels = "、".join(o.label for o in asked.options if o.id in allowed)
        conditions.append(f"仅当“{asked.question}”为 {labels}")
    options = "、".join(f"{o.label}（{o.id}）" for o in a.options)
    return f"{a.question}：{options}" + (f"（{'；'.join(conditions)}）" if conditions else "")


def _item_text(i) -> str:
    return f"[{i.topic}] {i.text}（权重 {i.weight:g}）"
