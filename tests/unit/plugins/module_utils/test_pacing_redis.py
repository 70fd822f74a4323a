# -*- coding: utf-8 -*-
"""Pacing shared through a real Redis (Debian's redis-server on a loopback
port): the sliding log's guarantee, concurrent ansible-playbook jobs that
share nothing but pacing_url, a server that restarts or refuses the
password, TLS, and the checks made before any request."""

from __future__ import absolute_import, division, print_function

import json
import os
import subprocess
import sys
import threading

import pytest

from support import RedisServer, Simulator, counted_by_the_server, make_certificate, playbook_env
from ansible_collections.flashcat.flashduty.plugins.module_utils import common
from ansible_collections.flashcat.flashduty.plugins.module_utils.errors import ValidationError
from ansible_collections.flashcat.flashduty.plugins.module_utils.pacing_core import Abandoned, state_name
from ansible_collections.flashcat.flashduty.plugins.module_utils.pacing_redis import (
    KEY_PREFIX,
    PacingError,
    RedisPacing,
    parse_pacing_url,
)
from ansible_collections.flashcat.flashduty.plugins.modules import flashduty_insight_export as export_module

redis = pytest.importorskip("redis")

EXPORT = "/insight/team/export"
KEY = "app-key-7f3c9a1e5b2d4c6e8a0f"
PASSWORD = "s3cret-Pacing-pa55"


@pytest.fixture
def server(tmp_path):
    instance = RedisServer(tmp_path).start()
    try:
        yield instance
    finally:
        instance.stop()


def windows_hold(stamps, limits):
    """No window of any limit's length holds more than the limit (closed windows)."""
    stamps = sorted(stamps)
    for count, window in limits:
        for i in range(len(stamps) - count):
            if stamps[i + count] - stamps[i] <= window:
                return False
    return True


class Sleeps(list):
    def __call__(self, seconds):
        self.append(seconds)


@pytest.mark.parametrize("url,words", [
    ("http://127.0.0.1:6379", "must start with redis://"),
    ("redis://", "names no host"),
    ("redis://127.0.0.1:99999/0", "port"),
    ("redis://:%s@127.0.0.1:6379/zero" % PASSWORD, "database must be a number"),
    ("unix://relative.sock", "absolute path"),
])
def test_a_url_that_is_not_a_redis_url_is_refused_without_the_password(url, words):
    with pytest.raises(ValidationError) as info:
        parse_pacing_url(url)
    assert info.value.param == "pacing_url" and words in str(info.value)
    assert PASSWORD not in str(info.value)


def test_good_urls_and_their_password():
    assert parse_pacing_url("redis://:%s@cache:6379/2" % PASSWORD)[1] == PASSWORD
    assert parse_pacing_url("rediss://user:p%40ss@cache/0")[1] == "p@ss"
    assert parse_pacing_url("unix:///run/redis.sock?db=3")[1] is None


def test_reservations_keep_every_window_under_every_limit_across_clients(server):
    limits = {EXPORT: ((3, 1.0), (5, 3.0))}
    clients = [RedisPacing(KEY, server.url, limits=limits) for dummy in range(4)]
    slots = []
    lock = threading.Lock()

    def reserve(pacing):
        for dummy in range(5):
            member = pacing.reserve(EXPORT).member
            with lock:
                slots.append(float(member.split(":")[0]))
    threads = [threading.Thread(target=reserve, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(slots) == 20 and len(set(slots)) == 20
    assert windows_hold(slots, limits[EXPORT])
    # And no slower than needed: the 6th slot is exactly one window (plus the margin) after the 1st.
    slots.sort()
    assert slots[5] - slots[0] == pytest.approx(3.1, abs=1e-3)


def test_keys_are_a_hash_of_key_and_endpoint_and_expire(server):
    pacing = RedisPacing(KEY, server.url)
    pacing.reserve(EXPORT)
    conn = redis.Redis.from_url(server.url)
    keys = sorted(k.decode() for k in conn.keys("*"))
    name = state_name(KEY, EXPORT)
    assert keys == [KEY_PREFIX + name, KEY_PREFIX + name + ":last", KEY_PREFIX + name + ":seq"]
    assert not [k for k in keys if KEY in k]
    assert 0 < conn.pttl(KEY_PREFIX + name) <= 62000


def test_the_pacer_sleeps_what_the_server_says(server):
    sleeps = Sleeps()
    pacing = RedisPacing(KEY, server.url, limits={EXPORT: ((1, 2.0),)}, sleep=sleeps)
    pacer = pacing.pacer(EXPORT)
    pacer.wait()
    pacer.wait()
    assert len(sleeps) == 1 and 2.0 < sleeps[0] <= 2.1 + 0.05


@pytest.mark.parametrize("micro", [1, 39, 40, 61, 99])
def test_a_slot_one_window_after_the_last_settled_time_goes_whatever_its_microseconds(server, micro):
    # Lua writes a number with 14 digits, 0.1 ms at today's epoch. A window's
    # start written that way fell up to 50 us before the last settled time
    # (a slot ending in 00..39 us), counted it and requeued a slot that was
    # free: the second of two requests at one per 2 s slept three times more.
    import math
    import time
    from ansible_collections.flashcat.flashduty.plugins.module_utils.pacing_core import Reservation
    pacing = RedisPacing(KEY, server.url, limits={EXPORT: ((1, 2.0),)})
    log, seq, last = pacing._keys(EXPORT)
    first = math.floor(time.time() * 1e4) / 1e4 + micro * 1e-6
    second = first + 0.1 + 2.0
    conn = redis.Redis.from_url(server.url)
    members = ["%.6f:1" % first, "%.6f:2" % second]
    conn.zadd(log, {members[0]: float(members[0].split(":")[0]) + 0.1,
                    members[1]: float(members[1].split(":")[0]) + 0.1})
    conn.set(seq, 2)
    conn.set(last, "%.6f" % second)
    mine = Reservation(second, second + 0.1, members[1])
    assert pacing.reserve(EXPORT, mine, check=True).member == members[1]


def test_a_stopped_wait_gives_its_slot_back_on_the_server(server):
    from test_pacing import StopNow
    sleeps = Sleeps()
    pacing = RedisPacing(KEY, server.url, limits={EXPORT: ((1, 2.0),)}, sleep=sleeps)
    pacer = pacing.pacer(EXPORT)
    pacer.wait()
    stop = StopNow()
    with pytest.raises(Abandoned):
        pacer.wait(stop)
    assert len(stop.waits) == 1 and 2.0 < stop.waits[0] <= 2.1 + 0.05 and sleeps == []
    conn = redis.Redis.from_url(server.url)
    assert conn.zcard(KEY_PREFIX + state_name(KEY, EXPORT)) == 1  # only the slot that was used


def test_a_slot_planned_before_a_late_answer_is_moved_back_on_the_server(server):
    # One request per 0.5 s. The first is answered 0.3 s after its slot (later
    # than its 0.1 s margin), while the second already holds the slot 0.6 s
    # after the first's. When that slot comes, the server's check moves it to
    # half a second after the first answer; a check with nothing late keeps it.
    import time
    pacing = RedisPacing(KEY, server.url, limits={EXPORT: ((1, 0.5),)})
    conn = redis.Redis.from_url(server.url)
    log = KEY_PREFIX + state_name(KEY, EXPORT)
    first = pacing.reserve(EXPORT)
    second = pacing.reserve(EXPORT)
    time.sleep(0.3)
    pacing.answered(EXPORT, first)
    answered_at = conn.zscore(log, first.member)
    assert answered_at > float(first.member.split(":")[0]) + 0.25  # raised from slot + 0.1
    time.sleep(max(0.0, second.at - pacing.clock()))
    moved = pacing.reserve(EXPORT, second, check=True)
    assert moved.member != second.member
    assert float(moved.member.split(":")[0]) == pytest.approx(answered_at + 0.5, abs=2e-6)
    assert conn.zscore(log, second.member) is None  # the old slot was given up
    time.sleep(max(0.0, moved.at - pacing.clock()))
    assert pacing.reserve(EXPORT, moved, check=True).member == moved.member


def test_a_wake_too_late_queues_again_at_the_end(server):
    # One request per 0.5 s; the second's sleep overshoots by 0.2 s (a busy
    # host), so it gives its slot up and takes the next one from then.
    import time

    def oversleep(seconds):
        sleeps.append(seconds)
        time.sleep(seconds + 0.2)
    sleeps = []
    pacing = RedisPacing(KEY, server.url, limits={EXPORT: ((1, 0.5),)}, sleep=oversleep)
    pacer = pacing.pacer(EXPORT)
    first = pacer.wait()
    second = pacer.wait()
    assert len(sleeps) == 1 and 0.5 < sleeps[0] <= 0.6 + 0.05
    conn = redis.Redis.from_url(server.url)
    members = [m.decode() for m in conn.zrange(KEY_PREFIX + state_name(KEY, EXPORT), 0, -1)]
    # Reservation 2 (the overslept slot) was given back; 3 took its place.
    assert second.member.endswith(":3") and members[-1] == second.member
    assert not [m for m in members if m.endswith(":2")]
    gap = float(second.member.split(":")[0]) - float(first.member.split(":")[0])
    assert gap >= 0.6 + 0.2 - 0.01  # not the slot it slept for, 0.6 s after the first


def test_a_flushed_script_is_loaded_again(server):
    pacing = RedisPacing(KEY, server.url)
    pacing.reserve(EXPORT)
    redis.Redis.from_url(server.url).script_flush()
    assert pacing.reserve(EXPORT).member


def test_a_server_that_restarts_mid_run_is_used_again(tmp_path):
    first = RedisServer(tmp_path).start()
    pacing = RedisPacing(KEY, first.url, reconnect_seconds=10)
    pacing.reserve(EXPORT)
    first.stop()
    second = RedisServer(tmp_path, port=first.port)
    timer = threading.Timer(1.0, second.start)
    timer.start()
    try:
        assert pacing.reserve(EXPORT).member
    finally:
        timer.join()
        second.stop()


def test_a_server_that_stays_away_fails_clearly(tmp_path):
    gone = RedisServer(tmp_path)  # never started
    pacing = RedisPacing(KEY, "redis://:%s@127.0.0.1:%d/0" % (PASSWORD, gone.port), reconnect_seconds=0.5)
    with pytest.raises(PacingError) as info:
        pacing.reserve(EXPORT)
    assert "cannot reach the pacing server" in str(info.value) and PASSWORD not in str(info.value)


def test_tls(tmp_path):
    cert = make_certificate(tmp_path)
    server = RedisServer(tmp_path, tls=cert, password=PASSWORD).start()
    try:
        pacing = RedisPacing(KEY, server.url)
        assert pacing.reserve(EXPORT).member
        plain = RedisPacing(KEY, server.url.replace("rediss://", "redis://").split("?")[0], reconnect_seconds=0.3)
        with pytest.raises(PacingError) as info:
            plain.reserve(EXPORT)
        assert PASSWORD not in str(info.value)
    finally:
        server.stop()


@pytest.mark.parametrize("how", ["url", "option"])
def test_a_wrong_password_fails_the_task_before_any_request_and_never_shows(sim, tmp_path, run_module, how):
    server = RedisServer(tmp_path, password="the-right-one-9f8e").start()
    try:
        args = dict(app_key=sim.app_key, base_url=sim.url, start_time=1779667200, end_time=1779753600)
        if how == "url":
            args["pacing_url"] = "redis://:%s@127.0.0.1:%d/0" % (PASSWORD, server.port)
        else:
            args.update(pacing_url="redis://127.0.0.1:%d/0" % server.port, pacing_password=PASSWORD)
        result = run_module(export_module, args)
    finally:
        server.stop()
    assert result["failed"] is True and "refused the credentials of pacing_url" in result["msg"]
    assert PASSWORD not in json.dumps(result)
    assert sim.requests() == []


def test_an_invalid_pacing_url_fails_naming_the_option(sim, run_module):
    result = run_module(export_module, dict(app_key=sim.app_key, base_url=sim.url, start_time=1779667200,
                                            end_time=1779753600,
                                            pacing_url="memcached://:%s@127.0.0.1:11211" % PASSWORD))
    assert result["failed"] is True and result["msg"].startswith("pacing_url: must start with redis://")
    assert PASSWORD not in json.dumps(result) and sim.requests() == []


def test_without_redis_py_pacing_url_says_what_to_install(sim, run_module, monkeypatch):
    def missing():
        raise ImportError("No module named 'redis'")
    monkeypatch.setattr(common, "import_redis", missing)
    result = run_module(export_module, dict(app_key=sim.app_key, base_url=sim.url, start_time=1779667200,
                                            end_time=1779753600, pacing_url="redis://127.0.0.1:6379/0"))
    assert result["failed"] is True and "required Python library (redis)" in result["msg"]
    assert "for pacing_url" in result["msg"]
    assert sim.requests() == []


JOB = """
- hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: Four exports, like a reporting job
      flashcat.flashduty.flashduty_insight_export:
        start_time: 1779667200
        end_time: 1779753600
        max_retries: 0
        rate_limits:
          /insight/team/export: ["2/0.5s", "5/%(window)ss"]
      loop: [1, 2, 3, 4]
      ignore_errors: true
"""


def run_jobs(tmp_path, server_url, pacing_url=None, jobs=3, window=3):
    """``jobs`` concurrent ansible-playbook runs, each with its own HOME and pacing_dir, like AWX jobs."""
    class Handle(object):
        url, app_key = server_url, KEY
    procs = []
    for index in range(jobs):
        home = tmp_path / ("job%d" % index)
        home.mkdir()
        (home / "job.yml").write_text(JOB % {"window": window})
        env = playbook_env(Handle, home, HOME=str(home), FLASHDUTY_PACING_DIR=str(home / "pacing"))
        if pacing_url:
            env["FLASHDUTY_PACING_URL"] = pacing_url
        exe = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
        procs.append(subprocess.Popen([exe, str(home / "job.yml")], env=env, cwd=str(home),
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    return [(p.communicate(timeout=600)[0], p.returncode) for p in procs]


# The control without pacing_url uses a window of 120 s, which the three jobs surely share however
# slowly the machine starts them (each alone stays under it), so its overrun does not depend on timing.
# The server counts in windows a little shorter than the jobs pace to (support.counted_by_the_server).
@pytest.mark.integration
@pytest.mark.realtime
@pytest.mark.parametrize("shared,window", [(True, 3), (False, 120)])
def test_concurrent_jobs_sharing_only_pacing_url_get_no_429(tmp_path, server, shared, window):
    sim = Simulator(limits={EXPORT: counted_by_the_server([[2, 0.5], [5, window]])}, app_keys=[KEY]).start()
    try:
        outputs = run_jobs(tmp_path, sim.url, server.url if shared else None, window=window)
        log = list(sim.log)
    finally:
        sim.stop()
    statuses = [entry["status"] for entry in log]
    assert [code for dummy, code in outputs] == [0, 0, 0], "\n".join(o[-1500:] for o, dummy in outputs)
    if shared:
        # On failure: when each request reached the server, from the first.
        assert statuses == [200] * 12, [(round(e["t"] - log[0]["t"], 3), e["status"]) for e in log]
    else:
        # Each job paces alone to the whole budget: together they overrun it. This is why pacing_url exists.
        assert statuses.count(429) > 0, statuses
    assert all(KEY not in output for output, dummy in outputs)


def test_a_module_without_pacing_url_does_not_import_redis(tmp_path):
    code = ("import sys; from ansible_collections.flashcat.flashduty.plugins.modules import flashduty_schedule_info; "
            "print('redis' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    assert out.stdout.strip() == "False"


@pytest.mark.integration
@pytest.mark.matrix
def test_the_password_is_in_no_output_of_a_vvvv_run(tmp_path):
    server = RedisServer(tmp_path, password=PASSWORD).start()
    sim = Simulator(limits="off", app_keys=[KEY]).start()

    class Handle(object):
        url, app_key = sim.url, KEY
    try:
        (tmp_path / "job.yml").write_text((JOB % {"window": 3}).replace("[1, 2, 3, 4]", "[1, 2]"))
        env = playbook_env(Handle, tmp_path, FLASHDUTY_PACING_URL=server.url)
        run = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-vvvv",
                              str(tmp_path / "job.yml")], env=env, cwd=str(tmp_path), capture_output=True, text=True,
                             timeout=300, check=False)
        statuses = [entry["status"] for entry in sim.log]
    finally:
        sim.stop()
        server.stop()
    assert run.returncode == 0, run.stdout[-2000:]
    assert statuses == [200, 200]
    assert PASSWORD not in run.stdout + run.stderr and KEY not in run.stdout + run.stderr
    if "module_args" in run.stdout:  # the invocation (ansible-core 2.21 returns none) names the option, masked
        assert "pacing_url" in run.stdout
