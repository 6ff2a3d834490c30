"""What every command group shares: Chinese errors, the app for a command, local times."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import click

import questionnaires
from survey_app.errors import UserError


class CommandError(click.ClickException):
    """A command's error, shown as 错误：… (click's own would say "Error:")."""

    def show(self, file=None) -> None:
        click.echo(f"错误：{self.format_message()}", file=file, err=True)


class ChineseGroup(click.Group):
    """User errors (Chinese messages) end the command with exit code 1 and no traceback, and so do a
    database that cannot be reached or has no tables yet.

    The words the command was given are kept in ``ctx.meta["argv"]`` (for the records it writes).
    """

    def parse_args(self, ctx, args):
        ctx.meta["argv"] = list(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (UserError, questionnaires.QuestionnaireError) as exc:
            raise CommandError(str(exc)) from exc
        except Exception as exc:
            if (message := database_problem(exc)) is None:
                raise
            raise CommandError(message) from exc


SCHEMA_MISSING = ("no such table", "UndefinedTable", "does not exist")
UNREACHABLE = ("could not connect", "Connection refused", "unable to open database file")


def database_problem(exc: Exception) -> str | None:
    """What to tell the user of a database error they can fix themselves (None: a defect; let it show).
    Told by the error's words, so that commands without a database need not import SQLAlchemy."""
    if not type(exc).__module__.startswith("sqlalchemy"):
        return None
    text = str(exc)
    if any(words in text for words in SCHEMA_MISSING):
        return "数据库还没有建立或版本较旧：请先运行 survey db upgrade 建立或升级数据库结构，再重试。"
    if any(words in text for words in UNREACHABLE):
        return "连不上数据库：请检查 DATABASE_URL 设置和数据库服务是否在运行。"
    return None


def make_app(**defaults):
    """The app a command works on: configured from the environment and `defaults`, or from
    the dict that a caller (the tests) passes as the root context's ``obj``."""
    from survey_app.app import create_app
    return create_app({**defaults, **(click.get_current_context().find_root().obj or {})})


def local_time(text: str, tz: str) -> datetime:
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=ZoneInfo(tz))
        except ValueError:
            continue
    raise click.BadParameter(f"“{text}”不是有效时间，应为 2026-11-01 或 2026-11-01 08:00")
