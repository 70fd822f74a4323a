# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The file backend of pacing: the processes of one machine.

Reservations are appended in order to a small JSON state file per (app key,
endpoint), guarded by an ``flock`` lock, so loop items and forks, which are
separate processes, queue behind each other instead of bursting into 429s.
The file is named by a hash; the key itself is never written anywhere.

The lock is held only while reading and writing the state, never while
waiting: a process reserves its slot, releases the lock, then sleeps until
the slot. A lock held by a process that died is released by the kernel.
The slots themselves are planned by :mod:`pacing_core`.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import json
import os
import threading
import time

from ansible_collections.flashcat.flashduty.plugins.module_utils.endpoints import limits_for
from ansible_collections.flashcat.flashduty.plugins.module_utils.statefile import HAS_FCNTL, locked, write_private
from ansible_collections.flashcat.flashduty.plugins.module_utils.pacing_core import (
    DEFAULT_MARGIN,
    Reservation,
    cleared,
    plan,
    state_name,
    wait_for_slot,
)

STATE_VERSION = 2

# Requests made in this process when the shared state cannot be used.
_IN_PROCESS_STATE = {}
_IN_PROCESS_LOCK = threading.Lock()


def default_pacing_dir():
    """A per-user cache directory, as XDG asks."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "flashcat.flashduty", "pacing")


def _numbers(value):
    return isinstance(value, list) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)


def _load_stamps(raw):
    """Reservations from the file's text, in the order they were planned;
    raises ValueError when it is unusable.

    ``stamps`` are the slots; ``settled`` (same length) their settled times.
    A file without ``settled`` (written by 0.2.0, which shares the format)
    gets each slot plus the default margin.
    """
    state = json.loads(raw)
    if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
        raise ValueError("unknown state format")
    stamps = state.get("stamps")
    if not _numbers(stamps):
        raise ValueError("stamps are not a list of numbers")
    settled = state.get("settled")
    if not _numbers(settled) or len(settled) != len(stamps):
        settled = [s + DEFAULT_MARGIN for s in stamps]
    pairs = [[float(s), float(t)] for s, t in zip(stamps, settled)]
    pairs.sort(key=lambda pair: pair[0])  # stable: equal slots keep their order
    return pairs


def _index(pairs, reservation):
    """Where ``reservation`` is in ``pairs`` (the last of equal ones), or None."""
    for i in range(len(pairs) - 1, -1, -1):
        if pairs[i][0] == reservation.at and pairs[i][1] == reservation.settled:
            return i
    return None


class Pacer:
    """Reserve and wait for send slots of one endpoint for one app key.

    ``clock`` and ``sleep`` are injectable (defaults ``time.time`` and
    ``time.sleep``); the clock is wall time because processes share it.
    ``warn`` receives one-line messages (a rebuilt state file, a directory
    that cannot be used).
    """

    def __init__(self, app_key, endpoint, directory=None, limits=None, enabled=True,
                 clock=None, sleep=None, warn=None, margin=DEFAULT_MARGIN):
        self.endpoint = endpoint
        self.limits = tuple(limits or limits_for(endpoint))
        self.enabled = enabled
        self.clock = clock if clock is not None else time.time
        self.sleep = sleep if sleep is not None else time.sleep
        self.warn = warn or (lambda msg: None)
        self.margin = margin
        self.name = state_name(app_key, endpoint)
        self.directory = directory or default_pacing_dir()
        self.path = os.path.join(self.directory, self.name + ".json")
        self.lock_path = os.path.join(self.directory, self.name + ".lock")
        self.shared = HAS_FCNTL
        self._warned = False

    @property
    def horizon(self):
        return max(window for dummy, window in self.limits) + self.margin

    def wait(self, stop=None):
        """Block until this process may send; returns the :class:`Reservation`
        to hand to :meth:`answered` (None when pacing is off).

        On waking it checks its slot against the state as it is then: a
        request planned before it whose answer came late has pushed the
        limits' windows back, and the slot is given up for a new one at the
        end of the queue, as a late wake-up is. With a ``stop`` event
        (``threading.Event``), a wait that ``stop`` ends gives the slot back
        and raises :class:`Abandoned`.
        """
        if not self.enabled:
            return None
        return wait_for_slot(lambda: self._locked(self._plan),
                             lambda mine, late: self._locked(self._requeue_unless_cleared, mine, late),
                             lambda mine: self._locked(self._drop, mine), self.clock, self.sleep, stop)

    def answered(self, reservation):
        """The answer to ``reservation``'s request began now: raise its settled time."""
        now = self.clock()  # before the lock, which other threads may hold
        if reservation is not None and now > reservation.settled:
            self._locked(self._settle, reservation, now)

    # Each of these runs under the state's lock on the reservations (pairs
    # of slot and settled time, in planning order); returns (result, changed).
    def _plan(self, pairs, give_up=None):
        if give_up is not None:
            self._drop(pairs, give_up)
        now = self.clock()
        pairs[:] = [p for p in pairs if p[1] > now - self.horizon]
        slot = plan([p[1] for p in pairs], pairs[-1][0] if pairs else now, now, self.limits)
        pairs.append([slot, slot + self.margin])
        return Reservation(slot, slot + self.margin), True

    def _drop(self, pairs, reservation):
        i = _index(pairs, reservation)
        if i is not None:
            del pairs[i]
        return None, i is not None

    def _requeue_unless_cleared(self, pairs, mine, late):
        i = _index(pairs, mine)
        before = [p[1] for p in pairs[:i]] if i is not None else [p[1] for p in pairs if p[0] <= mine.at]
        # Checked at its slot at the earliest (a sleep may end a moment early).
        if not late and cleared(before, max(self.clock(), mine.at), self.limits):
            return None, False
        return self._plan(pairs, give_up=mine)

    def _settle(self, pairs, reservation, when):
        i = _index(pairs, reservation)
        if i is None:
            return None, False
        pairs[i][1] = reservation.settled = max(pairs[i][1], when)
        return None, True

    def _locked(self, update, *args):
        """``update(pairs, *args)`` under the state's lock; its result."""
        if self.shared:
            try:
                return self._locked_shared(update, args)
            except (IOError, OSError) as exc:
                self.shared = False
                self._warn_once(
                    "pacing_dir %s cannot be used (%s); pacing only within this process, "
                    "so parallel runs may hit the rate limit" % (self.directory, exc.strerror or exc))
        with _IN_PROCESS_LOCK:
            return update(_IN_PROCESS_STATE.setdefault(self.name, []), *args)[0]

    def _locked_shared(self, update, args):
        if not os.path.isdir(self.directory):
            # exist_ok: another thread or process may create it meanwhile.
            os.makedirs(self.directory, 0o700, exist_ok=True)
        with locked(self.lock_path):
            pairs = self._read_state()
            result, changed = update(pairs, *args)
            if changed:
                self._write_state(pairs)
            return result

    def _read_state(self):
        try:
            with open(self.path, "r") as handle:
                raw = handle.read()
        except (IOError, OSError) as exc:
            if exc.errno == errno.ENOENT:  # no state yet
                return []
            self._warn_once("pacing state %s was unreadable (%s) and was rebuilt" % (self.path, exc))
            return []
        try:
            return _load_stamps(raw)
        except ValueError as exc:
            self._warn_once("pacing state %s was corrupt (%s) and was rebuilt" % (self.path, exc))
            return []

    def _write_state(self, pairs):
        write_private(self.path, json.dumps({"version": STATE_VERSION, "endpoint": self.endpoint,
                                             "limits": [list(limit) for limit in self.limits],
                                             "stamps": [p[0] for p in pairs], "settled": [p[1] for p in pairs]}))

    def _warn_once(self, msg):
        if not self._warned:
            self._warned = True
            self.warn(msg)
