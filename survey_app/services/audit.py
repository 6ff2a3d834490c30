"""The audit log: every login, configuration change, exclusion, export and download."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.models import AuditEvent, Role, User
from survey_app.models.campaign import STATE_ACTIONS

# What each action is called on the audit page.
ACTIONS = {
    "login": "登录", "login_failed": "登录失败", "login_refused": "登录被拒（失败次数过多）", "logout": "退出登录",
    "user_create": "新建账号", "user_update": "修改账号", "password_change": "修改密码",
    "campaign_create": "新建调查", "campaign_update": "修改调查", "campaign_state": "开放/暂停/结束调查",
    "counties_update": "修改区县", "targets_upload": "上传人口目标", "quotas_update": "修改配额",
    "channels_add": "添加渠道", "channel_state": "停用/启用渠道",
    "response_exclude": "剔除答卷", "response_restore": "恢复答卷", "tests_clear": "清除测试答卷",
    "quotas_closing": "配额满后停止收集",
    "questionnaire_import": "导入问卷", "questionnaire_save": "保存问卷",
    "download": "下载", "export": "导出答卷", "request_zip": "生成二维码/海报 ZIP",
}

# What each detail is called on the audit page.
DETAILS = {
    "role": "角色", "counties": "区县", "active": "启用", "change": "操作", "questionnaire": "问卷",
    "rows": "行数", "sha256": "SHA-256", "quotas": "配额数", "total": "合计", "added": "添加",
    "channels": "渠道", "disabled": "停用", "responses": "答卷数", "changed": "实际改变", "reason": "原因",
    "ids": "回执编号", "county": "区县", "file": "文件", "new_version": "另存为新版本", "summary": "变更",
    "wait_minutes": "需等待分钟数", "close": "停止收集",
}


# Details stored as codes, shown by their Chinese names.
VALUES = {"change": STATE_ACTIONS, "role": {role.value: role.label for role in Role}}


def describe(detail: dict) -> list[tuple[str, str]]:
    """An event's details in Chinese: (label, value) pairs; codes by their names, booleans as 是/否."""
    return [(DETAILS.get(key, key), _value_text(key, value)) for key, value in detail.items()]


def _value_text(key: str, value) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(_value_text(key, v) for v in value) or "—"
    if value is None or value == "":
        return "—"
    return VALUES.get(key, {}).get(value, str(value))


def record(session: Session, user: User | None, action: str, target: str = "", ip_hash: str = "",
           username: str | None = None, **detail) -> AuditEvent:
    """Append one event, in the caller's transaction: it is kept exactly when the change is."""
    event = AuditEvent(user_id=user.id if user else None,
                       username=username if username is not None else (user.username if user else ""),
                       action=action, target=target[:200], detail=detail, ip_hash=ip_hash)
    session.add(event)
    return event


def recent(session: Session, limit: int = 200, offset: int = 0, action: str | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit).offset(offset)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(session.scalars(query))
