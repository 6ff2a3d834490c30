"""Sign-in sessions only where someone signs in: the residents' pages neither read nor set one."""
from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface

PUBLIC_PREFIX = "/s/"     # the links residents open (survey_app.respond)


class WorkspaceSessions(SecureCookieSessionInterface):
    """Skips reading (and so verifying) a session cookie on residents' requests."""

    def open_session(self, app: Flask, request):
        if request.path.startswith(PUBLIC_PREFIX):
            return self.null_session_class()
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    app.session_interface = WorkspaceSessions()
