# -*- coding: utf-8 -*-
"""Pacing: exact slots and waits with an injected clock, the shared state
file, its recovery, and real processes sharing one pacing_dir."""

from __future__ import absolute_import, division, print_function

import json
import os
import subprocess
import sys
import textwrap
import threading

import pytest

from support import FakeTime, Simulator, counted_by_the_server, run_processes
from ansible_collections.flashcat.flashduty.plugins.module_utils import endpoints, pacing_file
from ansible_collections.flashcat.flashduty.plugins.module_utils.pacing_core import Abandoned, next_slot
from ansible_collections.flashcat.flashduty.plugins.module_utils.pacing_file import Pacer

EXPORT_LIMITS = ((1, 1.0), (10, 60.0))
EXPORT_PATH = "/insight/team/export"


def test_next_slot_keeps_every_window_under_both_limits():
    stamps = []
    for dummy in range(12):
        stamps.append(next_slot(stamps, 0.0, EXPORT_LIMITS, margin=0.1))
    expected = [round(1.1 * k, 6) for k in range(10)] + [60.1, 61.2]
    assert [round(s, 6) for s in stamps] == expected


def test_next_slot_is_immediate_under_the_limits():
    assert next_slot([], 50.0, EXPORT_LIMITS) == 50.0
    assert next_slot([10.0], 50.0, EXPORT_LIMITS) == 50.0


def test_pacer_sleeps_exactly_until_each_slot(tmp_path):
    fake = FakeTime()
    pacer = Pacer("key", "/insight/team/export", directory=str(tmp_path), clock=fake.clock, sleep=fake.sleep,
                  margin=0.1)
    for dummy in range(12):
        pacer.wait()
    assert fake.sleeps == [1.1] * 9 + [pytest.approx(60.1 - 9.9), 1.1]


class StopNow:
    """A ``threading.Event`` that is set while someone waits on it: records the wait asked."""

    def __init__(self):
        self.waits = []

    def is_set(self):
        return False

    def wait(self, seconds):
        self.waits.append(round(seconds, 6))
        return True


def test_a_stopped_wait_gives_its_slot_back_and_sends_nothing(tmp_path):
    fake = FakeTime()
    pacer = Pacer("key", "/insight/team/export", directory=str(tmp_path), clock=fake.clock, sleep=fake.sleep,
                  margin=0.1)
    pacer.wait()
    stop = StopNow()
    with pytest.raises(Abandoned):
        pacer.wait(stop)
    assert stop.waits == [1.1] and fake.sleeps == []  # it waited on the event, for the slot's time
    # The slot was given back: the next request gets it, as if the abandoned one never was.
    other = Pacer("key", "/insight/team/export", directory=str(tmp_path), clock=fake.clock, sleep=fake.sleep,
                  margin=0.1)
    other.wait()
    assert fake.sleeps == [1.1]


def test_a_wait_whose_stop_is_already_set_reserves_nothing(tmp_path):
    fake = FakeTime()
    pacer = Pacer("key", "/insight/team/export", directory=str(tmp_path), clock=fake.clock, sleep=fake.sleep)
    stop = threading.Event()
    stop.set()
    with pytest.raises(Abandoned):
        pacer.wait(stop)
    pacer.wait()
    assert fake.sleeps == []


def test_schedule_list_paces_at_50_per_second_and_1000_per_minute(tmp_path):
    fake = FakeTime()
    pacer = Pacer("key", "/schedule/list", directory=str(tmp_path), clock=fake.clock, sleep=fake.sleep, margin=0.1)
    for dummy in range(51):
        pacer.wait()
    assert fake.sleeps == [1.1]  # the 51st request waits for the first 1 s window to pass


def test_unknown_endpoints_get_the_strictest_limits():
    assert endpoints.limits_for("/incident/list") == EXPORT_LIMITS
    assert endpoints.limits_for("/schedule/list") == ((50, 1.0), (1000, 60.0))
    assert endpoints.limits_for("/schedule/list", {"/schedule/list": ((5, 1.0),)}) == ((5, 1.0),)


def test_disabled_pacing_never_waits(tmp_path):
    fake = FakeTime()
    pacer = Pacer("key", "/insight/team/export", directory=str(tmp_path), enabled=False, clock=fake.clock,
                  sleep=fake.sleep)
    for dummy in range(5):
        pacer.wait()
    assert fake.sleeps == [] and os.listdir(str(tmp_path)) == []


def test_two_pacers_share_the_state_like_two_processes(tmp_path):
    fake = FakeTime()
    first = Pacer("key", "/insight/team/export", directory=str(tmp_path), clock=fake.clock, sleep=fake.sleep)
    second = Pacer("key", "/insight/team/export", directory=str(tmp_path), clock=fake.clock, sleep=fake.sleep)
    first.wait()
    second.wait()
    assert fake.sleeps == [pytest.approx(1.1)]
    other_key = Pacer("other", "/insight/team/export", directory=str(tmp_path), clock=fake.clock, sleep=fake.sleep)
    other_key.wait()
    assert len(fake.sleeps) == 1  # another account has its own budget


def test_state_file_is_named_by_a_hash_and_never_holds_the_key(tmp_path):
    key = "my-very-secret-app-key"
    Pacer(key, "/schedule/list", directory=str(tmp_path)).wait()
    names = os.listdir(str(tmp_path))
    assert sorted(n.rsplit(".", 1)[1] for n in names) == ["json", "lock"]
    for name in names:
        assert key not in name
        with open(os.path.join(str(tmp_path), name)) as handle:
            assert key not in handle.read()
    state = json.load(open(os.path.join(str(tmp_path), [n for n in names if n.endswith(".json")][0])))
    assert state["version"] == pacing_file.STATE_VERSION and len(state["stamps"]) == 1


@pytest.mark.parametrize("content", ["{not json", "", json.dumps({"version": 1, "stamps": [1, 2]}),
                                     json.dumps({"version": pacing_file.STATE_VERSION, "stamps": "x"}), "[]"])
def test_corrupt_empty_or_old_state_is_rebuilt_with_a_warning(tmp_path, content):
    fake = FakeTime()
    warnings = []
    pacer = Pacer("key", "/insight/team/export", directory=str(tmp_path), clock=fake.clock, sleep=fake.sleep,
                  warn=warnings.append)
    with open(pacer.path, "w") as handle:
        handle.write(content)
    pacer.wait()
    pacer.wait()
    assert len(warnings) == 1 and "rebuilt" in warnings[0]
    assert fake.sleeps == [pytest.approx(1.1)]  # pacing goes on from the rebuilt state
    assert json.load(open(pacer.path))["version"] == pacing_file.STATE_VERSION


def test_unusable_pacing_dir_degrades_to_in_process_pacing(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    fake = FakeTime()
    warnings = []
    pacer = Pacer("key-degraded", "/insight/team/export", directory=str(blocker / "pacing"), clock=fake.clock,
                  sleep=fake.sleep, warn=warnings.append)
    pacer.wait()
    pacer.wait()
    assert len(warnings) == 1 and "cannot be used" in warnings[0] and "within this process" in warnings[0]
    assert fake.sleeps == [pytest.approx(1.1)]


def test_a_pacing_dir_another_thread_just_created_is_used_without_a_warning(tmp_path, monkeypatch):
    # Two threads of one task may both find the directory missing; the second
    # one's makedirs then meets the first one's directory.
    directory = tmp_path / "pacing"
    directory.mkdir()
    real_isdir, calls = os.path.isdir, []

    def isdir_before_the_other_thread(path):  # the pacer's own check sees no directory yet
        calls.append(path)
        return False if len(calls) == 1 else real_isdir(path)
    monkeypatch.setattr(pacing_file.os.path, "isdir", isdir_before_the_other_thread)
    fake = FakeTime()
    warnings = []
    pacer = Pacer("key-race", "/insight/team/export", directory=str(directory), clock=fake.clock,
                  sleep=fake.sleep, warn=warnings.append)
    pacer.wait()
    assert warnings == [] and pacer.shared and calls
    assert len(json.loads((directory / (pacer.name + ".json")).read_text())["stamps"]) == 1


def test_a_late_waker_requeues_behind_later_reservations(tmp_path):
    fake = FakeTime()
    pacer = Pacer("key", "/insight/team/export", directory=str(tmp_path), clock=fake.clock, margin=0.1,
                  sleep=lambda s: (fake.sleep(s), setattr(fake, "now", fake.now + 0.5)))
    pacer.wait()  # slot 1000.0, immediate
    other = Pacer("key", "/insight/team/export", directory=str(tmp_path), clock=fake.clock, sleep=fake.sleep)
    other.wait()  # reserves 1001.1 and (this test's sleep) wakes 0.5 s late at 1001.6
    state = json.load(open(pacer.path))["stamps"]
    # The late waker gave its slot up and took a fresh one at the end: no two
    # stamps closer than the 1 s window plus margin.
    assert all(b - a >= 1.1 - 1e-9 for a, b in zip(state, state[1:]))


def test_a_slot_planned_before_a_late_answer_is_moved_back_when_it_wakes(tmp_path):
    # One export a second. The first request's answer begins 0.4 s after its
    # slot (a busy host or a slow link: the server may have counted it as
    # late as that), while the second already waits for its slot at 1001.1.
    # On waking it finds the first settled at 1000.4 and goes at 1001.4, so
    # no second holds two requests whenever the first arrived.
    fake = FakeTime()
    first = Pacer("key", EXPORT_PATH, directory=str(tmp_path), clock=fake.clock, sleep=fake.sleep, margin=0.1)
    sent = first.wait()
    assert (sent.at, sent.settled) == (1000.0, 1000.1)

    def sleep_while_the_first_answer_comes(seconds):
        if fake.now == 1000.0:
            fake.now += 0.4
            first.answered(sent)
            seconds -= 0.4
        fake.sleep(seconds)
    second = Pacer("key", EXPORT_PATH, directory=str(tmp_path), clock=fake.clock, margin=0.1,
                   sleep=sleep_while_the_first_answer_comes)
    mine = second.wait()
    assert fake.sleeps == [pytest.approx(0.7), pytest.approx(0.3)]  # to 1001.1, then to 1001.4
    assert mine.at == pytest.approx(1001.4) and fake.now == pytest.approx(1001.4)
    state = json.load(open(first.path))
    assert state["stamps"] == [1000.0, pytest.approx(1001.4)]
    assert state["settled"] == [pytest.approx(1000.4), pytest.approx(1001.5)]


def test_a_slot_due_as_it_is_handed_out_goes_without_a_second_look(tmp_path):
    # Planned against the state as it is now, a due slot needs no check when
    # it "wakes": one locked read and write, not two (with Redis: one round
    # trip). A slot in the future is checked when it comes.
    fake = FakeTime()
    pacer = Pacer("key", EXPORT_PATH, directory=str(tmp_path), clock=fake.clock, sleep=fake.sleep, margin=0.1)
    updates = []
    locked = pacer._locked
    pacer._locked = lambda update, *args: updates.append(update.__name__) or locked(update, *args)
    pacer.wait()
    assert updates == ["_plan"] and fake.sleeps == []
    pacer.wait()
    assert updates == ["_plan", "_plan", "_requeue_unless_cleared"] and fake.sleeps == [pytest.approx(1.1)]


def test_an_answer_within_the_margin_changes_nothing(tmp_path):
    fake = FakeTime()
    pacer = Pacer("key", EXPORT_PATH, directory=str(tmp_path), clock=fake.clock, sleep=fake.sleep, margin=0.1)
    sent = pacer.wait()
    fake.now += 0.05
    before = os.stat(pacer.path).st_mtime_ns, open(pacer.path).read()
    pacer.answered(sent)
    assert (os.stat(pacer.path).st_mtime_ns, open(pacer.path).read()) == before  # not even rewritten
    pacer.wait()
    assert fake.sleeps == [pytest.approx(1.05)]  # 1001.1, as the margin planned


def test_a_late_answer_pushes_back_the_slots_planned_after_it(tmp_path):
    # Planned after the answer came: the slot keeps the window from that time.
    fake = FakeTime()
    pacer = Pacer("key", EXPORT_PATH, directory=str(tmp_path), clock=fake.clock, sleep=fake.sleep, margin=0.1)
    sent = pacer.wait()
    fake.now += 0.7
    pacer.answered(sent)
    pacer.wait()
    assert fake.sleeps == [pytest.approx(1.0)]  # 1001.7: one window after the answer


def test_a_state_written_by_0_2_0_is_read_with_the_default_margin(tmp_path):
    fake = FakeTime()
    pacer = Pacer("key", EXPORT_PATH, directory=str(tmp_path), clock=fake.clock, sleep=fake.sleep, margin=0.1)
    os.makedirs(str(tmp_path), exist_ok=True)
    with open(pacer.path, "w") as handle:
        json.dump({"version": pacing_file.STATE_VERSION, "endpoint": EXPORT_PATH, "limits": [[1, 1.0]],
                   "stamps": [999.5]}, handle)
    warnings = []
    pacer.warn = warnings.append
    pacer.wait()
    assert fake.sleeps == [pytest.approx(0.6)] and warnings == []  # 999.5 + 0.1 + 1.0


PROCESS = textwrap.dedent("""
    from ansible_collections.flashcat.flashduty.plugins.module_utils.client import FlashdutyClient
    import io
    client = FlashdutyClient(%(key)r, base_url=%(url)r, pacing_dir=%(dir)r, max_retries=0)
    for i in range(%(count)d):
        client.download("/insight/team/export", {"start_time": 1763000000, "end_time": 1763086400}, io.BytesIO())
    print("ok")
""")


@pytest.mark.realtime
def test_three_processes_sharing_pacing_dir_stay_under_1_per_second(tmp_path):
    server = Simulator(limits={"/insight/team/export": counted_by_the_server([[1, 1.0], [10, 60.0]])}).start()
    try:
        # The children import the collection the way this test process does.
        codes, outputs = run_processes(PROCESS % {"key": "sim-app-key-0123456789abcdef", "url": server.url,
                                                  "dir": str(tmp_path / "pacing"), "count": 3}, 3, timeout=120)
        log = list(server.log)
    finally:
        server.stop()
    assert codes == [0, 0, 0], outputs
    statuses = [entry["status"] for entry in log]
    # The server counts in sliding windows and answers 429 past either limit;
    # with max_retries=0 a single 429 would have failed a process.
    assert statuses == [200] * 9


HOLD_LOCK = textwrap.dedent("""
    import fcntl, os, sys, time
    fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    print("locked", flush=True)
    time.sleep(600)
""")


def test_a_lock_held_by_a_process_that_died_is_recovered_from(tmp_path):
    pacer = Pacer("key", "/insight/team/export", directory=str(tmp_path))
    os.makedirs(str(tmp_path), exist_ok=True)
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, pacer.lock_path],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    holder.kill()  # SIGKILL: no chance to unlock or clean up
    holder.wait()
    fake = FakeTime()
    pacer = Pacer("key", "/insight/team/export", directory=str(tmp_path), clock=fake.clock, sleep=fake.sleep)
    pacer.wait()
    pacer.wait()
    assert fake.sleeps == [pytest.approx(1.1)]


def test_module_warns_and_still_works_when_pacing_dir_is_unusable(sim, conn, run_module, tmp_path):
    from ansible_collections.flashcat.flashduty.plugins.modules import flashduty_schedule_info as module
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = run_module(module, dict(conn, pacing_dir=str(blocker / "pacing"), page=1, limit=3))
    assert "failed" not in result and len(result["schedules"]) == 3
    assert any("cannot be used" in w and "within this process" in w for w in result["warnings"])


def test_each_reservation_says_how_long_it_waited_and_waits_side_by_side_count_once(tmp_path):
    from ansible_collections.flashcat.flashduty.plugins.module_utils.pacing_core import seconds_waited
    fake = FakeTime()
    pacer = Pacer("key", EXPORT_PATH, directory=str(tmp_path), clock=fake.clock, sleep=fake.sleep, margin=0.1)
    waited = [pacer.wait().waited for dummy in range(3)]
    assert waited == [None, (1000.0, pytest.approx(1001.1)), (pytest.approx(1001.1), pytest.approx(1002.2))]
    assert seconds_waited([w for w in waited if w]) == pytest.approx(2.2)
    # Two threads waiting at once: the task waited as long as the longer one.
    assert seconds_waited([(0.0, 3.0), (1.0, 2.0), (2.5, 4.0), (10.0, 11.0)]) == 5.0
