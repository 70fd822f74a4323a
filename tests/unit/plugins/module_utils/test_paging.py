# -*- coding: utf-8 -*-
"""The pager on its own: the vendor's stop rule (full page or has_next_page,
never total), the paging cap, and concurrent pages: server order, fewer pages
wasted than the concurrency, a slow page holding the others back,
nothing left running after a failure."""

from __future__ import absolute_import, division, print_function

import threading
import time

import pytest
import requests

from ansible_collections.flashcat.flashduty.plugins.module_utils.paging import Page, fetch_all


class FakeList:
    """A list endpoint of ``count`` items; ``total`` capped at 1000 like the vendor's."""

    def __init__(self, count, limit, has_next=False, fail_page=None, delay=None):
        self.count, self.limit = count, limit
        self.has_next = has_next
        self.fail_page = fail_page
        self.delay = delay
        self.asked = []
        self.lock = threading.Lock()
        self.running = 0
        self.peak = 0

    def __call__(self, p):
        with self.lock:
            self.asked.append(p)
            self.running += 1
            self.peak = max(self.peak, self.running)
        try:
            if self.delay:
                time.sleep(self.delay(p))
            if p == self.fail_page:
                raise RuntimeError("page %d failed" % p)
            items = list(range((p - 1) * self.limit, min(p * self.limit, self.count)))
            more = p * self.limit < self.count
            return Page(items, total=min(self.count, 1000), has_next=more if self.has_next else None)
        finally:
            with self.lock:
                self.running -= 1


@pytest.mark.parametrize("concurrency", [1, 4])
@pytest.mark.parametrize("count", [0, 5, 100, 999, 1000, 1234])
def test_every_item_once_in_order(count, concurrency):
    fake = FakeList(count, 100)
    result = fetch_all(fake, 100, 100, concurrency)
    assert result.items == list(range(count)) and result.truncated is False
    pages = count // 100 + 1
    if concurrency == 1 or count < 1000:
        # Sequential, or an exact total: exactly the pages needed (a full last page costs one empty page).
        assert sorted(fake.asked) == list(range(1, pages + 1))
    else:
        # Unknown count: fewer than the concurrency past the end.
        assert sorted(set(fake.asked)) == sorted(fake.asked) and set(range(1, pages + 1)) <= set(fake.asked)
        assert max(fake.asked) <= pages + concurrency - 1


@pytest.mark.parametrize("concurrency", [1, 4])
@pytest.mark.parametrize("fails", [False, True])
def test_the_garbage_collector_is_paused_while_pages_are_read_and_restored_after(concurrency, fails):
    import gc
    seen = []

    def fetch(p):
        seen.append(gc.isenabled())
        if fails and p == 3:
            raise RuntimeError("page 3 failed")
        return Page(list(range(100)) if p < 5 else [1])
    assert gc.isenabled()
    try:
        if fails:
            with pytest.raises(RuntimeError):
                fetch_all(fetch, 100, 100, concurrency)
        else:
            assert len(fetch_all(fetch, 100, 100, concurrency).items) == 401
        assert seen and not any(seen)
        assert gc.isenabled()
        # A caller that paused it itself finds it paused still.
        gc.disable()
        fetch_all(lambda p: Page([1]), 100, 100, concurrency)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_has_next_page_keeps_paging_past_a_short_page_and_stops_when_false():
    # A server that sends fewer items than asked but says there is more.
    pages = {1: Page([1, 2], has_next=True), 2: Page([3], has_next=True), 3: Page([4], has_next=False)}
    result = fetch_all(pages.get, 10, 100, 1)
    assert result.items == [1, 2, 3, 4]


def test_a_full_page_goes_on_even_when_has_next_page_is_false():
    pages = {1: Page([1, 2], has_next=False), 2: Page([], has_next=False)}
    assert fetch_all(pages.get, 2, 100, 1).items == [1, 2]


@pytest.mark.parametrize("concurrency", [1, 3])
def test_the_paging_cap_truncates_when_the_last_reachable_page_is_full(concurrency):
    fake = FakeList(5000, 100)
    result = fetch_all(fake, 100, 20, concurrency)
    assert result.truncated is True and len(result.items) == 2000
    assert max(fake.asked) == 20


def test_concurrent_pages_come_back_in_server_order_whatever_order_they_finish():
    fake = FakeList(2500, 100, delay=lambda p: 0.02 * ((7 * p) % 5))
    result = fetch_all(fake, 100, 100, 5)
    assert result.items == list(range(2500))
    assert fake.peak == 5


def test_a_stale_exact_total_does_not_stop_paging():
    # The first page announces 150 items (2 pages), but page 2 comes back full.
    class Growing(FakeList):
        def __call__(self, p):
            page = FakeList.__call__(self, p)
            if p == 1:
                page.total = 150
            return page
    fake = Growing(450, 100)
    assert fetch_all(fake, 100, 100, 4).items == list(range(450))


@pytest.mark.parametrize("count,pages", [(1000, 11), (1234, 13), (2600, 27), (9999, 100), (1100, 12), (4999, 50)])
def test_an_unknown_count_asks_at_most_one_and_a_half_times_the_pages_plus_one(count, pages):
    fake = FakeList(count, 100)
    assert fetch_all(fake, 100, 100, 50).items == list(range(count))
    # Every page needed once; a page past the end may be cancelled before it goes
    # while a later one already went, so those need not be contiguous.
    assert sorted(set(fake.asked)) == sorted(fake.asked) and set(range(1, pages + 1)) <= set(fake.asked)
    assert len(fake.asked) <= 1.5 * pages + 1 and max(fake.asked) <= 1.5 * pages + 1


@pytest.mark.parametrize("answered,most", [({}, 1), ({1: 100}, 4), ({1: 100, 2: 100, 3: 100, 4: 100}, 8),
                                           ({1: 100, 3: 100}, 7), ({1: 100, 2: 40}, 4)])
def test_pages_are_asked_ahead_as_far_as_the_full_ones_justify(answered, most):
    from ansible_collections.flashcat.flashduty.plugins.module_utils.paging import ask_up_to
    assert ask_up_to(dict((p, Page([0] * n)) for p, n in answered.items()), 100) == most
    # A capped total says the list has at least 1000 items: 10 full pages of 100, so 11 pages at least.
    assert ask_up_to({1: Page([0] * 100, total=1000)}, 100) == 17
    assert ask_up_to({1: Page([0] * 100, total=1000), 12: Page([0] * 100)}, 100) == 20


@pytest.mark.parametrize("second", [1000, 1099, 1234, 600])
def test_a_listing_of_the_same_filter_asks_ahead_only_as_far_as_the_last_one_read(second):
    from ansible_collections.flashcat.flashduty.plugins.module_utils.paging import PageHint
    hint = PageHint()
    first = FakeList(1000, 100)
    assert fetch_all(first, 100, 100, 50, hint=hint).items == list(range(1000))
    # The count is unknown (total: 1000): asked ahead as far as the bound allows, 11 pages needed.
    assert set(range(1, 12)) <= set(first.asked) and len(first.asked) > 11 and hint.pages == 11
    fake = FakeList(second, 100)
    assert fetch_all(fake, 100, 100, 50, hint=hint).items == list(range(second))
    pages = second // 100 + 1
    assert sorted(fake.asked) == sorted(set(fake.asked)) and set(range(1, pages + 1)) <= set(fake.asked)
    if second < 1000:
        assert sorted(fake.asked) == list(range(1, pages + 1))  # an exact total decides alone
    elif pages <= 11:
        assert sorted(fake.asked) == list(range(1, 12))  # nothing past the pages the last listing read
    else:
        # The list grew: page 11 came back full, the hint is dropped and the bound goes on alone.
        assert len(fake.asked) <= 1.5 * pages + 1 and max(fake.asked) <= 1.5 * pages + 1
    assert hint.pages == pages


def test_1234_schedules_cost_at_most_20_list_requests_in_the_simulators_log(sim, conn, run_module):
    from ansible_collections.flashcat.flashduty.plugins.modules import flashduty_schedule_info as schedule_module
    sim.config(schedules=1234, limits="documented")
    result = run_module(schedule_module, dict(conn, resolve_names=False))
    assert result["total"] == len(result["schedules"]) == 1234
    pages = sorted(r["body"]["p"] for r in sim.requests("/schedule/list"))
    assert set(range(1, 14)) <= set(pages) and len(pages) == len(set(pages)) and len(pages) <= 20
    assert all(r["status"] == 200 for r in sim.requests())


def test_a_slow_page_holds_back_the_pages_after_it():
    fake = FakeList(5000, 100, delay=lambda p: 0.2 if p == 3 else 0.0)
    seen = {}

    def fetch(p):
        page = fake(p)
        if p == 3:
            seen["asked"] = max(fake.asked)
        return page
    assert fetch_all(fetch, 100, 100, 4).items == list(range(5000))
    # While page 3 was unanswered, nothing from page 3 + 4 on was asked.
    assert 3 < seen["asked"] < 3 + 4


def test_a_failing_page_raises_and_leaves_nothing_running():
    fake = FakeList(5000, 100, fail_page=6, delay=lambda p: 0.01)
    with pytest.raises(RuntimeError, match="page 6 failed"):
        fetch_all(fake, 100, 100, 4)
    assert fake.running == 0
    asked = len(fake.asked)
    time.sleep(0.1)
    assert len(fake.asked) == asked  # nothing was sent after the failure returned
    # Pages after a failing one: fewer than the concurrency, however the answers interleave.
    assert asked <= 6 + 4 - 1


def test_an_exact_total_is_not_overrun_when_the_last_page_answers_first():
    # Page 4 (short) answers before pages 2 and 3: nothing past page 4 is asked.
    fake = FakeList(345, 100, delay=lambda p: 0.0 if p == 4 else 0.05)
    assert fetch_all(fake, 100, 100, 8).items == list(range(345))
    assert sorted(fake.asked) == [1, 2, 3, 4]


def test_pages_past_a_short_page_are_not_asked_while_earlier_pages_are_slow():
    # 1,001 items, unknown count: page 11 is short. Pages 2-10 are slow, later ones fast;
    # nothing past page 11 may be asked once page 11 has answered.
    fake = FakeList(1001, 100, delay=lambda p: 0.05 if p < 11 else 0.0)
    assert fetch_all(fake, 100, 100, 16).items == list(range(1001))
    assert max(fake.asked) <= 11 + 15
    assert len(fake.asked) <= 11 + 15


def test_pages_asked_ahead_that_still_wait_for_a_slot_are_given_up_when_the_list_ends(tmp_path, monkeypatch):
    # 350 items of unknown count: page 4 is short. The account's 5 requests
    # of the last 30 s are spent, so the pages asked ahead (5 and on) wait
    # for a slot 30 s away, while pages 1 to 4 answer from what was sent
    # before. Once page 4 has answered, the waiting pages are neither sent
    # nor waited for, and their slots go back.
    from ansible_collections.flashcat.flashduty.plugins.module_utils import pacing_core, pacing_file
    # A thread that a busy machine wakes late would queue again behind the
    # 30 s slots; that is another test's subject.
    monkeypatch.setattr(pacing_core, "LATE_WAKE", 10.0)
    pacer = pacing_file.Pacer("key", "/schedule/list", directory=str(tmp_path), limits=((5, 30.0),))
    for dummy in range(5):
        pacer.wait()
    stop = threading.Event()
    waiting = threading.Event()
    asked = []

    def fetch(p):
        if p > 4:
            waiting.set()
            pacer.wait(stop)
        elif p == 4:
            # Page 4 ends the list only once a page after it is waiting for its slot.
            assert waiting.wait(10)
        asked.append(p)
        return Page(list(range((p - 1) * 100, min(p * 100, 350))))
    result = fetch_all(fetch, 100, 100, 4, stop=stop)
    assert result.items == list(range(350))
    assert sorted(asked) == [1, 2, 3, 4]
    assert len(pacer._read_state()) == 5


def list_at_ten_a_second(settle, monkeypatch, tmp_path, schedules, config, faults=()):
    """List ``schedules`` at concurrency 10 against a server that allows 10 a
    second and fails the listing on any 429 (max_retries=0); with ``settle``
    false the pacer ignores answers. Returns the server's log."""
    from support import Simulator
    from ansible_collections.flashcat.flashduty.plugins.module_utils.client import FlashdutyClient
    from ansible_collections.flashcat.flashduty.plugins.module_utils.errors import ApiError
    from ansible_collections.flashcat.flashduty.plugins.module_utils.pacing_file import Pacer
    from ansible_collections.flashcat.flashduty.plugins.module_utils.schedule import list_schedules
    if not settle:
        monkeypatch.setattr(Pacer, "answered", lambda self, reservation: None)
    server = Simulator(limits={"/schedule/list": [[10, 1.0]]}, schedules=schedules).start()
    try:
        requests.post(server.url + "/__sim/config", json=config, timeout=5)
        requests.post(server.url + "/__sim/faults", json={"faults": list(faults)}, timeout=5)
        client = FlashdutyClient("sim-app-key-0123456789abcdef", base_url=server.url, max_retries=0, pool_size=10,
                                 pacing_dir=str(tmp_path / "pacing"), rate_limits={"/schedule/list": ((10, 1.0),)})
        if settle:
            result = list_schedules(client, {}, concurrency=10)
            assert len(result["schedules"]) == schedules
        else:
            with pytest.raises(ApiError, match="429"):
                list_schedules(client, {}, concurrency=10)
        return list(server.log)
    finally:
        server.stop()


@pytest.mark.parametrize("settle", [True, False])
def test_pages_on_new_connections_and_on_kept_alive_ones_stay_under_the_limit(settle, monkeypatch, tmp_path):
    # Every new connection costs 300 ms of handshakes before its first request
    # reaches the server; later requests on it go at once. A request counts
    # as settled only once its answer began, so the second wave (kept-alive
    # connections) does not land within a second of the first (new ones).
    # The False case shows the server does tell: without that, it answers 429.
    log = list_at_ten_a_second(settle, monkeypatch, tmp_path, 2000, {"latency": 0.05, "handshake": 0.3})
    statuses = [entry["status"] for entry in log]
    assert (429 in statuses) is not settle


@pytest.mark.parametrize("settle", [True, False])
def test_a_page_that_reaches_the_server_late_holds_back_the_slots_already_planned(settle, monkeypatch, tmp_path):
    # Page 4 reaches the server 0.5 s after it was sent (the client sees
    # nothing of it until its answer comes, that much later); the next
    # second's slots were planned before that. The slots planned before the
    # late answer are checked again when they are due and moved back; the
    # False case (answers ignored) shows that otherwise the server answers 429.
    log = list_at_ten_a_second(settle, monkeypatch, tmp_path, 3000, {"latency": 0.05},
                               [{"kind": "late", "delay": 0.5, "skip": 3, "path": "/schedule/list"}])
    seen = [(entry["body"]["p"], entry["t"], entry["status"]) for entry in log]
    late = [entry["body"]["p"] for entry in log if entry.get("fault") == "late"]
    assert len(late) == 1 and late[0] > 1, seen
    assert (429 in [entry["status"] for entry in log]) is not settle, seen


PAGING_PROCESS = """
from ansible_collections.flashcat.flashduty.plugins.module_utils.client import FlashdutyClient
from ansible_collections.flashcat.flashduty.plugins.module_utils.schedule import list_schedules
client = FlashdutyClient(%(key)r, base_url=%(url)r, pacing_dir=%(dir)r, max_retries=%(retries)d, pool_size=8,
                         rate_limits={"/schedule/list": ((10, 0.5), (40, 3.0))})
result = list_schedules(client, {}, concurrency=8)
assert len(result["schedules"]) == %(count)d, len(result["schedules"])
assert len(set(result["request_ids"])) == len(result["request_ids"])
print("ok")
"""


@pytest.mark.realtime
def test_threads_of_several_processes_share_the_pacer_without_a_429(tmp_path):
    # Three processes, eight threads each, one pacing_dir; the server counts
    # 10 per 0.5 s and 40 per 3 s in sliding windows and answers 429 to any
    # burst past either.
    # A thread that wakes late gives its slot up and queues again, but after
    # MAX_REQUEUES (pacing_core) it sends: on a starved host (this suite's
    # other workers on 2 cores) that one request may land in a full window.
    # So each process may retry once, and the server may have answered 429
    # at most once a process; every process must get every schedule.
    from support import Simulator, run_processes
    server = Simulator(limits={"/schedule/list": [[10, 0.5], [40, 3.0]]}, schedules=1500).start()
    try:
        codes, outputs = run_processes(PAGING_PROCESS % {"key": "sim-app-key-0123456789abcdef", "url": server.url,
                                                         "dir": str(tmp_path / "pacing"), "count": 1500,
                                                         "retries": 1}, 3)
        log = list(server.log)
    finally:
        server.stop()
    assert codes == [0, 0, 0], outputs
    statuses = [entry["status"] for entry in log]
    assert statuses.count(429) <= 3 and len(statuses) >= 3 * 16


def test_under_latency_and_jitter_concurrency_gives_exactly_what_one_page_at_a_time_gives(sim, conn, run_module):
    # The simulator answers 20 to 80 ms after each request, so concurrent
    # answers finish in no particular order, under the documented limits.
    # 1,234 schedules with a window (computed shifts) and names looked up.
    from ansible_collections.flashcat.flashduty.plugins.modules import flashduty_schedule_info as schedule_module
    now = 1779667200
    sim.config(schedules=1234, latency=0.02, jitter=0.06, limits="documented", now=now)
    args = dict(conn, start=now - 3600, end=now + 86400)
    one = run_module(schedule_module, dict(args, concurrency=1))
    sequential = sim.requests()
    many = run_module(schedule_module, dict(args, concurrency=16))
    concurrent = sim.requests()[len(sequential):]
    for result, log in ((one, sequential), (many, concurrent)):
        assert sorted(result.pop("request_ids")) == sorted(r["request_id"] for r in log)
        result.pop("invocation", None)  # ansible-core 2.21 returns none
        assert result.pop("rate_limit_wait") >= 0  # how long each waited for slots may differ
    # Schedules (whole items, in the server's order), on-call summary, names, totals: the same.
    assert many == one and len(one["schedules"]) == 1234 and one["persons"]
    assert [r["status"] for r in sequential + concurrent] == [200] * len(sequential + concurrent)

    def pages(log):
        return sorted(r["body"]["p"] for r in log if r["path"] == "/schedule/list")
    assert pages(sequential) == list(range(1, 14))
    assert len(set(pages(concurrent))) == len(pages(concurrent)) and set(range(1, 14)) <= set(pages(concurrent))
    assert max(pages(concurrent)) < 13 + 16
    # Each person and team looked up once in either run.
    for path in ("/person/infos", "/team/infos"):
        assert [r["path"] for r in sequential].count(path) == [r["path"] for r in concurrent].count(path) == 1
