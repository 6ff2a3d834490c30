"""Administrators: accounts and the audit log."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from survey_app import db
from survey_app.admin import bp
from survey_app.admin.forms import AccountEditForm, AccountForm
from survey_app.auth import address_hash, role_required
from survey_app.errors import UserError
from survey_app.models import Role, User
from survey_app.services import accounts, audit

PAGE = 100


def _codes(text: str | None) -> list[str]:
    return [c.strip() for c in (text or "").replace("，", ",").split(",") if c.strip()]


@bp.route("/accounts", methods=["GET", "POST"], endpoint="accounts")
@role_required(Role.ADMIN)
def accounts_page():
    form = AccountForm()
    if form.validate_on_submit():
        try:
            with db.session() as s:
                accounts.create_user(s, username=form.username.data, display_name=form.display_name.data or "",
                                     password=form.password.data, role=form.role.data,
                                     counties=_codes(form.counties.data),
                                     by=s.get(User, current_user.user_id), ip_hash=address_hash())
        except UserError as exc:
            flash(str(exc), "error")
        else:
            flash(f"已创建账号 {form.username.data}。")
            return redirect(url_for("admin.accounts"))
    with db.session() as s:
        users = accounts.all_users(s)
        rows = [(u, Role(u.role).label, sorted(u.county_codes)) for u in users]
    return render_template("admin/accounts.html", form=form, rows=rows, nav="accounts")



@bp.route("/accounts/<int:user_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def account_edit(user_id: int):
    with db.session() as s:
        user = s.get(User, user_id) or abort(404)
        form = AccountEditForm(obj=user) if request.method == "GET" else AccountEditForm()
        if request.method == "GET":
            form.counties.data = ",".join(sorted(user.county_codes))
        if form.validate_on_submit():
            try:
                accounts.update_user(s, user, display_name=form.display_name.data or "", role=form.role.data,
                                     active=form.active.data, counties=_codes(form.counties.data),
                                     password=form.password.data or None, by=s.get(User, current_user.user_id),
                                     ip_hash=address_hash())
            except UserError as exc:
                flash(str(exc), "error")
            else:
                flash(f"已保存账号 {user.username}。")
                return redirect(url_for("admin.accounts"))
        return render_template("admin/account_edit.html", form=form, user=user, nav="accounts")


@bp.get("/audit")
@role_required(Role.ADMIN)
def audit_log():
    page = max(request.args.get("page", 1, type=int), 1)
    action = request.args.get("action") or None
    with db.session() as s:
        events = audit.recent(s, PAGE + 1, (page - 1) * PAGE, action)
    return render_template("admin/audit.html", events=events[:PAGE], more=len(events) > PAGE, page=page,
                           action=action, actions=audit.ACTIONS, describe=audit.describe, nav="audit")
