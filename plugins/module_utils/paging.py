# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Offset paging of the API's list endpoints, sequential or a few pages at a time.

The vendor's rule, for every list: ``total`` is exact only below 1000 (from
1000 matches up the server answers ``1000``), so a list has more while a page
comes back full, or while ``has_next_page`` is true where the endpoint sends
it. Paging never stops because of ``total``; an exact total only keeps the
pager from fetching ahead past the pages it announces.

With ``concurrency`` above 1, up to that many pages are in flight at once
(each still paced by the client); page 1 goes first alone, so a short list
costs exactly its pages. When the count is unknown (the server's total is
capped) the pager asks ahead only as far as the pages known full justify:
with page ``m`` the last full page answered, the list has at least ``m + 1``
pages (a capped total alone says at least ``1000 / limit`` are full), and no
page past ``1.5 * (m + 1) + 1`` is asked (:func:`ask_up_to`).
So a list of ``n`` pages costs at most ``1.5 n + 1`` requests (20 for 1,234
schedules, where whole waves of 50 cost 50: every wasted request spends the
account's per-minute budget other jobs share), and the pages asked grow by
half each round trip. Pages come back in the server's
order whatever order the answers arrive in, and no page is asked
``concurrency`` or more pages past the oldest one unanswered. A failed page
cancels the pages not yet sent, waits for the ones in flight, and raises.

A module that lists one filter several times in a run (one listing per
window of time, the schedules the same in each) passes one
:class:`PageHint` to every listing: a listing whose count is unknown asks
ahead no further than the pages the previous one read, so the second
window of 1,000 schedules costs its 11 pages, not the 17 the bound allows.
Where the list grew since, the hint is dropped once its last page comes
back full, and the bound above goes on alone.

Pages asked ahead may still wait for their slot under the rate limit when
the list's end (or a failure) becomes known: with a ``stop`` event, which
their fetches pass on to the client, they are not sent but given up at once,
so the run neither waits for their slots nor spends them.

While pages are read, Python's cyclic garbage collector is paused: decoded
JSON holds no cycles, and 10,000 schedules' dicts and lists made it run
full collections over every object built so far, 0.4 s of CPU on a 2-core
host, most of it while the next answers waited for the interpreter.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import gc
import threading
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

from ansible_collections.flashcat.flashduty.plugins.module_utils.endpoints import OFFSET
from ansible_collections.flashcat.flashduty.plugins.module_utils.errors import ResponseFormatError

# From this many matches up, the vendor's ``total`` means "this many or more".
CAPPED_TOTAL = 1000


class Page:
    """One page as an endpoint module parsed it."""

    def __init__(self, items, total=None, has_next=None):
        self.items = items
        self.total = total
        self.has_next = has_next

    def more(self, limit):
        """Does the list go on after this page? A full page or has_next_page says so."""
        return len(self.items) >= limit or self.has_next is True

    def exact_pages(self, limit):
        """The number of pages ``total`` announces, when it is exact; else None."""
        total = self.total
        if total is None or total >= CAPPED_TOTAL:
            return None
        return max(1, (total + limit - 1) // limit)


class PagingResult:
    """The pages read, in order, and whether the paging cap cut the list."""

    def __init__(self, pages, truncated):
        self.pages = pages
        self.truncated = truncated

    @property
    def items(self):
        return [item for page in self.pages for item in page.items]

    @property
    def totals(self):
        return [page.total for page in self.pages if page.total is not None]


class PageHint:
    """The pages the last listing of the same filter read (``pages``, None before the first)."""

    def __init__(self):
        self.pages = None


def answer_items(response, path, lenient=False):
    """The items (dicts) of a list answer's ``data.items``.

    An answer without a list of items is a :class:`ResponseFormatError`;
    ``lenient`` (the look-ups, whose empty answers may carry no data) takes
    a ``data`` that is no object for no items.
    """
    data = response.data
    items = data.get("items") if isinstance(data, dict) else None
    if (not isinstance(data, dict) and not lenient) or (items is not None and not isinstance(items, list)):
        raise ResponseFormatError("POST %s answered without a list of items" % path, request_id=response.request_id)
    return [item for item in items or [] if isinstance(item, dict)]


def _known(value, kind):
    """``value`` when it is of ``kind`` (never a bool for an int), else None."""
    return value if isinstance(value, kind) and (kind is bool or not isinstance(value, bool)) else None


def read_page(client, endpoint, body, stop=None, item=None):
    """One page of an offset-paged list endpoint as a :class:`Page`.

    ``item(dict)`` (optional) returns each item as the caller keeps it;
    the decoded items are this call's own, so it may fill them in place.
    """
    response = client.post(endpoint.path, body, stop=stop)
    items = answer_items(response, endpoint.path)
    if item is not None:
        items = [item(entry) for entry in items]
    data = response.data
    return Page(items, _known(data.get("total"), int), _known(data.get("has_next_page"), bool))


def read_list(client, endpoint, body, limit=None, page=None, concurrency=1, item=None, hint=None):
    """Page ``page`` alone, or every page, of an offset-paged ``endpoint``.

    ``limit`` defaults to the endpoint's page limit; every page stays within
    the paging cap (``p * limit``); ``hint``: a :class:`PageHint` shared by
    the listings of one filter. Returns a :class:`PagingResult`.
    """
    if endpoint.paging != OFFSET:
        raise ValueError("%s does not page by offset" % endpoint.path)
    limit = limit or endpoint.page_limit
    if page is not None:
        return PagingResult([read_page(client, endpoint, dict(body, p=page, limit=limit), item=item)],
                            truncated=False)
    stop = threading.Event()
    return fetch_all(lambda p: read_page(client, endpoint, dict(body, p=p, limit=limit), stop, item), limit,
                     endpoint.max_page(limit), concurrency, stop=stop, hint=hint)


@contextlib.contextmanager
def collector_paused():
    """Pause the cyclic garbage collector; restore it as it was (see above)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def fetch_all(fetch, limit, max_page, concurrency=1, stop=None, hint=None):
    """Read pages 1, 2, ... through ``fetch(p) -> Page`` until the list ends.

    ``max_page`` is the last page the endpoint lets one filter reach (its
    ``p * limit`` cap); when that page is still full the result is
    ``truncated``. ``stop`` (a ``threading.Event`` that ``fetch`` watches)
    is set once the pages still running are no longer needed. ``hint`` (a
    :class:`PageHint`) bounds asking ahead by the pages the last listing of
    the same filter read, and is set to the pages this one read.
    """
    with collector_paused():
        result = _fetch_all(fetch, limit, max_page, concurrency, stop, hint.pages if hint is not None else None)
    if hint is not None:
        hint.pages = len(result.pages)
    return result


def _fetch_all(fetch, limit, max_page, concurrency, stop, expected):
    first = fetch(1)
    if not first.more(limit) or max_page <= 1:
        return PagingResult([first], truncated=first.more(limit))
    pages = {1: first}
    ahead = first.exact_pages(limit)
    if concurrency <= 1:
        return _sequential(fetch, pages, limit, max_page)
    return _concurrent(fetch, pages, limit, max_page, concurrency, ahead, stop, expected)


def _sequential(fetch, pages, limit, max_page):
    p = 1
    while pages[p].more(limit) and p < max_page:
        p += 1
        pages[p] = fetch(p)
    return PagingResult([pages[i] for i in range(1, p + 1)], truncated=pages[p].more(limit))


def _end(pages, limit, max_page):
    """``(last page, truncated)`` once the pages read so far decide it, else None."""
    p = 1
    while p in pages:
        if not pages[p].more(limit):
            return p, False
        if p >= max_page:
            return p, True
        p += 1
    return None


def ask_up_to(pages, limit):
    """The last page worth asking while the count is unknown: at most 1.5
    times the pages the list surely has, plus one. It surely has one page
    past the last full page answered, and past the pages a capped total
    fills (a total of 1000 means at least 1000 items)."""
    full = [p for p, page in pages.items() if page.more(limit)]
    full += [CAPPED_TOTAL // limit for page in pages.values() if page.total is not None and page.total >= CAPPED_TOTAL]
    return (3 * (max(full) + 1)) // 2 + 1 if full else 1


def _concurrent(fetch, pages, limit, max_page, concurrency, ahead, stop, expected=None):
    """Keep up to ``concurrency`` pages in flight until the list's end is known.

    ``ahead`` (the pages an exact total announces) bounds fetching ahead;
    when its last page is still full, the total was stale and paging goes on
    without a bound. ``expected`` (the pages the last listing of the same
    filter read) bounds it too while the count is unknown, until its last
    page comes back full.
    """
    next_page = 2
    stale = False
    in_flight = {}
    pool = ThreadPoolExecutor(max_workers=concurrency)
    try:
        while True:
            end = _end(pages, limit, max_page)
            if end is not None:
                break
            if ahead is not None and ahead in pages and pages[ahead].more(limit):
                # The announced pages are read and the last was full: one more
                # page says whether the list ends there; if that one is full
                # too, the total was stale and the count is unknown.
                ahead = ahead + 1 if not stale else None
                stale = True
            if expected is not None and expected in pages and pages[expected].more(limit):
                expected = None  # the list grew since the last listing
            bound = min(ask_up_to(pages, limit), max_page) if ahead is None else min(ahead, max_page)
            if ahead is None and expected is not None:
                bound = min(bound, expected)
            # A page that ended the list bounds it, even before the pages
            # ahead of it have answered.
            bound = min([bound] + [p for p, page in pages.items() if not page.more(limit)])
            # Never more than ``concurrency`` pages past the oldest one unanswered:
            # a slow page (or one failing after its retries) does not let the
            # pages after it run far ahead.
            oldest = min(in_flight.values()) if in_flight else next_page
            while len(in_flight) < concurrency and next_page <= bound and next_page < oldest + concurrency:
                in_flight[pool.submit(fetch, next_page)] = next_page
                next_page += 1
            if not in_flight:  # pragma: no cover - _end decides before this can happen
                raise RuntimeError("paging stopped without an end page")
            done, dummy = wait(list(in_flight), return_when=FIRST_COMPLETED)
            for future in sorted(done, key=in_flight.get):
                p = in_flight.pop(future)
                pages[p] = future.result()
    finally:
        if stop is not None:
            stop.set()
        for future in in_flight:
            future.cancel()
        pool.shutdown(wait=True)
    last, truncated = end
    return PagingResult([pages[i] for i in range(1, last + 1)], truncated=truncated)
