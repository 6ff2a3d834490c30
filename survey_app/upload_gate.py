"""Slow uploads under gunicorn: a deadline for request bodies, and a cap on requests at work.

A phone on a weak signal, or a client trickling one byte every few seconds, holds a server thread
for as long as its body takes to arrive. The body is read here, before the app runs, and the read
side of the socket is shut when the deadline passes: the thread is freed and the sender told why.
A chunked body (no Content-Length) is read here too, up to one byte over the limit of its address,
and reaches the app as a body of known length: the app then answers 413 as for any other.
Many threads can wait on slow bodies; only a few at a time run the app, so those few are not
slowed by sharing the interpreter with dozens of others.
"""
from __future__ import annotations

import contextlib
import io
import socket
import threading
import time
from collections.abc import Callable

from gunicorn.http.errors import ParseException

from survey_app import security

BYTES_PER_SECOND = 50_000   # on top of the fixed allowance: a large upload on a slow line still fits
PIECE = 64 * 1024           # a chunked body is read in pieces of at most this size
TOO_SLOW = "网络太慢，上传没有在规定时间内完成。请到信号较好的地方再提交；已填写的答案仍保存在手机上。"
MALFORMED = "提交的数据不完整或格式有误（分块传输编码无效），请重新提交。"


class UploadGate:
    """WSGI middleware: the whole body within `seconds` (+ 1 s per 50 KB), or 408; then at most
    `at_work` requests of this process in the app at once. `limit(environ)` is the largest body the
    app accepts at the request's address; a larger one is not read here (the app answers 413)."""

    def __init__(self, app, seconds: float, limit: Callable[[dict], int], at_work: int):
        self.app, self.seconds, self.limit = app, seconds, limit
        self.admission = threading.BoundedSemaphore(at_work)
        self.deadlines = _Deadlines()

    def __call__(self, environ, start_response):
        connection = environ.get("gunicorn.socket")
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if connection is None or not (chunked or length):
            return self._run(environ, start_response)
        limit = self.limit(environ)
        if not chunked and length > limit:        # the app answers 413 itself, unread
            return self._run(environ, start_response)
        wanted = limit + 1 if chunked else length  # one byte over the limit tells a chunked body too large
        with self.deadlines.watch(connection, self.seconds + min(wanted, limit) / BYTES_PER_SECOND):
            try:
                body = _read(environ["wsgi.input"], wanted)
            except OSError:                       # cut at the deadline, or the sender went away
                return _refuse(start_response, "408 Request Timeout", TOO_SLOW)
            except ParseException:
                return _refuse(start_response, "400 Bad Request", MALFORMED)
        if not chunked and len(body) < length:
            return _refuse(start_response, "408 Request Timeout", TOO_SLOW)
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ.pop("wsgi.input_terminated", None)
        environ["CONTENT_LENGTH"], environ["wsgi.input"] = str(len(body)), io.BytesIO(body)
        return self._run(environ, start_response)

    def _run(self, environ, start_response):
        with self.admission:
            return self.app(environ, start_response)


def _read(stream, size: int) -> bytes:
    """Up to `size` bytes, fewer at the end of the body; in bounded pieces (a chunked body has no end
    known in advance)."""
    body = bytearray()
    while len(body) < size and (piece := stream.read(min(PIECE, size - len(body)))):
        body += piece
    return bytes(body)


def _refuse(start_response, status: str, reason: str) -> list[bytes]:
    text = reason.encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(text))),
                            *security.WITHOUT_SCRIPTS])
    return [text]


class _Deadlines:
    """One thread per process cuts the uploads whose deadline has passed (checked twice a second)."""

    TICK_S = 0.5

    def __init__(self):
        self._watched: dict[int, tuple[float, socket.socket]] = {}
        self._started = False
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def watch(self, connection: socket.socket, seconds: float):
        key = id(connection)
        self._watched[key] = (time.monotonic() + seconds, connection)
        self._start_once()
        try:
            yield
        finally:
            self._watched.pop(key, None)

    def _start_once(self) -> None:
        if not self._started:
            with self._lock:
                if not self._started:
                    threading.Thread(target=self._run, name="upload-deadlines", daemon=True).start()
                    self._started = True

    def _run(self) -> None:
        while True:
            time.sleep(self.TICK_S)
            now = time.monotonic()
            for key, (deadline, connection) in list(self._watched.items()):
                if deadline <= now and self._watched.pop(key, None) is not None:
                    _cut(connection)


def _cut(connection: socket.socket) -> None:
    """Wake the blocked read with end-of-file; the reply can still be sent."""
    try:
        connection.shutdown(socket.SHUT_RD)
    except OSError:
        pass
