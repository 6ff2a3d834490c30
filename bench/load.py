"""Load benchmark: residents on the public link, at a fixed rate for a fixed time, on loopback only.

    python bench/load.py [--rate 100] [--duration 30] [--think 1] [--workers 4]

Builds a demo campaign in a temporary folder (SQLite; PostgreSQL when DATABASE_URL is set), starts
`survey serve` on a free loopback port and plays residents: each opens a link, waits `--think`
seconds, submits; some double-tap (two copies at once), some retry after their answer came back.
Latency counts from the planned send time, so a server falling behind shows in the figures
(no coordinated omission). Every acknowledged submission id is then looked up in the database.
The same rate is then offered to a trivial endpoint (/favicon.ico) on the same server.

With --close-full-quotas, the campaign closes full quotas and the first county's quota is set to what
it has already received (full: its residents get the thank-you page, 410); the other counties keep
their quotas, so their form pages pay for the (cached) count of what is full.

With --capacity S, wrk (Debian's package; a C client, light on the cores it shares with the
server) then finds the most each kind of request gets per second in S seconds: the trivial
endpoint, the form page, and submissions of forms fetched beforehand, each with a new id.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import numpy as np

SECRET = "load-bench"
HOST = "127.0.0.1"


class Tally:
    """What was sent and what came back, shared by the client threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.statuses: Counter = Counter()
        self.acknowledged: set[str] = set()
        self.submitted = 0

    def record(self, status, latency: float, receipt: str | None = None) -> None:
        with self.lock:
            self.statuses[status] += 1
            self.latencies.append(latency)
            if receipt:
                self.acknowledged.add(receipt)


def request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        reply = connection.getresponse()
        return reply.status, reply.read()
    finally:
        connection.close()


def post(port: int, path: str, body: bytes, planned: float, tally: Tally) -> None:
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Requested-With": "fetch"}
    try:
        status, data = request(port, "POST", path, body, headers)
    except OSError as exc:
        tally.record(type(exc).__name__, time.monotonic() - planned)
        return
    receipt = None
    if status == 200:
        receipt = urllib.parse.parse_qs(urllib.parse.urlsplit(json.loads(data)["redirect"]).query)["r"][0]
    tally.record(status, time.monotonic() - planned, receipt)


def resident(port: int, token: str, planned: float, think: float, rng: random.Random, items: list[str],
             codes: list[str], tally: Tally) -> None:
    time.sleep(max(0.0, planned - time.monotonic()))
    try:
        status, page = request(port, "GET", f"/s/{token}")
    except OSError as exc:
        tally.record(f"GET {type(exc).__name__}", time.monotonic() - planned)
        return
    if status != 200:
        tally.record(f"GET {status}", time.monotonic() - planned)
        return
    form_token = re.search(rb'name="form_token" value="([^"]+)"', page).group(1).decode()
    answers = {"form_token": form_token, "respondent_type": rng.choice(["parent", "student", "teacher"]),
               "area": rng.choice(["urban", "rural"]), "stage": rng.choice(["primary", "junior"])}
    answers.update({item: rng.choice(codes) for item in items})
    body = urllib.parse.urlencode(answers).encode()
    planned_post = planned + think
    time.sleep(max(0.0, planned_post - time.monotonic()))
    with tally.lock:
        tally.submitted += 1
    roll = rng.random()
    if roll < 0.05:      # a double tap: two copies at once
        twin = threading.Thread(target=post, args=(port, f"/s/{token}", body, planned_post, tally))
        twin.start()
        post(port, f"/s/{token}", body, planned_post, tally)
        twin.join()
    else:
        post(port, f"/s/{token}", body, planned_post, tally)
        if roll < 0.08:  # the reply was lost on the way: the page sends again
            post(port, f"/s/{token}", body, time.monotonic(), tally)


def trivial(port: int, planned: float, tally: Tally) -> None:
    time.sleep(max(0.0, planned - time.monotonic()))
    try:
        status, _ = request(port, "GET", "/favicon.ico")
    except OSError as exc:
        status = type(exc).__name__
    tally.record(status, time.monotonic() - planned)


def offer(rate: float, duration: float, task) -> float:
    """Run `task(planned_time)` `rate` times a second for `duration` seconds; returns the wall time."""
    start = time.monotonic() + 0.5
    count = int(rate * duration)
    with ThreadPoolExecutor(max_workers=min(2000, int(rate * 10) + 16)) as pool:
        for i in range(count):
            pool.submit(task, start + i / rate)
    return time.monotonic() - start


def summary(name: str, tally: Tally, wall: float) -> None:
    ms = np.percentile(np.array(tally.latencies) * 1000, [50, 95, 99]) if tally.latencies else [np.nan] * 3
    served = sum(n for status, n in tally.statuses.items() if status == 200 or status == 204)
    print(f"{name}: {served / wall:.0f}/s served, p50 {ms[0]:.0f} ms, p95 {ms[1]:.0f} ms, p99 {ms[2]:.0f} ms; "
          f"statuses {dict(tally.statuses)}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_up(port: int) -> None:
    for _ in range(150):
        try:
            if request(port, "GET", "/favicon.ico")[0] == 204:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("server did not start")


def stored(receipts: set[str]) -> tuple[int, int]:
    """(acknowledged ids found, rows stored for the campaign) in the server's database."""
    from sqlalchemy import func, select

    from survey_app import db
    from survey_app.app import create_app
    from survey_app.models import Response
    from survey_app.services import campaigns

    app = create_app()
    with app.app_context(), db.session() as session:
        campaign = campaigns.find_campaign(session, "demo")
        ids = set(session.scalars(select(Response.submission_id).where(Response.campaign_id == campaign.id)))
        total = session.scalar(select(func.count()).select_from(Response).where(Response.campaign_id == campaign.id))
    return len(receipts & ids), total


def channel_tokens() -> tuple[list[str], list[str], list[str]]:
    """The demo campaign's link tokens, item ids and answer codes."""
    from sqlalchemy import select

    from survey_app import db
    from survey_app.app import create_app
    from survey_app.models import Channel
    from survey_app.services import campaigns

    app = create_app()
    with app.app_context(), db.session() as session:
        campaign = campaigns.find_campaign(session, "demo")
        tokens = list(session.scalars(select(Channel.token).where(Channel.campaign_id == campaign.id)))
        questionnaire = campaign.questionnaire
        return tokens, list(questionnaire.item_ids), [str(point.code) for point in questionnaire.scale.points]


def close_the_first_county() -> None:
    """The demo campaign closes full quotas; its first county has received its quota already."""
    from survey_app import db
    from survey_app.app import create_app
    from survey_app.services import campaigns, quotas

    app = create_app()
    with app.app_context(), db.session() as session:
        campaign = campaigns.find_campaign(session, "demo")
        received = campaigns.responses_by_county(session, campaign)
        values = {key: target for key, target in quotas.saved(campaign).items() if not key[1]}
        for county in campaign.counties[:1]:
            values[(county.code, "", "")] = received.get(county.id, 0)
        quotas.replace(session, campaign, values, None)
        quotas.set_closing(session, campaign, True, None)


@contextmanager
def own_database():
    """SQLite in the temporary folder, or a new PostgreSQL database beside DATABASE_URL's, dropped after."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield "SQLite"
        return
    from sqlalchemy import create_engine, make_url, text
    name = f"load_bench_{os.getpid()}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    os.environ["DATABASE_URL"] = make_url(url).set(database=name).render_as_string(hide_password=False)
    try:
        yield "PostgreSQL"
    finally:
        os.environ["DATABASE_URL"] = url
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=100, help="residents per second (at most 1000)")
    parser.add_argument("--duration", type=float, default=30, help="seconds (at most 300)")
    parser.add_argument("--think", type=float, default=1, help="seconds between opening and submitting")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=64, help="threads per worker")
    parser.add_argument("--close-full-quotas", action="store_true",
                        help="close full quotas, with the first county full")
    parser.add_argument("--capacity", type=float, default=0, help="seconds of closed-loop wrk per kind of request (at most 60)")
    args = parser.parse_args()
    if not (0 < args.rate <= 1000 and 0 < args.duration <= 300 and 0 <= args.capacity <= 60):
        raise SystemExit("rate must be in (0, 1000], duration in (0, 300] and capacity in [0, 60]")
    # Every resident here comes from 127.0.0.1: lift the soft limit per address (bursts are still flagged).
    os.environ.update(SECRET_KEY=SECRET, SURVEY_DATA_DIR=tempfile.mkdtemp(prefix="load-"),
                      SURVEY_ADDRESS_KEY_FILE=os.path.join(tempfile.mkdtemp(prefix="load-key-"), "address_key"),
                      SURVEY_ADDRESS_REQUESTS_PER_HOUR=str(10**9))
    with own_database() as database:
        run(args, database)


def run(args, database: str) -> None:
    subprocess.run([sys.executable, "-c", "from survey_app.cli import main; main()", "demo", "--responses", "2000", "--no-serve"],
                   check=True, stdout=subprocess.DEVNULL)
    if args.close_full_quotas:
        close_the_first_county()
    tokens, items, codes = channel_tokens()
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", "from survey_app.cli import main; main()", "serve", "--bind", f"{HOST}:{port}",
                               "--workers", str(args.workers),
                               "--threads", str(args.threads)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_up(port)
        print(f"{database}, {args.workers} workers of {args.threads} threads, {os.cpu_count()} cores; {args.rate:g}/s offered for "
              f"{args.duration:g} s, think {args.think:g} s"
              + ("; full quotas closed, the first county full" if args.close_full_quotas else ""))
        rng = random.Random(7)
        submissions = Tally()
        wall = offer(args.rate, args.duration, lambda planned: resident(
            port, rng.choice(tokens), planned, args.think, random.Random(rng.random()), items, codes, submissions))
        summary("submissions", submissions, wall)
        found, total = stored(submissions.acknowledged)
        print(f"residents who submitted {submissions.submitted}, acknowledged {len(submissions.acknowledged)}, "
              f"of those stored {found}, lost {len(submissions.acknowledged) - found}; "
              f"campaign rows {total} (2000 simulated before)")
        trivial_tally = Tally()
        wall = offer(args.rate, args.duration, lambda planned: trivial(port, planned, trivial_tally))
        summary("trivial /favicon.ico", trivial_tally, wall)
        if args.capacity:
            capacity(port, tokens, items, codes, args.capacity)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()


# wrk sends the prepared submissions in turn, one per request, each thread its own share.
WRK_SUBMIT = """
local bodies, next_body, threads_made = {}, 0, 0
function setup(thread) thread:set("id", threads_made) threads_made = threads_made + 1 end
function init(args)
  for line in io.lines(args[1]) do table.insert(bodies, line) end
  next_body = id
end
function request()
  next_body = next_body + %(threads)d
  local body = bodies[(next_body %% #bodies) + 1]
  return wrk.format("POST", body:match("^(%%S+)"), {["Content-Type"] = "application/x-www-form-urlencoded",
                    ["X-Requested-With"] = "fetch"}, body:match("^%%S+ (.*)$"))
end
"""


def capacity(port: int, tokens: list[str], items: list[str], codes: list[str], seconds: float) -> None:
    """Closed-loop maxima with wrk: trivial endpoint, form page, and submissions (a fresh id each)."""
    threads, connections = 2, 16
    base = f"http://{HOST}:{port}"
    trivial_rate = wrk(["-t", str(threads), "-c", str(connections), "-d", f"{seconds:g}s", f"{base}/favicon.ico"])
    form_rate = wrk(["-t", str(threads), "-c", str(connections), "-d", f"{seconds:g}s", f"{base}/s/{tokens[0]}"])
    rng = random.Random(11)
    needed = int(seconds * 2000)
    with tempfile.TemporaryDirectory() as folder, ThreadPoolExecutor(16) as pool:
        lines = list(pool.map(lambda _: submission_line(port, rng.choice(tokens), items, codes), range(needed)))
        bodies, script = os.path.join(folder, "bodies"), os.path.join(folder, "submit.lua")
        with open(bodies, "w") as f:
            f.write("\n".join(lines) + "\n")
        with open(script, "w") as f:
            f.write(WRK_SUBMIT % {"threads": threads})
        submit_rate = wrk(["-t", str(threads), "-c", str(connections), "-d", f"{seconds:g}s", "-s", script, base,
                           "--", bodies])
    print(f"capacity (wrk, {connections} connections, {seconds:g} s each): trivial {trivial_rate:.0f}/s, "
          f"form page {form_rate:.0f}/s, submissions {submit_rate:.0f}/s "
          f"(ratio to trivial {submit_rate / trivial_rate:.2f}; {needed} forms fetched beforehand)")


def submission_line(port: int, token: str, items: list[str], codes: list[str]) -> str:
    page = request(port, "GET", f"/s/{token}")[1]
    form_token = re.search(rb'name="form_token" value="([^"]+)"', page).group(1).decode()
    rng = random.Random(form_token)
    answers = {"form_token": form_token, "respondent_type": rng.choice(["parent", "student", "teacher"]),
               "area": rng.choice(["urban", "rural"]), "stage": rng.choice(["primary", "junior"]),
               **{item: rng.choice(codes) for item in items}}
    return f"/s/{token} {urllib.parse.urlencode(answers)}"


def wrk(arguments: list[str]) -> float:
    """Requests per second that wrk reports; non-2xx answers are refused as a failed measurement."""
    output = subprocess.run(["wrk", *arguments], capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in output:
        raise SystemExit(f"wrk saw failed requests:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


if __name__ == "__main__":
    main()
