"""The application factory."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from survey_app import compression, db, error_pages, job_queue, security, sessions, traffic
from survey_app import config as settings
from survey_app.models.campaign import STATUS_LABELS


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    config = dict(config or {})
    app.config.update(
        DATABASE_URL=config.pop("DATABASE_URL", None) or settings.database_url(),
        SECRET_KEY=config.pop("SECRET_KEY", None) or settings.secret_key(),
        ADDRESS_KEY=config.pop("ADDRESS_KEY", None) or settings.address_key(),
        DATA_DIR=settings.data_dir(),
        BASE_URL=settings.base_url(),
        TIMEZONE=settings.timezone(),
        PROXY_HOPS=settings.proxy_hops(),
        JSON_AS_ASCII=False,
        # Workspace sessions: HttpOnly, SameSite, Secure when served over HTTPS, 8 hours at most.
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
        WTF_CSRF_TIME_LIMIT=8 * 3600,
        FORM_TOKEN_MAX_AGE_S=settings.form_max_age_hours() * 3600,
        REDIS_URL=settings.redis_url(),
        LINK_CACHE_SECONDS=2,        # a pause or a disabled link reaches every worker within this time
        QUOTA_CACHE_SECONDS=5,       # full quotas (when a campaign closes them) are counted this often per worker
        CROWD_LIMITS=traffic.CrowdLimits.from_environment(),
        MAX_CONTENT_LENGTH=20 * 1024 * 1024,     # workspace uploads; the respondent form is held to far less
    )
    app.config.update(config)
    if "SESSION_COOKIE_SECURE" not in config:
        app.config["SESSION_COOKIE_SECURE"] = app.config["BASE_URL"].startswith("https://")
    if app.config["PROXY_HOPS"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_HOPS"],
                                x_proto=app.config["PROXY_HOPS"], x_host=app.config["PROXY_HOPS"])
    db.init_app(app)
    job_queue.init_app(app)
    app.extensions["traffic"] = traffic.counters(app.config["REDIS_URL"])
    compression.init_app(app)
    security.init_app(app)
    sessions.init_app(app)

    from survey_app.admin import bp as admin_bp
    from survey_app.auth import bp as auth_bp
    from survey_app.auth import login_manager
    from survey_app.respond import bp as respond_bp
    from survey_app.staff import bp as staff_bp
    csrf = CSRFProtect(app)
    csrf.exempt(respond_bp)          # the respondent form carries its own signed token
    login_manager.init_app(app)
    for blueprint in (respond_bp, auth_bp, admin_bp, staff_bp):
        app.register_blueprint(blueprint)

    app.jinja_env.globals["status_labels"] = STATUS_LABELS
    zone = ZoneInfo(app.config["TIMEZONE"])

    @app.template_filter("local")
    def local_time(value: datetime | None, seconds: bool = False) -> str:
        """A UTC datetime as local time, e.g. 2026-11-29 14:05."""
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M") if value else ""

    error_pages.init_app(app)
    return app
