# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Client-side pacing under Flashduty's per-account rate limits: what both
backends share.

Every attempt first reserves a send time ("slot") such that no window of any
limit's length holds more requests than the limit allows. The server counts
a request when it arrives, not when it was sent: later on a busy host, or
after a new connection's handshakes. So each reservation also records when
it has surely arrived (its ``settled`` time: the slot plus a margin, raised
to the time its answer began when that is later), later slots keep each
limit's window from those times, and a slot planned before a late answer
came is checked again when it is due (see :class:`Reservation`).

Where the reservations live is a backend's business: :mod:`pacing_file`
(a locked state file, the processes of one machine) or :mod:`pacing_redis`
(a Redis server, jobs on many hosts); :mod:`pacing` picks one. Both hand
out :class:`Reservation` objects, wait through :func:`wait_for_slot` and
name their state by :func:`state_name`, never by the key.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools
import hashlib

# A request counts as arrived this long after its slot until its answer
# shows it later: a request sent a little late must still not land inside
# the previous window.
DEFAULT_MARGIN = 0.1
# A process that wakes later than this after its slot (a busy machine) does
# not send: others planned their slots from its reservation, so it gives the
# slot up and queues again at the end. The same when a request planned before
# it turned out late. At most MAX_REQUEUES times, then it sends.
LATE_WAKE = 0.05
MAX_REQUEUES = 3


class Reservation:
    """One slot: ``at`` is when it may be sent; ``settled`` is when the
    request has surely reached the server, as far as is known: ``at`` plus
    the margin when reserved, raised to the time its answer began (the
    server counted it before answering) when that came later.

    Later slots are planned from ``settled``: a request that went late (a
    busy host, a new connection's TCP and TLS handshakes) pushes back the
    slots planned after its answer, and those already planned see it when
    they wake (see :func:`cleared`). ``member`` names it in a shared store.
    ``waited`` is the ``(from, to)`` of the wait for it by the pacer's clock,
    None when it was due at once (:func:`wait_for_slot` sets it).
    """

    __slots__ = ("at", "settled", "member", "waited")

    def __init__(self, at, settled, member=None):
        self.at = at
        self.settled = settled
        self.member = member
        self.waited = None

    def __repr__(self):
        return "Reservation(%r, %r, %r)" % (self.at, self.settled, self.member)


def plan(settled_times, last, now, limits):
    """The earliest slot >= now and >= ``last`` (the latest slot reserved).

    ``settled_times`` are the settled times of the reservations that count.
    For each limit of ``n`` requests per ``w`` seconds the new request goes
    at least ``w`` after the n-th latest settled time, so no window of length
    ``w`` holds more than ``n``. Slots are handed out in order, so checking
    the window that ends at the new slot is enough.
    """
    slot = max(now, last)
    latest = sorted(settled_times, reverse=True)
    for count, window in limits:
        if len(latest) >= count:
            slot = max(slot, latest[count - 1] + window)
    return slot


def cleared(settled_before, now, limits):
    """Whether a request planned after the reservations settled at
    ``settled_before`` may go at ``now``: :func:`plan` again, with the
    settled times as they are now."""
    return plan(settled_before, now, now, limits) <= now


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


def wait_for_slot(reserve, recheck, release, clock, sleep, stop=None):
    """The wait both backends share; returns the :class:`Reservation` sent on.

    ``reserve()`` gives the first reservation. One that is due already goes
    at once; after sleeping until its slot, ``recheck(mine, late)`` says
    whether it may go (None) or gives the one that replaces it at the end
    of the queue: when it woke more than
    LATE_WAKE after its slot, or when a request planned before it turned out
    late. ``late`` is taken by this host's clock as it woke, before any lock
    or round trip (waiting behind the threads that woke with it is not
    lateness). After MAX_REQUEUES it goes. A wait that ``stop`` ends gives
    the slot back (``release(mine)``) and raises :class:`Abandoned`.
    """
    refuse_if_stopped(stop)
    began = clock()
    mine = reserve()
    slept = False
    for requeues in range(MAX_REQUEUES + 1):
        delay = mine.at - clock()
        if delay <= 0:
            # Due as it was handed out: planned against the state as it is.
            break
        pause(delay, sleep, stop, functools.partial(release, mine))
        slept = True
        if requeues == MAX_REQUEUES:
            break
        again = recheck(mine, clock() - mine.at > LATE_WAKE)
        if again is None:
            break
        mine = again
    if slept:
        mine.waited = (began, clock())
    return mine


def seconds_waited(spans):
    """The seconds covered by the ``(from, to)`` spans: waits of threads side
    by side count once."""
    total, reach = 0.0, None
    for begin, end in sorted(spans):
        if reach is None or begin > reach:
            total += end - begin
            reach = end
        elif end > reach:
            total += end - reach
            reach = end
    return total


def state_name(app_key, endpoint):
    """The state file's name: a hash of key and endpoint, never the key."""
    digest = hashlib.sha256(("flashduty-pacing\0%s\0%s" % (app_key, endpoint)).encode("utf-8"))
    return digest.hexdigest()[:40]


def next_slot(stamps, now, limits, margin=DEFAULT_MARGIN):
    """The earliest time >= now (and >= the last of ``stamps``) to send at,
    when each earlier slot in ``stamps`` (ascending) settled ``margin`` after it."""
    return plan([s + margin for s in stamps], stamps[-1] if stamps else now, now, limits)
