"""Accounts from the command line: the first administrator, and any account after that."""
from __future__ import annotations

import click

from survey_app import config
from survey_app.cli.base import make_app


@click.group(help="账号（管理员、评估人员、工作人员）")
def user():
    pass


@user.command("create", help="新建账号，如：survey user create admin --role admin")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "evaluator", "staff"]), required=True,
              help="admin 管理账号和审计日志；evaluator 创建和运行调查；staff 查看结果和下载")
@click.option("--name", "display_name", default="", help="姓名")
@click.option("--counties", default="", help="工作人员限定的区县代码，逗号分隔（空 = 全部区县）")
@click.option("--password", prompt="密码", hide_input=True, confirmation_prompt="再次输入密码",
              help="不给则提示输入（不回显）")
def user_create(username, role, display_name, counties, password):
    from survey_app import db
    from survey_app.models import Role
    from survey_app.services import accounts
    app = make_app()
    db.upgrade(app.extensions["survey_engine"])
    codes = [c.strip() for c in counties.replace("，", ",").split(",") if c.strip()]
    with app.app_context(), db.session() as session:
        accounts.create_user(session, username=username, display_name=display_name, password=password,
                             role=role, counties=codes)
    click.echo(f"已创建账号 {username}（{Role(role).label}）。{_login_hint(app.config['BASE_URL'])}")


def _login_hint(base_url: str) -> str:
    """The login link at the site's address, as links and QR codes give it; how to find it when unknown."""
    if base_url != config.LOCAL_BASE_URL:
        return f"登录：{base_url}/login"
    return ("登录：在浏览器打开服务器网址后加 /login（服务器网址即 survey serve 启动时显示的网址）；"
            "设置 SURVEY_BASE_URL 后，这里直接给出登录链接。")


@user.command("password", help="重设账号的密码（该账号已登录的会话随即失效）")
@click.argument("username")
@click.option("--password", prompt="新密码", hide_input=True, confirmation_prompt="再次输入新密码")
def user_password(username, password):

    from survey_app import db
    from survey_app.errors import UserError
    from survey_app.services import accounts
    app = make_app()
    with app.app_context(), db.session() as session:
        account = accounts.by_username(session, username)
        if account is None:
            raise UserError(f"没有账号“{username}”")
        accounts.set_password(session, account, password, None)
    click.echo(f"已重设 {username} 的密码。")
