# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every API endpoint the collection calls, in one table.

One entry per endpoint says what the rest of the code needs to know about
it: its path, its per-account rate limits (``((requests, seconds), ...)``,
from the vendor's reference), how it pages, how many ids one request may
carry, whether a request may be repeated safely, and the name of its
request schema (in ``schemas.SCHEMAS``). The pacers take their limits from
here, the pager its page size and paging cap, the endpoint files their
paths, ``make schemas`` its file names and the simulator its documented
limits. A new endpoint is one entry here plus its own small file; a write
is marked ``idempotent=False``, so the client never repeats it after a
timeout or a 5xx (only after a 429, which the server did not act on).

This file imports nothing from the collection, so that tools (the test
simulator) can load it on its own.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections import namedtuple

# The documented limits: every list and look-up endpoint, and the CSV exports.
LIST_LIMITS = ((50, 1.0), (1000, 60.0))
EXPORT_LIMITS = ((1, 1.0), (10, 60.0))
# Endpoints without documented limits get the strictest documented ones.
UNKNOWN_ENDPOINT_LIMITS = EXPORT_LIMITS

# Paging styles. OFFSET: ``p`` (from 1) and ``limit`` in the body, ``items``
# and ``total`` (capped at 1000) in the answer, ``has_next_page`` where the
# endpoint sends it; ``p * limit`` above PAGING_CAP is a 400 on every
# offset-paged list.
OFFSET = "offset"
PAGING_CAP = 10000
# Most ids one request carries (the vendor's maximum where it states one, the
# client's batch where it does not).
ID_BATCH = 100


class Endpoint(namedtuple("Endpoint", "path limits schema paging page_limit id_batch idempotent row_cap")):
    """What the collection knows about one endpoint (see the module's text).

    ``paging`` is OFFSET or None, ``page_limit`` the most items a page holds
    (where it pages), ``id_batch`` the most ids a request carries (where it
    takes id lists), ``idempotent`` whether a request may be repeated safely,
    ``row_cap`` the most rows an export holds (the server cuts silently).
    """

    __slots__ = ()

    def __new__(cls, path, limits, schema, paging=None, page_limit=None, id_batch=None, idempotent=True,
                row_cap=None):
        return super(Endpoint, cls).__new__(cls, path, limits, schema, paging, page_limit, id_batch, idempotent,
                                            row_cap)

    def max_page(self, limit):
        """The last page of ``limit`` items that paging can reach (the ``p * limit`` cap)."""
        return PAGING_CAP // limit


SCHEDULE_LIST = Endpoint("/schedule/list", LIST_LIMITS, "schedule_list", paging=OFFSET, page_limit=100)
# The export's id lists (team_ids, channel_ids, responder_ids, incident_ids) hold at most ID_BATCH each.
INSIGHT_TEAM_EXPORT = Endpoint("/insight/team/export", EXPORT_LIMITS, "insight_team_export", id_batch=ID_BATCH,
                               row_cap=10000)
# The insight by dimension: as JSON (the list limits) and as CSV exports like the team's.
INSIGHT_TEAM = Endpoint("/insight/team", LIST_LIMITS, "insight_query", id_batch=ID_BATCH)
INSIGHT_RESPONDER = Endpoint("/insight/responder", LIST_LIMITS, "insight_query", id_batch=ID_BATCH)
INSIGHT_CHANNEL = Endpoint("/insight/channel", LIST_LIMITS, "insight_query", id_batch=ID_BATCH)
INSIGHT_RESPONDER_EXPORT = Endpoint("/insight/responder/export", EXPORT_LIMITS, "insight_responder_export",
                                    id_batch=ID_BATCH, row_cap=10000)
INSIGHT_CHANNEL_EXPORT = Endpoint("/insight/channel/export", EXPORT_LIMITS, "insight_channel_export",
                                  id_batch=ID_BATCH, row_cap=10000)
# The endpoints of each insight dimension: (JSON, CSV export).
INSIGHT_BY_DIMENSION = {
    "team": (INSIGHT_TEAM, INSIGHT_TEAM_EXPORT),
    "responder": (INSIGHT_RESPONDER, INSIGHT_RESPONDER_EXPORT),
    "channel": (INSIGHT_CHANNEL, INSIGHT_CHANNEL_EXPORT),
}
# /person/infos documents no maximum; the client asks for ID_BATCH ids a request.
PERSON_INFOS = Endpoint("/person/infos", LIST_LIMITS, "person_infos", id_batch=ID_BATCH)
TEAM_INFOS = Endpoint("/team/infos", LIST_LIMITS, "team_infos", id_batch=ID_BATCH)
TEAM_LIST = Endpoint("/team/list", LIST_LIMITS, "team_list", paging=OFFSET, page_limit=100)
CHANNEL_LIST = Endpoint("/channel/list", LIST_LIMITS, "channel_list", paging=OFFSET, page_limit=100)
# A channel's silence rules come in one answer (no paging documented).
SILENCE_RULE_LIST = Endpoint("/channel/silence/rule/list", LIST_LIMITS, "silence_rule_list")
# The writes. None may be sent twice blindly: after a timeout or a 5xx the
# server may have acted (two creates make two rules with the same name), so
# the client repeats them only after a 429, and the caller decides the rest
# from what it reads back (silence_rule.create_rule).
SILENCE_RULE_CREATE = Endpoint("/channel/silence/rule/create", LIST_LIMITS, "silence_rule_create", idempotent=False)
SILENCE_RULE_UPDATE = Endpoint("/channel/silence/rule/update", LIST_LIMITS, "silence_rule_update", idempotent=False)
SILENCE_RULE_DELETE = Endpoint("/channel/silence/rule/delete", LIST_LIMITS, "silence_rule_id", idempotent=False)
SILENCE_RULE_ENABLE = Endpoint("/channel/silence/rule/enable", LIST_LIMITS, "silence_rule_id", idempotent=False)
SILENCE_RULE_DISABLE = Endpoint("/channel/silence/rule/disable", LIST_LIMITS, "silence_rule_id", idempotent=False)

# By path, in the order the schemas are documented.
ENDPOINTS = dict((endpoint.path, endpoint) for endpoint in (
    SCHEDULE_LIST, INSIGHT_TEAM_EXPORT, PERSON_INFOS, TEAM_INFOS, TEAM_LIST, INSIGHT_TEAM, INSIGHT_RESPONDER,
    INSIGHT_CHANNEL, INSIGHT_RESPONDER_EXPORT, INSIGHT_CHANNEL_EXPORT, CHANNEL_LIST, SILENCE_RULE_LIST,
    SILENCE_RULE_CREATE, SILENCE_RULE_UPDATE, SILENCE_RULE_DELETE, SILENCE_RULE_ENABLE, SILENCE_RULE_DISABLE))


def idempotent(path):
    """May a request to ``path`` be repeated safely? (Paths not in the table are taken as reads.)"""
    endpoint = ENDPOINTS.get(path)
    return endpoint.idempotent if endpoint is not None else True


def limits_for(path, overrides=None):
    """The limits of an endpoint: an override, the documented ones, or the default."""
    if overrides and path in overrides:
        return tuple(overrides[path])
    endpoint = ENDPOINTS.get(path)
    return endpoint.limits if endpoint is not None else UNKNOWN_ENDPOINT_LIMITS
