"""Lighthouse on the respondent page (mobile: performance, accessibility, best practices) or, with
--workspace, Lighthouse's accessibility category on every workspace and staff page (desktop, signed in).

    python bench/lighthouse.py [--out lighthouse.json]
    python bench/lighthouse.py --workspace [--out folder]

Builds a demo campaign in a temporary folder, serves it with `survey serve` on a loopback port and
runs Google's Lighthouse from the npm registry (installed on first use into bench/.lighthouse) in
Debian's Chromium. The respondent page gets Lighthouse's default mobile emulation (a mid-range phone
on a slow 4G line); the scores (0-100) and the page's key timings are printed. With --workspace the
script creates an administrator, an evaluator and a staff account, signs each in over HTTP, waits
for the staff results to be computed, and passes the session cookie to Lighthouse as an extra
header (with a fixed user agent, since a session is bound to it); each page's accessibility score
and the audits it failed are printed. Needs Node.js and npm; the test suite checks WCAG 2.1 AA with
axe-core itself (tests/survey_app/test_accessibility.py, test_workspace_accessibility.py).
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from load import HOST, channel_tokens, free_port, wait_up

LIGHTHOUSE_VERSION = "12"
TOOLS = Path(__file__).parent / ".lighthouse"
CLI = [sys.executable, "-c", "from survey_app.cli import main; main()"]
CHROME_FLAGS = "--chrome-flags=--headless=new --no-sandbox --disable-gpu"
AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 lighthouse"
PASSWORD = "lighthouse-bench-42"
ACCOUNTS = {"admin": "lh-admin", "evaluator": "lh-eva", "staff": "lh-staff"}       # role -> username


def lighthouse_command() -> list[str]:
    binary = TOOLS / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        TOOLS.mkdir(exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(TOOLS), "--no-audit", "--no-fund",
                        f"lighthouse@{LIGHTHOUSE_VERSION}"], check=True, stdout=subprocess.DEVNULL)
    return [str(binary)]


class Browser:
    """Just enough of a browser to sign in: cookies kept by name, the fixed user agent."""

    def __init__(self, port: int):
        self.port, self.cookies = port, {}

    def get(self, path: str, body: dict | None = None) -> tuple[int, str, str]:
        """(status, page, redirect location) of a GET, or of a form POST when `body` is given."""
        connection = http.client.HTTPConnection(HOST, self.port, timeout=120)
        headers = {"User-Agent": AGENT, "Cookie": self.cookie()}
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request("POST" if body is not None else "GET", path, body=data, headers=headers)
            reply = connection.getresponse()
            page = reply.read().decode("utf-8", "replace")
            for header in reply.headers.get_all("Set-Cookie") or []:
                name, _, value = header.split(";", 1)[0].partition("=")
                self.cookies[name.strip()] = value.strip()
            return reply.status, page, reply.headers.get("Location", "")
        finally:
            connection.close()

    def cookie(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items() if value)

    def sign_in(self, username: str) -> None:
        page = self.get("/login")[1]
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        status = self.get("/login", {"csrf_token": token, "username": username, "password": PASSWORD})[0]
        if status != 302:
            raise SystemExit(f"could not sign in as {username} ({status})")


def find(pattern: str, page: str) -> str:
    found = re.search(pattern, page)
    if found is None:
        raise SystemExit(f"no {pattern} on the page")
    return found.group(1)


def workspace_pages(port: int) -> list[tuple[Browser, str]]:
    """Every workspace and staff page of the demo campaign, each with the browser signed in to see it."""
    for role, username in ACCOUNTS.items():
        subprocess.run([*CLI, "user", "create", username, "--role", role, "--password", PASSWORD],
                       check=True, stdout=subprocess.DEVNULL)
    admin, evaluator, staff = (Browser(port) for _ in ACCOUNTS)
    for browser, username in zip((admin, evaluator, staff), ACCOUNTS.values()):
        browser.sign_in(username)
    for _ in range(600):        # the staff results are computed in the background on the first visit
        if "正在" not in staff.get("/staff/c/demo/")[1]:
            break
        time.sleep(1)
    else:
        raise SystemExit("staff results not computed in 10 minutes")
    version = find(r"/admin/questionnaires/(\d+)/edit", evaluator.get("/admin/questionnaires")[1])
    receipt = find(r"/admin/c/demo/responses/(\w+)", evaluator.get("/admin/c/demo/review?flag=")[1])
    county = find(r"/staff/c/demo/county/(\w+)", staff.get("/staff/c/demo/")[1])
    account = find(r"/admin/accounts/(\d+)", admin.get("/admin/accounts")[1])
    c = "/admin/c/demo"
    return ([(admin, path) for path in ("/admin/accounts", f"/admin/accounts/{account}", "/admin/audit")]
            + [(evaluator, path) for path in (
                "/admin/", "/admin/campaigns/new", f"{c}/", f"{c}/counties", f"{c}/targets", f"{c}/quotas",
                f"{c}/channels", f"{c}/monitor", f"{c}/review", f"{c}/responses/{receipt}", "/admin/questionnaires",
                f"/admin/questionnaires/{version}/edit", f"/admin/questionnaires/{version}/phone",
                f"/admin/questionnaires/compare?old={version}&new={version}")]
            + [(staff, path) for path in ("/staff/", "/staff/c/demo/", f"/staff/c/demo/county/{county}")])


def lighthouse(command: list[str], url: str, options: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        subprocess.run([*command, url, "--quiet", "--output=json", f"--output-path={report}", CHROME_FLAGS,
                        *options], check=True, env={**os.environ, "CHROME_PATH": shutil.which("chromium")})
        return json.loads(report.read_text())


def failed_audits(result: dict) -> list[str]:
    return [audit["title"] for audit in result["audits"].values()
            if audit.get("score") is not None and audit["score"] < 1 and audit.get("scoreDisplayMode") == "binary"]


def workspace(command: list[str], port: int, out: Path | None) -> None:
    scores = []
    for browser, path in workspace_pages(port):
        result = lighthouse(command, f"http://{HOST}:{port}{path}", [
            "--only-categories=accessibility", "--preset=desktop", f"--emulatedUserAgent={AGENT}",
            "--extra-headers=" + json.dumps({"Cookie": browser.cookie()})])
        if result["finalDisplayedUrl"].split("?")[0].endswith("/login"):
            raise SystemExit(f"{path}: Lighthouse was sent to the login page; the session was not accepted")
        score = round(result["categories"]["accessibility"]["score"] * 100)
        scores.append(score)
        failed = failed_audits(result)
        print(f"{score:3d}  {path}" + (f"  (not passed: {'; '.join(failed)})" if failed else ""), flush=True)
        if out:
            out.mkdir(parents=True, exist_ok=True)
            (out / (re.sub(r"[^\w]+", "_", path).strip("_") + ".json")).write_text(json.dumps(result))
    print(f"Lighthouse {result['lighthouseVersion']}, desktop, accessibility: {len(scores)} pages, "
          f"lowest {min(scores)}, mean {sum(scores) / len(scores):.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workspace", action="store_true",
                        help="the accessibility category on every workspace and staff page instead")
    parser.add_argument("--out", type=Path, help="keep Lighthouse's full JSON report here (--workspace: a folder)")
    args = parser.parse_args()
    if shutil.which("chromium") is None:
        raise SystemExit("needs Debian's chromium")
    command = lighthouse_command()
    os.environ.update(SECRET_KEY="lighthouse-bench", SURVEY_DATA_DIR=tempfile.mkdtemp(prefix="lighthouse-"),
                      SURVEY_ADDRESS_KEY_FILE=os.path.join(tempfile.mkdtemp(prefix="lighthouse-key-"), "address_key"))
    subprocess.run([*CLI, "demo", "--responses", "2000", "--no-serve"], check=True, stdout=subprocess.DEVNULL)
    token = channel_tokens()[0][0]
    port = free_port()
    server = subprocess.Popen([*CLI, "serve", "--bind", f"{HOST}:{port}", "--workers", "1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_up(port)
        if args.workspace:
            workspace(command, port, args.out)
            return
        result = lighthouse(command, f"http://{HOST}:{port}/s/{token}",
                            ["--only-categories=performance,accessibility,best-practices"])
        if args.out:
            args.out.write_text(json.dumps(result))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()
    scores = {name: round(category["score"] * 100) for name, category in result["categories"].items()}
    audits = result["audits"]
    timings = {name: audits[name]["displayValue"] for name in
               ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift")}
    print(f"Lighthouse {result['lighthouseVersion']}, {result['configSettings']['formFactor']}: "
          + ", ".join(f"{name} {score}" for name, score in scores.items()))
    print("; ".join(f"{name} {value}" for name, value in timings.items()))
    failed = failed_audits(result)
    if failed:
        print("audits not passed: " + "; ".join(failed))


if __name__ == "__main__":
    main()
