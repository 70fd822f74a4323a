# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Client-side pacing under Flashduty's per-account rate limits.

Every attempt first reserves a send time ("slot") such that no window of any
limit's length holds more requests than the limit allows. Reservations are
appended in order to a small JSON state file per (app key, endpoint), guarded
by an ``flock`` lock, so loop items and forks, which are separate processes,
queue behind each other instead of bursting into 429s. The file is named by
a hash; the key itself is never written anywhere.

The lock is held only while reading and writing the state, never while
waiting: a process reserves its slot, releases the lock, then sleeps until
the slot. A lock held by a process that died is released by the kernel.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import hashlib
import json
import os
import threading
import time

try:
    import fcntl
    HAS_FCNTL = True
except ImportError:  # pragma: no cover - not on POSIX
    HAS_FCNTL = False

# (requests, seconds) pairs, per account, from the vendor's reference.
DEFAULT_LIMITS = {
    "/schedule/list": ((50, 1.0), (1000, 60.0)),
    "/insight/team/export": ((1, 1.0), (10, 60.0)),
    "/person/infos": ((50, 1.0), (1000, 60.0)),
    "/team/infos": ((50, 1.0), (1000, 60.0)),
    "/team/list": ((50, 1.0), (1000, 60.0)),
}
# Endpoints without documented limits get the strictest documented ones.
UNKNOWN_ENDPOINT_LIMITS = ((1, 1.0), (10, 60.0))

STATE_VERSION = 2
# Added to every window: the server sees arrival times, and a request sent a
# little late must still not land inside the previous window.
DEFAULT_MARGIN = 0.1
# A process that wakes later than this after its slot (a busy machine) does
# not send: others planned their slots from its reservation, so it gives the
# slot up and queues again at the end, at most MAX_REQUEUES times.
LATE_WAKE = 0.05
MAX_REQUEUES = 3
# The margin never grows past this (see widened_margin).
MAX_MARGIN = 2.0


def widened_margin(margin, seconds):
    """The margin after an answer began ``seconds`` after its request's slot.

    The server counted that request somewhere in those seconds: on a new
    connection only after the TCP and TLS handshakes, on a kept-alive one
    half a round trip after it went. The fixed margin covers a little of
    that difference; for the rest, slots planned from now on keep the
    longest such delay seen, up to MAX_MARGIN. Without this, 50 pages on new
    connections and the next 50 on warm ones reach the server closer than
    the limit's window, and the API answers 429.
    """
    return min(MAX_MARGIN, max(margin, seconds))


class Abandoned(Exception):
    """Raised by ``wait(stop)`` when ``stop`` is set before the slot: nothing
    is sent, and the slot is given back so that nobody plans around it."""


def pause(seconds, sleep, stop, give_back=None):
    """Sleep ``seconds``; with a ``stop`` event, wake early and raise
    :class:`Abandoned` when it is set, after ``give_back()`` (the slot's
    release). Without one, ``sleep`` (injectable)."""
    if stop is None:
        sleep(seconds)
    elif stop.wait(seconds):
        if give_back is not None:
            give_back()
        raise Abandoned()


def refuse_if_stopped(stop):
    """Raise :class:`Abandoned` before any slot is reserved when ``stop`` is already set."""
    if stop is not None and stop.is_set():
        raise Abandoned()


# Requests made in this process when the shared state cannot be used.
_IN_PROCESS_STATE = {}
_IN_PROCESS_LOCK = threading.Lock()


def default_pacing_dir():
    """A per-user cache directory, as XDG asks."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "flashcat.flashduty", "pacing")


def limits_for(endpoint, overrides=None):
    """The limits of an endpoint: an override, the documented ones, or the default."""
    if overrides and endpoint in overrides:
        return tuple(overrides[endpoint])
    return DEFAULT_LIMITS.get(endpoint, UNKNOWN_ENDPOINT_LIMITS)


def state_name(app_key, endpoint):
    """The state file's name: a hash of key and endpoint, never the key."""
    digest = hashlib.sha256(("flashduty-pacing\0%s\0%s" % (app_key, endpoint)).encode("utf-8"))
    return digest.hexdigest()[:40]


def next_slot(stamps, now, limits, margin=DEFAULT_MARGIN):
    """The earliest time >= now (and >= the last reservation) to send at.

    ``stamps`` are earlier reservations in ascending order. For each limit of
    ``n`` requests per ``w`` seconds, the new request must come more than
    ``w + margin`` after the n-th most recent reservation, so that no window
    of length ``w`` (open or closed) holds more than ``n``. Reservations are
    made in order, so checking the window that ends at the new slot is enough.
    """
    slot = now
    if stamps:
        slot = max(slot, stamps[-1])
    for count, window in limits:
        if len(stamps) >= count:
            slot = max(slot, stamps[-count] + window + margin)
    return slot


def _load_stamps(raw):
    """Stamps from the file's text; raises ValueError when it is unusable."""
    state = json.loads(raw)
    if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
        raise ValueError("unknown state format")
    stamps = state.get("stamps")
    if not isinstance(stamps, list) or not all(isinstance(s, (int, float)) and not isinstance(s, bool) for s in stamps):
        raise ValueError("stamps are not a list of numbers")
    return sorted(float(s) for s in stamps)


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

    def observe(self, seconds):
        """An answer began ``seconds`` after this pacer's slot (see widened_margin)."""
        self.margin = widened_margin(self.margin, seconds)

    @property
    def horizon(self):
        return max(window for dummy, window in self.limits) + self.margin

    def wait(self, stop=None):
        """Block until this process may send; returns the seconds waited.

        With a ``stop`` event (``threading.Event``), a wait that ``stop`` ends
        gives the slot back and raises :class:`Abandoned`.
        """
        if not self.enabled:
            return 0.0
        refuse_if_stopped(stop)
        slot = self._reserve()
        waited, requeues = 0.0, 0
        while True:
            now = self.clock()
            if slot > now:
                pause(slot - now, self.sleep, stop, lambda: self._release(slot))
                waited += slot - now
                continue
            if now - slot > LATE_WAKE and requeues < MAX_REQUEUES:
                requeues += 1
                slot = self._reserve(give_up=slot)
                continue
            return waited

    def _reserve(self, give_up=None):
        if self.shared:
            try:
                return self._reserve_shared(give_up)
            except (IOError, OSError) as exc:
                self.shared = False
                self._warn_once(
                    "pacing_dir %s cannot be used (%s); pacing only within this process, "
                    "so parallel runs may hit the rate limit" % (self.directory, exc.strerror or exc))
        with _IN_PROCESS_LOCK:
            stamps = _IN_PROCESS_STATE.setdefault(self.name, [])
            return self._plan(stamps, give_up)

    def _release(self, slot):
        """Take an unused reservation back out of the state."""
        if self.shared:
            try:
                self._reserve_shared(slot, add=False)
                return
            except (IOError, OSError):
                self.shared = False
        with _IN_PROCESS_LOCK:
            stamps = _IN_PROCESS_STATE.setdefault(self.name, [])
            if slot in stamps:
                stamps.remove(slot)

    def _plan(self, stamps, give_up=None):
        """Prune old stamps in place, add and return the next slot."""
        if give_up is not None and give_up in stamps:
            stamps.remove(give_up)
        now = self.clock()
        stamps[:] = [s for s in stamps if s > now - self.horizon]
        slot = next_slot(stamps, now, self.limits, self.margin)
        stamps.append(slot)
        return slot

    def _reserve_shared(self, give_up, add=True):
        """Under the lock: give ``give_up`` back and (``add``) reserve the next slot."""
        if not os.path.isdir(self.directory):
            # exist_ok: another thread or process may create it meanwhile.
            os.makedirs(self.directory, 0o700, exist_ok=True)
        lock_fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX)
            stamps = self._read_state()
            if add:
                slot = self._plan(stamps, give_up)
            else:
                slot = None
                if give_up in stamps:
                    stamps.remove(give_up)
            self._write_state(stamps)
            return slot
        finally:
            os.close(lock_fd)  # closing releases the lock

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

    def _write_state(self, stamps):
        tmp = "%s.%d.tmp" % (self.path, os.getpid())
        data = json.dumps({"version": STATE_VERSION, "endpoint": self.endpoint,
                           "limits": [list(limit) for limit in self.limits], "stamps": stamps})
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, data.encode("utf-8"))
        finally:
            os.close(fd)
        os.replace(tmp, self.path)

    def _warn_once(self, msg):
        if not self._warned:
            self._warned = True
            self.warn(msg)
