"""Accounts: creation, passwords (a slow hash), roles, county limits, and throttled logins."""
from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session, selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from survey_app.errors import UserError
from survey_app.models import LoginFailure, Role, User, UserCounty, utcnow
from survey_app.services import audit, county_register

USERNAME = re.compile(r"^[A-Za-z0-9_.-]{3,64}$")
MIN_PASSWORD = 10
# Failed logins within the window that make further attempts wait: per account, per address.
# Nothing locks for good: once the window has passed, logging in works again.
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"密码至少 {MIN_PASSWORD} 个字符")
    if password.isdigit() or password.isalpha():
        raise UserError("密码不能只有数字或只有字母")


def _known_counties(session: Session, codes: list[str]) -> list[str]:
    """The distinct codes, sorted, when the county register holds every one (every campaign's counties)."""
    typed = list(dict.fromkeys(codes))
    unknown = county_register.unknown_codes(session, typed)
    if unknown:
        hint = ("目前还没有任何调查，请先创建调查，再限定区县。" if county_register.is_empty(session)
                else "限定区县只能填写已有调查中的区县代码（如 511502），多个用逗号分隔。")
        raise UserError(f"以下区县代码不是任何调查中的区县：{'、'.join(unknown)}。{hint}")
    return sorted(typed)


def all_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.role, User.username)))


def by_username(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def create_user(session: Session, *, username: str, display_name: str, password: str, role: str,
                counties: list[str] = (), by: User | None = None, ip_hash: str = "") -> User:
    username = username.strip()
    if not USERNAME.match(username):
        raise UserError(f"用户名“{username}”无效：3–64 个字母、数字、下划线、点或连字符")
    if role not in set(Role):
        raise UserError(f"角色“{role}”无效，可用：{'、'.join(Role)}")
    if session.scalar(select(User.id).where(User.username == username)):
        raise UserError(f"用户名“{username}”已存在")
    _check_password(password)
    counties = _known_counties(session, counties)
    user = User(username=username, display_name=display_name.strip() or username, role=role,
                password_hash=generate_password_hash(password),
                counties=[UserCounty(county_code=c) for c in counties])
    session.add(user)
    session.flush()
    audit.record(session, by, "user_create", username, ip_hash, role=role, counties=counties)
    return user


def update_user(session: Session, user: User, *, display_name: str, role: str, active: bool,
                counties: list[str], by: User, password: str | None = None, ip_hash: str = "") -> None:
    """Change an account; a new password too when given. Checks everything before changing anything."""
    if role not in set(Role):
        raise UserError(f"角色“{role}”无效")
    if user.id == by.id and (role != Role.ADMIN or not active):
        raise UserError("不能取消自己的管理员角色或停用自己的账号")
    counties = _known_counties(session, counties)
    if password is not None:
        _check_password(password)
        set_password(session, user, password, by, ip_hash)
    user.display_name, user.role, user.active = display_name.strip() or user.username, role, active
    user.counties = [UserCounty(county_code=c) for c in counties]
    user.session_version += 1           # a changed role or county limit applies at once
    audit.record(session, by, "user_update", user.username, ip_hash, role=role, active=active, counties=counties)


def set_password(session: Session, user: User, password: str, by: User | None, ip_hash: str = "") -> None:
    _check_password(password)
    user.password_hash = generate_password_hash(password)
    user.session_version += 1           # other sessions of this account end
    audit.record(session, by, "password_change", user.username, ip_hash)


class Throttled(Exception):
    """Too many recent failed logins; try again after `wait_minutes`."""

    def __init__(self, wait_minutes: int):
        super().__init__(wait_minutes)
        self.wait_minutes = wait_minutes


def _lock_attempts(session: Session) -> None:
    """One login attempt at a time is counted and recorded (a short lock, not held while hashing)."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")   # the database's write lock, taken before counting
    else:
        connection.execute(text("LOCK TABLE login_failures IN SHARE ROW EXCLUSIVE MODE"))


def _wait_minutes(session: Session, username: str, ip_hash: str, now: datetime) -> int:
    """Minutes until an attempt may be checked again; 0 while under both limits."""
    since = now - THROTTLE_WINDOW
    for column, value, limit in ((LoginFailure.username, username, MAX_FAILURES_PER_ACCOUNT),
                                 (LoginFailure.ip_hash, ip_hash, MAX_FAILURES_PER_ADDRESS)):
        count, first = session.execute(select(func.count(), func.min(LoginFailure.at))
                                       .where(column == value, LoginFailure.at >= since)).one()
        if count >= limit:
            return max(1, math.ceil((first + THROTTLE_WINDOW - now).total_seconds() / 60))
    return 0


def authenticate(sessions: Callable[[], AbstractContextManager[Session]], username: str, password: str,
                 ip_hash: str) -> User | None:
    """The active account with this password (its counties loaded), or None; every outcome audited.

    The attempt is counted against the limits before its password is checked: counting and
    recording it happen in one transaction under a lock, so of many parallel guesses exactly
    those under the limit are checked, and the rest are refused (Throttled) and audited unchecked.
    A successful attempt is then taken off the count; a failed one stays on it for the window.
    """
    now, typed = utcnow(), username[:64]
    with sessions() as session:
        _lock_attempts(session)
        wait = _wait_minutes(session, typed, ip_hash, now)
        if wait:
            audit.record(session, None, "login_refused", typed, ip_hash, username=typed, wait_minutes=wait)
        else:
            attempt = LoginFailure(username=typed, ip_hash=ip_hash, at=now)
            session.add(attempt)
    if wait:
        raise Throttled(wait)
    with sessions() as session:
        user = session.scalar(select(User).options(selectinload(User.counties)).where(User.username == username))
        # An unknown name costs the same slow hash, so timing does not tell which names exist.
        stored = user.password_hash if user is not None else _unknown_user_hash()
        if check_password_hash(stored, password) and user is not None and user.active:
            session.execute(delete(LoginFailure).where(LoginFailure.id == attempt.id))
            audit.record(session, user, "login", user.username, ip_hash)
            return user
        audit.record(session, None, "login_failed", typed, ip_hash, username=typed)
        return None


@functools.cache
def _unknown_user_hash() -> str:
    return generate_password_hash("no such account")


def end_sessions(session: Session, user: User, ip_hash: str = "") -> None:
    """Logout: every session of the account ends, including a copied cookie."""
    user.session_version += 1
    audit.record(session, user, "logout", user.username, ip_hash)
