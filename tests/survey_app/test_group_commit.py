"""Submissions arriving together share one commit; each still gets its own outcome."""
import threading
import time

import pytest

from survey_app.models import unpack
from survey_app.services.group_commit import GroupCommit
from tests.helpers import valid_answers
from tests.survey_app.test_respond import read_form, stored, submit


def test_writes_queued_while_one_commits_share_the_next_batch():
    batches, first_started = [], threading.Event()

    def write_batch(writes):
        batches.append([w.arguments[0] for w in writes])
        first_started.set()
        time.sleep(0.05)                   # a slow commit: the others queue meanwhile
        for w in writes:
            w.result = w.arguments[0] * 10

    group = GroupCommit(write_batch)
    results = {}
    first = threading.Thread(target=lambda: results.setdefault(0, group.run(0)))
    first.start()
    first_started.wait()
    others = [threading.Thread(target=lambda i=i: results.setdefault(i, group.run(i))) for i in range(1, 9)]
    for t in others:
        t.start()
    for t in [first, *others]:
        t.join()
    assert results == {i: i * 10 for i in range(9)}
    assert batches[0] == [0] and sorted(sum(batches[1:], [])) == list(range(1, 9))
    assert len(batches) < 9                # the eight waiting writes did not commit one by one


def test_a_failing_batch_fails_its_writes_and_the_next_write_runs():
    calls = []

    def write_batch(writes):
        calls.append(len(writes))
        if len(calls) == 1:
            raise OSError("disk full")
        for w in writes:
            w.result = "ok"

    group = GroupCommit(write_batch)
    with pytest.raises(OSError, match="disk full"):
        group.run("a")
    assert group.run("b") == "ok"


def test_many_residents_at_once_are_each_stored_once_with_double_taps_and_conflicts(app, channel_token, questionnaire):
    forms = [read_form(app.test_client(), channel_token)[1].hidden["form_token"] for _ in range(12)]
    barrier, statuses = threading.Barrier(26), {}

    def post(key, token, code):
        barrier.wait()
        r = submit(app.test_client(), channel_token, valid_answers(questionnaire, code), token, fetch=True)
        statuses[key] = r.status_code

    jobs = [(f"tap{i}", token, "4") for i, token in enumerate(forms)]
    jobs += [(f"again{i}", token, "4") for i, token in enumerate(forms[:12])]       # double taps
    jobs += [("other", forms[0], "1"), ("other2", forms[1], "2")]                    # same id, other answers
    threads = [threading.Thread(target=post, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rows = {r.submission_id: r for r in stored(app)}
    assert sorted(rows) == sorted(token.split(".")[0] for token in forms)
    # Whichever copy of an id came first is kept; copies with other answers are refused.
    for key, token, code in jobs:
        kept = set(unpack(rows[token.split(".")[0]].answers))
        assert statuses[key] == (200 if kept == {int(code)} else 409), key
