"""A deadline for request bodies under gunicorn.

A phone on a weak signal, or a client trickling one byte every few seconds, holds a server thread
for as long as its body takes to arrive. The body is read here, before the app runs, and the read
side of the socket is shut when the deadline passes: the thread is freed and the sender told why.
"""
from __future__ import annotations

import io
import socket
import threading

BYTES_PER_SECOND = 50_000   # on top of the fixed allowance: a large upload on a slow line still fits
TOO_SLOW = "网络太慢，上传没有在规定时间内完成。请到信号较好的地方再提交；已填写的答案仍保存在手机上。"


class UploadDeadline:
    """WSGI middleware: the whole body within `seconds` (+ 1 s per 50 KB), or 408."""

    def __init__(self, app, seconds: float, max_length: int):
        self.app, self.seconds, self.max_length = app, seconds, max_length

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        connection = environ.get("gunicorn.socket")
        if connection is None or not 0 < length <= self.max_length:   # the app answers 413 itself
            return self.app(environ, start_response)
        timer = threading.Timer(self.seconds + length / BYTES_PER_SECOND, _cut, (connection,))
        timer.start()
        try:
            body = environ["wsgi.input"].read(length)
        except OSError:
            body = b""
        finally:
            timer.cancel()
        if len(body) < length:
            start_response("408 Request Timeout", [("Content-Type", "text/plain; charset=utf-8"),
                                                   ("Connection", "close")])
            return [TOO_SLOW.encode()]
        environ["wsgi.input"] = io.BytesIO(body)
        return self.app(environ, start_response)


def _cut(connection: socket.socket) -> None:
    """Wake the blocked read with end-of-file; the reply can still be sent."""
    try:
        connection.shutdown(socket.SHUT_RD)
    except OSError:
        pass
