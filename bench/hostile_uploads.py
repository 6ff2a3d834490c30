"""Hostile uploads and slow bodies: what each costs the server.

    python bench/hostile_uploads.py [--trickle N]

Builds each hostile file in a temporary folder (an .xlsx zip bomb, an .xlsx holding one 400 MB text,
a 19 MB YAML file, a YAML file nested 100,000 deep, a CSV of 2 million cells) and uploads it through
the app (Flask's test client on SQLite, an evaluator logged in), each in a process of its own. Prints
the time the upload took, the process's peak memory (ru_maxrss) before and after it, the HTTP status
and the first message the page shows. An upload still running after 600 s is stopped.

With --trickle N, starts `survey serve` (4 workers) on a loopback port and opens 32 connections that
send chunked bodies one byte a second; meanwhile, for N seconds, GETs /login once a second and prints
how many got no answer within 2 s, and the slowest answer.
"""
from __future__ import annotations

import argparse
import html
import io
import json
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from load import HOST, free_port, wait_up

MB = 1024 * 1024
SLUG = "bench-2026"
SPREADSHEET = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
STOP_AFTER_S = 600


def workbook() -> bytes:
    import openpyxl
    book = openpyxl.Workbook()
    book.active.append(["county", "variable", "category", "population"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_with(path: Path, name: str, pieces) -> None:
    """A small workbook with part `name` written from `pieces` (bytes), packed as tightly as deflate can."""
    with zipfile.ZipFile(io.BytesIO(workbook())) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED,
                                                                             compresslevel=9) as target:
        for part in source.infolist():
            if part.filename != name:
                target.writestr(part, source.read(part))
        with target.open(name, "w", force_zip64=True) as stream:
            for piece in pieces:
                stream.write(piece)


def bomb_sheet(unpacked: int):
    """The same row of a targets table, over and over (packs about 340:1)."""
    yield b'<?xml version="1.0"?><worksheet ' + SPREADSHEET + b"><sheetData>"
    row = b"".join(b'<c t="inlineStr"><is><t>%s</t></is></c>' % text
                   for text in (b"511502", b"respondent_type", b"parent", b"300"))
    block = b"<row>" + row + b"</row>"
    block *= MB // len(block)
    for _ in range(unpacked // len(block)):
        yield block
    yield b"</sheetData></worksheet>"


def one_string(unpacked: int):
    yield b'<?xml version="1.0"?><sst ' + SPREADSHEET + b' count="1" uniqueCount="1"><si><t>'
    for _ in range(unpacked // MB):
        yield b"x" * MB
    yield b"</t></si></sst>"


def build(folder: Path) -> list[tuple[str, Path]]:
    files = []

    def made(label: str, name: str) -> Path:
        files.append((label, folder / name))
        return folder / name
    xlsx_with(made("xlsx zip bomb (sheet ~1.2 GB unpacked)", "bomb.xlsx"), "xl/worksheets/sheet1.xml",
              bomb_sheet(1200 * MB))
    xlsx_with(made("xlsx with one 400 MB shared string", "string.xlsx"), "xl/sharedStrings.xml",
              one_string(400 * MB))
    item = "  - {id: q%d, text: 学校的教学质量怎么样, topic: 教育质量, weight: 1}\n"
    lines, size, n = ["id: big\nversion: '1'\ntitle: 大\nitems:\n"], 0, 0
    while size < 19 * MB:
        lines.append(item % n)
        size, n = size + len(lines[-1].encode()), n + 1
    made("19 MB YAML", "big.yaml").write_text("".join(lines), encoding="utf-8")
    made("YAML nested 100,000 deep", "deep.yaml").write_text("id: deep\nitems: " + "[" * 100_000 + "]" * 100_000 + "\n")
    header = "county,variable,category,population," + ",".join(f"c{n}" for n in range(36))
    row = "511502,respondent_type,parent,300," + ",".join(["1"] * 36)
    made("CSV of 2,000,000 cells", "cells.csv").write_text("\n".join([header, *[row] * 49_999]) + "\n", encoding="utf-8")
    return files


def upload(path: Path) -> dict:
    """In this process: the app on a new SQLite database, an evaluator logged in, `path` uploaded."""
    folder = Path(tempfile.mkdtemp(prefix="hostile-"))
    os.environ.update(SURVEY_DATA_DIR=str(folder / "data"))
    import questionnaires
    from survey_app import db
    from survey_app.app import create_app
    from survey_app.io.counties import CountyRow
    from survey_app.services import accounts, campaigns

    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'bench.db'}", "SECRET_KEY": "bench", "ADDRESS_KEY": "bench",
                      "WTF_CSRF_ENABLED": False})
    db.upgrade(app.extensions["survey_engine"])
    now = datetime.now(UTC)
    with app.app_context(), db.session() as session:
        accounts.create_user(session, username="eva", display_name="eva", password="correct-horse-42",
                             role="evaluator", counties=[])
        campaigns.create_campaign(session, slug=SLUG, name="测试", organizer="督导室",
                                  questionnaire=questionnaires.load(questionnaires.DEFAULT),
                                  counties=[CountyRow("511502", "翠屏区")], opens_at=now - timedelta(days=1),
                                  closes_at=now + timedelta(days=30))
    client = app.test_client()
    client.post("/login", data={"username": "eva", "password": "correct-horse-42"})
    target = "/admin/questionnaires" if path.suffix == ".yaml" else f"/admin/c/{SLUG}/targets"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    with path.open("rb") as stream:
        reply = client.post(target, data={"file": (stream, path.name)}, content_type="multipart/form-data")
    seconds = time.perf_counter() - started
    message = re.search(r"<li>(.*?)</li>", reply.get_data(as_text=True))
    return {"status": reply.status_code, "seconds": seconds, "before_mb": before,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "message": html.unescape(message.group(1)) if message else ""}


def measure(label: str, path: Path) -> None:
    try:
        done = subprocess.run([sys.executable, __file__, "--upload", str(path)], capture_output=True, text=True,
                              timeout=STOP_AFTER_S)
    except subprocess.TimeoutExpired:
        print(f"{label} ({path.stat().st_size / MB:.1f} MB): still running after {STOP_AFTER_S} s")
        return
    if done.returncode:
        print(f"{label} ({path.stat().st_size / MB:.1f} MB): the process died (exit {done.returncode})")
        return
    r = json.loads(done.stdout.splitlines()[-1])
    print(f"{label} ({path.stat().st_size / MB:.1f} MB): HTTP {r['status']} in {r['seconds']:.2f} s, "
          f"peak {r['peak_mb']:.0f} MB (before the upload {r['before_mb']:.0f} MB)\n    {r['message']}")


def trickle(port: int, stop: threading.Event) -> None:
    """Chunked bodies, one byte a second; a body answered (408) or cut is begun again, until `stop`."""
    while not stop.is_set():
        try:
            with socket.create_connection((HOST, port), timeout=1) as connection:
                connection.sendall(b"POST /s/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                                   b"Content-Type: application/x-www-form-urlencoded\r\n\r\n")
                while not stop.is_set():
                    connection.sendall(b"1\r\na\r\n")
                    try:
                        if connection.recv(4096):
                            break
                    except TimeoutError:
                        continue
                    break                                   # closed
        except OSError:
            time.sleep(1)


def trickles(seconds: float) -> None:
    env = {**os.environ, "SURVEY_DATA_DIR": tempfile.mkdtemp(prefix="hostile-serve-"), "SECRET_KEY": "bench",
           "SURVEY_ADDRESS_KEY_FILE": os.path.join(tempfile.mkdtemp(prefix="hostile-key-"), "address_key")}
    env.pop("DATABASE_URL", None)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", "from survey_app.cli import main; main()", "serve", "--bind",
                               f"{HOST}:{port}", "--workers", "4"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    stop = threading.Event()
    try:
        wait_up(port)
        senders = [threading.Thread(target=trickle, args=(port, stop), daemon=True) for _ in range(32)]
        for sender in senders:
            sender.start()
        time.sleep(1)
        times, unanswered, ends = [], 0, time.monotonic() + seconds
        while time.monotonic() < ends:
            started = time.monotonic()
            try:
                with socket.create_connection((HOST, port), timeout=2) as connection:
                    connection.sendall(b"GET /login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    answered = connection.recv(12).startswith(b"HTTP/1.1 200")
            except OSError:
                answered = False
            took = time.monotonic() - started
            unanswered += not answered
            times.append(took)
            time.sleep(max(0.0, 1 - took))
        print(f"32 chunked trickles (1 byte/s), {seconds:g} s: {unanswered}/{len(times)} GET /login unanswered "
              f"within 2 s; slowest {max(times) * 1000:.0f} ms")
    finally:
        stop.set()
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trickle", type=float, default=0, help="seconds of ordinary requests among 32 trickles")
    parser.add_argument("--upload", type=Path, help=argparse.SUPPRESS)     # the process that uploads one file
    args = parser.parse_args()
    if args.upload:
        print(json.dumps(upload(args.upload), ensure_ascii=False))
        return
    if not 0 <= args.trickle <= 600:
        raise SystemExit("--trickle must be in [0, 600]")
    with tempfile.TemporaryDirectory(prefix="hostile-files-") as folder:
        started = time.perf_counter()
        files = build(Path(folder))
        print(f"built {len(files)} files in {time.perf_counter() - started:.0f} s")
        for label, path in files:
            measure(label, path)
    if args.trickle:
        trickles(args.trickle)


if __name__ == "__main__":
    main()
