# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Independent requests a few at a time, results in the order asked.

Each call still goes through the client, so every request waits for its
slot under the account's rate limits; threads only hide network latency.
The first failure (in the order asked) is raised after the calls not yet
started are cancelled and the ones under way have finished.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from concurrent.futures import ThreadPoolExecutor


def map_ordered(func, items, concurrency=1):
    """``[func(item) for item in items]``, up to ``concurrency`` at once."""
    items = list(items)
    if concurrency <= 1 or len(items) <= 1:
        return [func(item) for item in items]
    pool = ThreadPoolExecutor(max_workers=min(concurrency, len(items)))
    futures = [pool.submit(func, item) for item in items]
    try:
        return [future.result() for future in futures]
    finally:
        for future in futures:
            future.cancel()
        pool.shutdown(wait=True)
