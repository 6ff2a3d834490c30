"""What every command group shares: Chinese errors, the app for a command, local times."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import click

import questionnaires
from survey_app.errors import UserError


class ChineseGroup(click.Group):
    """User errors (Chinese messages) end the command with exit code 1 and no traceback.

    The words the command was given are kept in ``ctx.meta["argv"]`` (for the records it writes).
    """

    def parse_args(self, ctx, args):
        ctx.meta["argv"] = list(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (UserError, questionnaires.QuestionnaireError) as exc:
            raise click.ClickException(str(exc)) from exc


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
