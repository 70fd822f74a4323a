# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which pacing backend a task uses: the one place that picks it.

:func:`pacer_factory` turns the pacing options into a function that gives
the pacer of an endpoint: the Redis backend (:mod:`pacing_redis`) when a
``pacing_url`` is set, the file backend (:mod:`pacing_file`) otherwise. The
client only calls that function and the pacer's ``wait(stop)`` and
``answered(reservation)``; what both backends share is :mod:`pacing_core`.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.flashcat.flashduty.plugins.module_utils.endpoints import limits_for
from ansible_collections.flashcat.flashduty.plugins.module_utils.pacing_file import Pacer
from ansible_collections.flashcat.flashduty.plugins.module_utils.pacing_redis import RedisPacing


def pacer_factory(app_key, enabled=True, directory=None, url=None, password=None, limits=None,
                  clock=None, sleep=None, warn=None):
    """``factory(path) -> pacer`` from the pacing options.

    ``url`` (a checked ``pacing_url``) and ``password`` choose the Redis
    backend, which shares one connection between the endpoints; otherwise
    each endpoint gets a file pacer in ``directory``. ``limits`` are the
    ``rate_limits`` overrides by path. ``clock``, ``sleep`` (injectable) and
    ``warn`` (one-line messages) are the file backend's; the Redis backend
    keeps the server's time.
    """
    if url:
        shared = RedisPacing(app_key, url, password=password, limits=limits)
        return lambda path: shared.pacer(path, enabled=enabled)

    def file_pacer(path):
        return Pacer(app_key, path, directory=directory, limits=limits_for(path, limits), enabled=enabled,
                     clock=clock, sleep=sleep, warn=warn)
    return file_pacer
