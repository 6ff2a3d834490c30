"""Lighthouse (mobile) on the respondent page: performance, accessibility and best-practice scores.

    python bench/lighthouse.py [--out lighthouse.json]

Builds a demo campaign in a temporary folder, serves it with `survey serve` on a loopback port and
runs Google's Lighthouse from the npm registry (installed on first use into bench/.lighthouse)
against one link in Debian's Chromium, with Lighthouse's default mobile emulation (a mid-range
phone on a slow 4G line). Prints each category's score (0-100) and the page's key timings.
Needs Node.js and npm; the test suite checks WCAG 2.1 AA with axe-core itself.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from load import HOST, channel_tokens, free_port, wait_up

LIGHTHOUSE_VERSION = "12"
TOOLS = Path(__file__).parent / ".lighthouse"
CLI = [sys.executable, "-c", "from survey_app.cli import main; main()"]


def lighthouse_command() -> list[str]:
    binary = TOOLS / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        TOOLS.mkdir(exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(TOOLS), "--no-audit", "--no-fund",
                        f"lighthouse@{LIGHTHOUSE_VERSION}"], check=True, stdout=subprocess.DEVNULL)
    return [str(binary)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, help="keep Lighthouse's full JSON report here")
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
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
        with tempfile.TemporaryDirectory() as folder:
            report = Path(folder) / "report.json"
            subprocess.run([*command, f"http://{HOST}:{port}/s/{token}", "--quiet", "--output=json",
                            f"--output-path={report}", "--only-categories=performance,accessibility,best-practices",
                            "--chrome-flags=--headless=new --no-sandbox --disable-gpu"],
                           check=True, env={**os.environ, "CHROME_PATH": chromium})
            result = json.loads(report.read_text())
            if args.out:
                shutil.copyfile(report, args.out)
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
    failed = [audit["title"] for audit in audits.values()
              if audit.get("score") is not None and audit["score"] < 1 and audit.get("scoreDisplayMode") == "binary"]
    if failed:
        print("audits not passed: " + "; ".join(failed))


if __name__ == "__main__":
    main()
