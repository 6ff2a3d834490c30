"""The application factory."""
from __future__ import annotations

from flask import Flask, render_template
from werkzeug.middleware.proxy_fix import ProxyFix

from survey_app import config as settings
from survey_app import db


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    config = dict(config or {})
    app.config.update(
        DATABASE_URL=config.pop("DATABASE_URL", None) or settings.database_url(),
        SECRET_KEY=config.pop("SECRET_KEY", None) or settings.secret_key(),
        DATA_DIR=settings.data_dir(),
        BASE_URL=settings.base_url(),
        TIMEZONE=settings.timezone(),
        PROXY_HOPS=settings.proxy_hops(),
        JSON_AS_ASCII=False,
    )
    app.config.update(config)
    if app.config["PROXY_HOPS"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_HOPS"],
                                x_proto=app.config["PROXY_HOPS"], x_host=app.config["PROXY_HOPS"])
    db.init_app(app)

    from survey_app.respond import bp as respond_bp
    app.register_blueprint(respond_bp)

    @app.errorhandler(404)
    def not_found(_error):
        return render_template("message.html", title="页面不存在",
                               message="您打开的链接不存在或已失效，请重新扫描调查海报上的二维码。"), 404

    @app.errorhandler(500)
    def server_error(_error):
        return render_template("message.html", title="服务器繁忙",
                               message="服务器暂时无法处理，请稍后再试。您已填写的答案保存在手机上，不会丢失。"), 500

    return app
