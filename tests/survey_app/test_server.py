"""The production server: an access log without addresses or receipts, and the body limit of each address."""
from datetime import timedelta

from gunicorn.config import Config
from gunicorn.glogging import Logger
from werkzeug.test import EnvironBuilder

from survey_app.respond.routes import MAX_FORM_BYTES
from survey_app.server import ACCESS_LOG_FORMAT, body_limits


class _Response:
    status = "200 OK"
    sent = 512
    headers = []


def test_the_access_log_line_holds_no_address_and_no_query():
    logger = Logger(Config())
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/s/abc/thanks", "QUERY_STRING": "r=receipt-123",
               "REMOTE_ADDR": "203.0.113.7", "SERVER_PROTOCOL": "HTTP/1.1", "RAW_URI": "/s/abc/thanks?r=receipt-123"}
    line = ACCESS_LOG_FORMAT % logger.atoms(_Response(), [], environ, timedelta(milliseconds=12))
    assert "203.0.113.7" not in line and "receipt-123" not in line
    assert '"GET /s/abc/thanks" 200 512 12ms' in line


def test_the_gate_holds_each_address_to_the_body_limit_the_app_applies(app):
    limit = body_limits(app)

    def at(method, path):
        return limit(EnvironBuilder(method=method, path=path).get_environ())
    assert at("POST", "/s/abc") == MAX_FORM_BYTES == 16 * 1024                  # the residents' form
    assert at("POST", "/admin/questionnaires") == app.config["MAX_CONTENT_LENGTH"] == 20 * 1024 * 1024
    assert at("POST", "/no/such/page") == at("DELETE", "/s/abc") == app.config["MAX_CONTENT_LENGTH"]
