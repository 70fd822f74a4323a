# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""When to retry a Flashduty call, and how long to wait before the next try.

The vendor asks for exponential backoff from 1 second on 429, 5xx and network
errors. The waits come from :class:`Backoff`, an iterator whose random source
is injectable, so tests assert the exact waits without sleeping.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import random
from datetime import timezone
from email.utils import parsedate_to_datetime

RETRY_STATUSES = frozenset([429, 500, 502, 503, 504])
RETRY_CODES = frozenset(["RequestTooFrequently", "ServiceUnavailable"])
# Answers that say the server did not act on the request (rate limited).
NOT_ACTED_STATUS = 429
NOT_ACTED_CODE = "RequestTooFrequently"

# The longest Retry-After the client will honour; a server asking for more
# gets this much, and the attempt count still bounds the run.
MAX_RETRY_AFTER = 300.0


class Backoff:
    """Exponential waits: base, 2*base, 4*base, ... capped at ``cap``.

    Each wait is stretched by up to ``jitter`` of itself (0.25 = up to 25 %
    longer), so processes that failed together do not come back together.
    Waits never fall below the exponential value, so the first retry is
    always at least ``base`` seconds away, as the vendor asks.
    """

    def __init__(self, base=1.0, factor=2.0, cap=30.0, jitter=0.25, rand=None):
        self.base = base
        self.factor = factor
        self.cap = cap
        self.jitter = jitter
        self.rand = rand or random.random

    def __iter__(self):
        delay = self.base
        while True:
            wait = min(delay, self.cap)
            wait += wait * self.jitter * self.rand()
            yield min(wait, self.cap * (1 + self.jitter))
            delay *= self.factor


def parse_http_date(value):
    """Unix seconds of an HTTP date (``Date``, ``Retry-After``), or None if there is none or it is unusable."""
    try:
        when = parsedate_to_datetime(value.strip()) if value else None
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:  # the zone "-0000": UTC all the same, never this host's zone
        when = when.replace(tzinfo=timezone.utc)
    return when.timestamp()


def parse_retry_after(value, now):
    """Seconds to wait from a ``Retry-After`` header, or None if unusable.

    ``value`` is either delta-seconds or an HTTP date; ``now`` is the current
    Unix time (injectable, for tests).
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        when = parse_http_date(value)
        if when is None:
            return None
        seconds = when - now
    if math.isnan(seconds):
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def is_retryable_status(status, code=None):
    """429, 500, 502, 503, 504 and the rate-limit code; never other 4xx."""
    return status in RETRY_STATUSES or code in RETRY_CODES


def may_repeat(idempotent, status=None, code=None):
    """May a retryable failure be sent again? A request that may be repeated
    safely (see ``endpoints``), always; any other only when the server said
    it did not act on it (429 or the rate-limit code): after a timeout or a
    5xx it may have."""
    return idempotent or status == NOT_ACTED_STATUS or code == NOT_ACTED_CODE
