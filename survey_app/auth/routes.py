"""Login and logout pages."""
from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from survey_app import db
from survey_app.auth import Account, address_hash, bp, home_url
from survey_app.models import User
from survey_app.services import accounts


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名")])
    password = PasswordField("密码", validators=[DataRequired("请输入密码")])


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: a login link cannot send anyone elsewhere.

    Refused: a scheme or host, a leading `//`, any backslash (browsers read `/\\` as `//`), and
    any control character or space (browsers drop tabs and newlines: `/<tab>/host` is `//host`),
    each checked once more after percent-decoding.
    """
    if not target:
        return None
    for text in (target, unquote(target)):
        if (not text.startswith("/") or text.startswith("//") or "\\" in text
                or any(c.isspace() or unicodedata.category(c).startswith("C") for c in text)):
            return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_url())
    form = LoginForm()
    error, status = None, 200
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(db.session, form.username.data.strip(), form.password.data, address_hash())
            account = Account(user) if user else None
        except accounts.Throttled as exc:
            error, status = f"登录失败次数过多，请 {exc.wait_minutes} 分钟后再试。", 429
        else:
            if account is None:
                error, status = "用户名或密码不正确。", 401
            else:
                session.clear()                 # a new session at login
                login_user(account)
                session.permanent = True
                return redirect(_safe_next(request.args.get("next")) or home_url())
    return render_template("auth/login.html", form=form, error=error), status


@bp.post("/logout")
@login_required
def logout():
    with db.session() as s:
        accounts.end_sessions(s, s.get(User, current_user.user_id), address_hash())
    logout_user()
    session.clear()
    flash("已退出登录。")
    return redirect(url_for("auth.login"))
