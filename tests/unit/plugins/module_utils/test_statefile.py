# -*- coding: utf-8 -*-
"""statefile: the lock one process holds at a time, and the private whole-file write that the pacing state
and the oncall lookup's cache share."""

from __future__ import absolute_import, division, print_function

import multiprocessing
import os
import stat
import time

from ansible_collections.flashcat.flashduty.plugins.module_utils.statefile import locked, write_private


def _hold(lock_path, ready, seconds, mark):
    with locked(lock_path):
        ready.set()
        time.sleep(seconds)
        with open(mark, "w") as handle:  # the last thing done while holding the lock
            handle.write("released")


def test_write_private_replaces_the_whole_file_owner_only_and_leaves_no_temporary_file(tmp_path):
    path = str(tmp_path / "state.json")
    write_private(path, u"old")
    write_private(path, u"new \u8fd0\u7ef4" * 20000)  # larger than one write may take
    with open(path, encoding="utf-8") as handle:
        assert handle.read() == u"new \u8fd0\u7ef4" * 20000
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert os.listdir(str(tmp_path)) == ["state.json"]


def test_the_lock_is_made_owner_only_and_waits_for_another_process_that_holds_it(tmp_path):
    lock_path = str(tmp_path / "state.lock")
    ready = multiprocessing.Event()
    mark = str(tmp_path / "mark")
    holder = multiprocessing.Process(target=_hold, args=(lock_path, ready, 0.5, mark))
    holder.start()
    assert ready.wait(10)
    with locked(lock_path):
        # Taken only once the holder was done with it.
        assert os.path.exists(mark)
    holder.join(5)
    assert holder.exitcode == 0
    assert stat.S_IMODE(os.stat(lock_path).st_mode) == 0o600
