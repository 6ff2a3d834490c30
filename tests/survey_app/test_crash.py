"""The short crash test: workers, the master and the whole server killed under load, nothing acknowledged lost."""
import subprocess
import sys
from pathlib import Path

CRASH_BENCH = Path(__file__).parents[2] / "bench" / "crash.py"


def test_every_acknowledged_submission_survives_random_kills():
    """bench/crash.py, short: on SQLite, or on a database of its own beside DATABASE_URL's PostgreSQL."""
    run = subprocess.run([sys.executable, str(CRASH_BENCH), "--duration", "6", "--rate", "10", "--seed", "3"],
                         capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stdout + run.stderr
    killed, outcome = run.stdout.splitlines()[:2]
    assert "'worker'" in killed and ("'master'" in killed or "'server'" in killed), killed
    assert "acknowledged 60, lost 0, stored twice 0, gave up 0, unaccounted 0; integrity: ok" in outcome, outcome
