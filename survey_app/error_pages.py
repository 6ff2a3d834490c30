"""The Chinese page of each refusal and error.

In the workspace: its layout, with a way back (to the previous page, the account's home, or the
login page). Residents keep their light pages, which need no sign-in and no database.
"""
from __future__ import annotations

from flask import Flask, current_app, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from survey_app.auth import home_url
from survey_app.security import PRIVATE as WORKSPACE_BLUEPRINTS

WORKSPACE_PATHS = ("/admin/", "/staff/", "/login", "/logout")   # a mistyped address under them matches no page

# Per error: (title, explanation) for residents, then for the workspace.
PAGES = {
    CSRFError: (("页面已过期", "页面已过期或不是从本系统打开的，请返回、刷新页面后重试。"),
                ("页面已过期", "页面已过期或不是从本系统打开的，请返回、刷新页面后重试。")),
    403: (("没有权限", "您没有打开此页面的权限。"),
          ("没有权限", "您的账号没有打开此页面的权限。")),
    404: (("页面不存在", "您打开的链接不存在或已失效，请重新扫描调查海报上的二维码。"),
          ("页面不存在", "您打开的页面不存在或已被删除，请检查链接，或从工作台重新进入。")),
    405: (("页面不存在", "您打开的链接不存在或已失效，请重新扫描调查海报上的二维码。"),
          ("无法这样打开", "此地址不能直接打开，请使用页面上的按钮或链接。")),
    413: (("提交的内容过大", "提交的内容超出了允许的大小，请返回后重试。"),
          ("提交的内容过大", "提交的内容超出了允许的大小（20 MB），请返回后重试。")),
    500: (("服务器繁忙", "服务器暂时无法处理，请稍后再试。您已填写的答案保存在手机上，不会丢失。"),
          ("服务器出错", "服务器暂时无法完成这项操作，数据没有改变。请稍后再试；如一再出现，请联系系统管理员。")),
}


def _in_workspace() -> bool:
    return request.blueprint in WORKSPACE_BLUEPRINTS or request.path.startswith(WORKSPACE_PATHS)


def _workspace_page(title: str, message: str) -> str:
    home = home_url() if current_user.is_authenticated else None
    return render_template("error.html", title=title, message=message, home=home, login=url_for("auth.login"))


def _handler(error, resident: tuple[str, str], workspace: tuple[str, str]):
    status = 400 if error is CSRFError else error

    def page(_error):
        if not _in_workspace():
            return render_template("message.html", title=resident[0], message=resident[1]), status
        try:
            return _workspace_page(*workspace), status
        except Exception:
            # The fault may be the database, which the layout's account needs: the light page, rendered
            # without the context processors (they load the account too).
            light = current_app.jinja_env.get_template("message.html")
            return light.render(title=workspace[0], message=workspace[1]), status
    return page


def init_app(app: Flask) -> None:
    for error, (resident, workspace) in PAGES.items():
        app.register_error_handler(error, _handler(error, resident, workspace))
