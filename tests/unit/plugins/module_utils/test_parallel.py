# -*- coding: utf-8 -*-
"""map_ordered: results in the order asked, at most ``concurrency`` at once,
the first failure in that order raised after the calls under way finish and
the ones not started are cancelled."""

from __future__ import absolute_import, division, print_function

import threading

import pytest

from ansible_collections.flashcat.flashduty.plugins.module_utils.parallel import map_ordered


class Gate:
    """Calls that block until released, counting how many run at once."""

    def __init__(self):
        self.lock = threading.Lock()
        self.running = 0
        self.most = 0
        self.started = []
        self.release = threading.Event()

    def __call__(self, item):
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
            self.started.append(item)
        try:
            if item == "bad":
                raise ValueError("bad item")
            self.release.wait(5)
            return item * 2
        finally:
            with self.lock:
                self.running -= 1


def test_results_keep_the_order_asked_even_when_later_calls_finish_first():
    done = {3: threading.Event(), 2: threading.Event(), 1: threading.Event()}

    def call(item):
        # 3 finishes first, then 2, then 1.
        if item < 3:
            done[item + 1].wait(5)
        done[item].set()
        return item * 10

    assert map_ordered(call, [1, 2, 3], concurrency=3) == [10, 20, 30]


@pytest.mark.parametrize("concurrency", [1, 2, 4])
def test_no_more_than_concurrency_calls_run_at_once(concurrency):
    gate = Gate()
    threading.Timer(0.2, gate.release.set).start()
    assert map_ordered(gate, range(8), concurrency=concurrency) == [i * 2 for i in range(8)]
    assert gate.most == min(concurrency, 8)


def test_sequential_when_concurrency_is_one_runs_in_the_calling_thread():
    seen = []
    map_ordered(lambda item: seen.append(threading.current_thread()), [1, 2, 3], concurrency=1)
    assert set(seen) == {threading.current_thread()}


def test_the_first_failure_is_raised_and_calls_not_started_never_run():
    gate = Gate()
    threading.Timer(0.2, gate.release.set).start()
    with pytest.raises(ValueError, match="bad item"):
        map_ordered(gate, ["bad", 1, 2, 3, 4, 5, 6], concurrency=2)
    # "bad" fails at once while the others wait to be released: the calls under way (at most the
    # other worker's) finished before map_ordered returned, and the rest were cancelled unstarted.
    assert gate.running == 0
    assert set(gate.started) <= {"bad", 1, 2}
