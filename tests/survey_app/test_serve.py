"""`survey serve` as residents meet it: up again at once after a crash, and not held up by slow phones."""
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

import pytest

from survey_app import db
from survey_app.app import create_app
from tests.helpers import gen_campaign, stored, valid_answers

# Each test starts real server processes on SQLite; once is enough, so they are skipped on PostgreSQL.
pytestmark = pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="once is enough")

# A resident on a weak signal, mid-upload: the headers, then the first bytes of the body.
SLOW_UPLOAD = b"POST /s/x HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nrespondent_type="


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serving(port: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=1) as r:
                return r.status == 200
        except OSError:
            time.sleep(0.2)
    return False


def answer_time(port: int) -> float:
    started = time.monotonic()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as r:
        assert r.status == 200
    return time.monotonic() - started


def server_env(tmp_path, **extra: str) -> dict:
    """The server's environment: SQLite in its own folder."""
    env = {**os.environ, "SURVEY_DATA_DIR": str(tmp_path), "SECRET_KEY": "serve-test",
           "SURVEY_ADDRESS_KEY_FILE": str(tmp_path.parent / "address_key"), **extra}
    env.pop("DATABASE_URL", None)
    return env


def start(port: int, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "from survey_app.cli import main; main()", "serve", "--bind",
                             f"127.0.0.1:{port}", "--workers", "2"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def test_a_server_starts_right_after_its_master_was_killed(tmp_path):
    port = free_port()
    env = server_env(tmp_path)
    first = start(port, env)
    second = slow = None
    try:
        assert serving(port, 30)
        slow = socket.create_connection(("127.0.0.1", port))
        slow.sendall(SLOW_UPLOAD)
        time.sleep(0.5)                                      # its worker stays alive, holding the port
        os.kill(first.pid, signal.SIGKILL)                 # the master only: its workers are orphaned
        first.wait()
        second = start(port, env)
        assert serving(port, 15)
        assert second.poll() is None                       # the new master is up, not failing to bind
    finally:
        if slow is not None:
            slow.close()
        stop(first, second)


def stop(*processes) -> None:
    for process in processes:
        if process is not None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def test_others_are_served_while_32_phones_upload_slowly(tmp_path):
    port = free_port()
    env = server_env(tmp_path)
    server = start(port, env)
    slow = []
    try:
        assert serving(port, 30)
        for _ in range(32):
            connection = socket.create_connection(("127.0.0.1", port))
            connection.sendall(SLOW_UPLOAD)
            slow.append(connection)
        time.sleep(0.5)
        assert max(answer_time(port) for _ in range(20)) < 1
    finally:
        for connection in slow:
            connection.close()
        stop(server)


def test_an_upload_that_outlasts_its_deadline_is_cut_with_a_reason(tmp_path):
    port = free_port()
    env = server_env(tmp_path, SURVEY_UPLOAD_SECONDS="1")
    server = start(port, env)
    try:
        assert serving(port, 30)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as trickle:
            trickle.sendall(SLOW_UPLOAD)
            started = time.monotonic()
            reply = b""
            while not reply.endswith("。".encode()) and (chunk := trickle.recv(4096)):   # head and body may part
                reply += chunk
            reply = reply.decode()
        assert reply.startswith("HTTP/1.1 408") and "网络太慢" in reply and time.monotonic() - started < 5
        assert "Content-Security-Policy: default-src 'self'" in reply and "X-Content-Type-Options: nosniff" in reply
        with socket.create_connection(("127.0.0.1", port), timeout=10) as whole:   # a body sent in time reaches the app
            whole.sendall(b"POST /s/x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\narea=")
            assert whole.recv(4096).decode().startswith("HTTP/1.1 404")
    finally:
        stop(server)


def test_the_server_runs_queued_jobs_and_its_job_worker_stops_with_it(tmp_path, questionnaire):
    """A ZIP asked for while no server ran is built once `survey serve` is up; the worker ends with the server."""
    from survey_app import job_queue
    from survey_app.models import Job
    from survey_app.services import campaigns, channel_files
    env = server_env(tmp_path)
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'survey.db'}", "DATA_DIR": tmp_path,
                      "SECRET_KEY": "serve-test", "ADDRESS_KEY": "serve-test"})
    db.upgrade(app.extensions["survey_engine"])
    gen_campaign(app, questionnaire)
    with app.app_context():
        with db.session() as s:
            job = channel_files.request_zip(s, campaigns.find_campaign(s, "test-2026"), "qr", None, "eva", tmp_path)
        job_queue.enqueue("channel_files", job.id)
    port = free_port()
    server = start(port, env)
    try:
        assert serving(port, 30)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with app.app_context(), db.session() as s:
                if s.get(Job, job.id).status == "done":
                    break
            time.sleep(0.3)
        assert channel_files.file_path(tmp_path, job).exists()
        workers = subprocess.run(["pgrep", "-f", f"worker --parent {server.pid}"], capture_output=True, text=True)
        assert workers.stdout.strip()
        os.kill(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        deadline = time.monotonic() + 15
        while subprocess.run(["pgrep", "-f", f"worker --parent {server.pid}"]).returncode == 0:
            assert time.monotonic() < deadline, "the job worker outlived its server"
            time.sleep(0.3)
    finally:
        stop(server)


# Chunked bodies (no Content-Length) pass the same gate: its deadline, the limit of their address, their framing.

@pytest.fixture
def served_link(tmp_path, questionnaire):
    """`survey serve` on a database of its own with a campaign open; (port, link token, app on that database)."""
    url = f"sqlite:///{tmp_path / 'served.db'}"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "serve-test", "ADDRESS_KEY": "serve-test"})
    db.upgrade(app.extensions["survey_engine"])
    token = gen_campaign(app, questionnaire)[0]
    port = free_port()
    server = start(port, {**server_env(tmp_path, SURVEY_UPLOAD_SECONDS="1"), "DATABASE_URL": url})
    try:
        assert serving(port, 30)
        yield port, token, app
    finally:
        stop(server)
        app.extensions["survey_engine"].dispose()


def chunked_post(port: int, path: str, chunks: list[bytes], headers: str = "") -> str:
    """POST `chunks` as a chunked body; the reply as text (the server may answer before all is sent)."""
    head = (f"POST {path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\n{headers}\r\n").encode()
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks) + b"0\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        sender = threading.Thread(target=_send, args=(connection, head + body))
        sender.start()
        reply = b""
        try:
            while chunk := connection.recv(65536):
                reply += chunk
        except ConnectionResetError:         # the rest of a refused body was not read
            pass
        sender.join()
    return reply.decode()


def _send(connection: socket.socket, data: bytes) -> None:
    try:
        connection.sendall(data)
    except OSError:
        pass


def form_body(port: int, token: str, questionnaire, **extra: str) -> bytes:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/s/{token}", timeout=5) as page:
        form_token = re.search(r'name="form_token" value="([^"]+)"', page.read().decode()).group(1)
    return urllib.parse.urlencode({"form_token": form_token, **valid_answers(questionnaire), **extra}).encode()


def test_a_chunked_body_over_the_form_limit_is_refused_and_nothing_stored(served_link, questionnaire):
    port, token, app = served_link
    body = form_body(port, token, questionnaire, padding="x" * 2_000_000)
    reply = chunked_post(port, f"/s/{token}", [body[i:i + 8192] for i in range(0, len(body), 8192)])
    assert reply.startswith("HTTP/1.1 413") and "提交的内容过大" in reply
    assert stored(app) == []


def test_a_small_chunked_submission_is_stored(served_link, questionnaire):
    port, token, app = served_link
    body = form_body(port, token, questionnaire)
    reply = chunked_post(port, f"/s/{token}", [body[:100], body[100:]], "X-Requested-With: fetch\r\n")
    assert reply.startswith("HTTP/1.1 200") and len(stored(app)) == 1


def test_malformed_chunking_is_refused_with_a_reason(served_link):
    port, token, app = served_link
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(f"POST /s/{token} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "zz\r\narea=urban\r\n0\r\n\r\n".encode())
        reply = b""
        while not reply.endswith("。".encode()) and (chunk := connection.recv(4096)):   # head and body may part
            reply += chunk
        reply = reply.decode()
    assert reply.startswith("HTTP/1.1 400") and "格式有误" in reply
    assert stored(app) == []


def test_a_chunked_trickle_is_cut_at_its_deadline(served_link):
    port, token, _ = served_link
    with socket.create_connection(("127.0.0.1", port), timeout=10) as trickle:
        trickle.sendall(f"POST /s/{token} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "10\r\nrespondent".encode())
        started = time.monotonic()
        reply = b""
        while not reply.endswith("。".encode()) and (chunk := trickle.recv(4096)):
            reply += chunk
    assert reply.decode().startswith("HTTP/1.1 408") and "网络太慢" in reply.decode()
    assert time.monotonic() - started < 5
