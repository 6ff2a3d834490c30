"""The production server's access log keeps no addresses and no receipts."""
from datetime import timedelta

from gunicorn.config import Config
from gunicorn.glogging import Logger

from survey_app.server import ACCESS_LOG_FORMAT


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
