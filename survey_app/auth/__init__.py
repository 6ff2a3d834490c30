"""Logging in and out, and the role each page requires (Flask-Login sessions).

The session holds "user id:session version"; raising the version (logout, a password or
role change) ends every session of the account, a copied cookie included.
"""
from __future__ import annotations

import functools

from flask import Blueprint, abort, current_app, request, url_for
from flask_login import LoginManager, UserMixin, current_user

from survey_app import db, privacy
from survey_app.models import Role, User

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "请先登录。"
login_manager.session_protection = "strong"
HOME = {Role.ADMIN: "admin.accounts", Role.EVALUATOR: "admin.campaigns", Role.STAFF: "staff.campaigns"}


class Account(UserMixin):
    """The logged-in user as Flask-Login sees it (a detached snapshot of the row)."""

    def __init__(self, user: User):
        self.user_id, self.username, self.display_name = user.id, user.username, user.display_name
        self.role = Role(user.role)
        self.county_codes = user.county_codes
        self.session_version = user.session_version

    def get_id(self) -> str:
        return f"{self.user_id}:{self.session_version}"

    def sees_county(self, code: str) -> bool:
        return not self.county_codes or code in self.county_codes


@login_manager.user_loader
def _load(session_id: str) -> Account | None:
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    with db.session() as session:
        user = session.get(User, int(user_id))
        if user is None or not user.active or user.session_version != int(version):
            return None
        return Account(user)


def role_required(*roles: Role):
    """Only these roles; anyone else logged in gets 403, anonymous visitors the login page."""
    def decorate(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        wrapped.roles = roles       # read by the route matrix test
        return wrapped
    return decorate


def home_url() -> str:
    """The logged-in account's first page."""
    return url_for(HOME[current_user.role])


def address_hash() -> str:
    return privacy.address_hash(current_app.config["ADDRESS_KEY"], request.remote_addr or "")


from survey_app.auth import routes  # noqa: F401  (registers the views)
