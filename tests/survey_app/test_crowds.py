"""Crowds behind one address: a school network passes untouched, a flood is flagged and slowed down;
the address hash needs a key kept away from the database."""
import os
import time

import pandas as pd
import pytest

from analysis import job
from analysis.quality import QualitySettings
from survey_app import config, traffic
from survey_app.errors import UserError
from survey_app.models import Flag
from survey_app.privacy import address_hash, keyed_hash
from tests.helpers import read_form, stored, submit, valid_answers


class Clock:
    """time.time() for the app, moved by hand; it starts at the top of an hour."""

    def __init__(self, monkeypatch):
        self.now = time.time() // 3600 * 3600
        monkeypatch.setattr(time, "time", lambda: self.now)


def phone_at(app, address):
    phone = app.test_client()
    phone.environ_base["REMOTE_ADDR"] = address
    return phone


def test_a_school_network_at_a_parents_meeting_is_neither_flagged_nor_refused(app, channel_token, questionnaire,
                                                                           monkeypatch):
    """200 parents behind one address answer within 20 minutes; some tap twice or reload the page."""
    clock = Clock(monkeypatch)
    statuses = []
    for parent in range(200):
        phone = app.test_client()
        clock.now += 3                                   # a form page opened every 3 s, for 10 minutes
        if parent % 10 == 0:
            read_form(phone, channel_token)              # reloads the page
        page, form = read_form(phone, channel_token)
        clock.now += 3
        answers = valid_answers(questionnaire, str(3 + parent % 3), q02=str(3 + parent % 2))
        for _ in range(2 if parent % 20 == 0 else 1):   # some tap twice
            statuses.append(submit(phone, channel_token, answers, form.hidden["form_token"]).status_code)
    assert set(statuses) == {200}
    responses = stored(app)
    assert len(responses) == 200
    bursts = Flag.ADDRESS_BURST | Flag.FORM_BURST
    assert not any(r.flags & bursts for r in responses)


def test_a_flood_from_one_address_is_flagged_from_its_first_response_and_left_out(
        app, client, channel_token, questionnaire, runner, tmp_path, monkeypatch):
    """Forms fetched without cookies in a burst, submitted a minute later with varied answers."""
    clock = Clock(monkeypatch)
    tokens = []
    for _ in range(200):
        clock.now += 0.2
        tokens.append(read_form(app.test_client(), channel_token)[1].hidden["form_token"])
    clock.now += 60
    for i, token in enumerate(tokens):
        clock.now += 0.5
        assert submit(app.test_client(), channel_token, valid_answers(questionnaire, str(1 + i % 2)), token).status_code == 200
    genuine = phone_at(app, "10.1.2.3")
    submit(genuine, channel_token, valid_answers(questionnaire))

    flags = {r.submission_id: Flag(r.flags) for r in stored(app)}
    in_burst = [f for f in flags.values() if f & Flag.ADDRESS_BURST]
    assert len(in_burst) == 200                                  # the first 149 were flagged afterwards
    assert sum(bool(f & Flag.FORM_BURST) for f in flags.values()) == 200 - 60

    out = tmp_path / "responses.csv"
    runner("export", "responses", "test-2026", "--out", out)
    exported = pd.read_csv(out, encoding="utf-8-sig", dtype={"county": str, "channel": str})
    assert exported["flag_address_burst"].sum() == 200 and exported["address_hash"].nunique() == 2
    assert "burst" in QualitySettings().exclude
    only_bursts_left_out = job.Settings(quality=QualitySettings(exclude=frozenset({"burst"})))
    results = job.analyze(exported, questionnaire, None, only_bursts_left_out)
    assert results.quality["burst"][-1] == 200 and results.quality["used"][-1] == 1
    assert list(results.bursts["burst"]) == [200] and list(results.bursts["received"]) == [201]


def test_beyond_the_soft_limit_an_address_is_asked_to_wait_and_the_page_keeps_the_answers(
        app, client, channel_token, questionnaire, monkeypatch):
    monkeypatch.setitem(app.config, "CROWD_LIMITS", traffic.CrowdLimits(requests_per_hour=5))
    for _ in range(4):
        assert client.get(f"/s/{channel_token}").status_code == 200
    token = read_form(client, channel_token)[1].hidden["form_token"]
    refused = client.post(f"/s/{channel_token}", data={"form_token": token, **valid_answers(questionnaire)},
                          headers={"X-Requested-With": "fetch"})
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    assert "答案保存在手机上" in refused.get_json()["message"]
    page = client.get(f"/s/{channel_token}")
    assert page.status_code == 429 and "访问过于频繁" in page.get_data(as_text=True)
    other = phone_at(app, "10.1.2.3")
    assert other.get(f"/s/{channel_token}").status_code == 200
    assert stored(app) == []


def test_the_counts_are_shared_by_forked_workers():
    counter = traffic.SharedWindows(60)
    counter.add("school", now=1000.0)
    pid = os.fork()
    if pid == 0:                       # a worker
        for _ in range(10):
            counter.add("school", now=1001.0)
        os._exit(0)
    os.waitpid(pid, 0)
    assert counter.add("school", now=1002.0) == 12
    assert counter.add("other", now=1002.0) == 1
    # Sliding: half way through the next minute (1020-1080), half of the last one still counts.
    assert counter.add("school", now=1050.0) == 1 + 12 * 0.5


def test_redis_keeps_the_counts_and_an_unreachable_redis_falls_back_to_memory():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_timeout=0.25)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    key = f"test-{os.getpid()}-{time.time()}"
    first = traffic.counters("redis://127.0.0.1:6379/0")["forms"]
    second = traffic.counters("redis://127.0.0.1:6379/0")["forms"]    # another worker, another machine
    assert [first.add(key, now=6000.0), second.add(key, now=6001.0)] == [1, 2]
    down = traffic.counters("redis://127.0.0.1:1/0")["forms"]
    assert [down.add(key, now=6000.0), down.add(key, now=6001.0)] == [1, 2]


def test_stored_address_hashes_need_the_address_key_not_the_secret_key(app, client, channel_token, questionnaire):
    submit(client, channel_token, valid_answers(questionnaire))
    [response] = stored(app)
    assert response.ip_hash == address_hash("test-address-key", "127.0.0.1")
    assert response.ip_hash != keyed_hash("test-secret", "ip", "127.0.0.1")


def test_the_address_key_is_kept_outside_the_data_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("SURVEY_ADDRESS_KEY", raising=False)
    monkeypatch.setenv("SURVEY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("SURVEY_ADDRESS_KEY_FILE", raising=False)
    key = config.address_key()
    path = tmp_path / "config" / "county-survey" / "address_key"
    assert path.read_text() == key and len(key) == 64 and path.stat().st_mode & 0o777 == 0o600
    assert config.address_key() == key                                  # generated once
    assert not (tmp_path / "data").exists()
    monkeypatch.setenv("SURVEY_ADDRESS_KEY_FILE", str(tmp_path / "data" / "address_key"))
    with pytest.raises(UserError, match="不能放在数据目录"):
        config.address_key()
    monkeypatch.setenv("SURVEY_ADDRESS_KEY", "from-a-secret-store")
    assert config.address_key() == "from-a-secret-store"


def test_a_second_burst_from_the_same_address_is_flagged_from_its_start_too(app, channel_token, questionnaire,
                                                                           monkeypatch):
    clock = Clock(monkeypatch)
    monkeypatch.setitem(app.config, "CROWD_LIMITS", traffic.CrowdLimits(responses_per_10_minutes=5))
    for _ in range(2):                          # two bursts of six, a day apart
        for i in range(6):
            clock.now += 1
            submit(app.test_client(), channel_token, valid_answers(questionnaire, str(1 + i % 2)))
        clock.now += 86400
    assert sum(bool(r.flags & Flag.ADDRESS_BURST) for r in stored(app)) == 12
