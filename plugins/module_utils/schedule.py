# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""POST /schedule/list: every page, de-duplicated, with an on-call summary."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.flashcat.flashduty.plugins.module_utils.endpoints import PAGING_CAP, SCHEDULE_LIST
from ansible_collections.flashcat.flashduty.plugins.module_utils.names import add_team_names, name_oncall
from ansible_collections.flashcat.flashduty.plugins.module_utils.paging import read_list
from ansible_collections.flashcat.flashduty.plugins.module_utils.schemas import validate_schedule_list
from ansible_collections.flashcat.flashduty.plugins.module_utils.timeparse import parse_time

# Why a listing without a window has nobody on call, and what to do.
NO_WINDOW = ("no on-call window: current and next are null; give start and end (for example start: now, "
             "end: +1d) to get who is on call")
# Body field -> module option, for messages.
OPTION_NAMES = {"p": "page"}
# List fields the API may send as null; they come back as [] so templates
# can loop over them without guards.
NULL_LIST_PATHS = (
    ("layers",), ("schedule_layers",), ("layer_schedules",), ("final_schedule", "schedules"),
    ("notify", "by", "personal_channels"), ("notify", "webhooks"),
)


def selection_options():
    """The argument spec of the options that choose schedules (both schedule modules take them)."""
    return dict(
        query=dict(type="str"),
        name=dict(type="str"),
        team_ids=dict(type="list", elements="int"),
        team_names=dict(type="list", elements="str"),
        is_my_team=dict(type="bool"),
        is_my_manage=dict(type="bool"),
    )


def build_body(params, now):
    """The request body (without paging) from the module's options."""
    body = {}
    query = params.get("query")
    if query is None and params.get("name"):
        query = params["name"]
    if query is not None:
        body["query"] = query
    for key in ("team_ids", "is_my_team", "is_my_manage"):
        if params.get(key) is not None:
            body[key] = params[key]
    for key in ("start", "end"):
        if params.get(key) is not None:
            body[key] = parse_time(params[key], now, key)
    return body


def _set_null_lists(item):
    for path in NULL_LIST_PATHS:
        node = item
        for key in path[:-1]:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict) and path[-1] in node and node[path[-1]] is None:
            node[path[-1]] = []
    return item


def schedule_id(item):
    return item.get("schedule_id", item.get("id"))


def _shift(oncall):
    """``{start, end, group_name, person_ids}`` of a cur/next on-call entry."""
    if not isinstance(oncall, dict):
        return None
    group = oncall.get("group") or {}
    return {"start": oncall.get("start"), "end": oncall.get("end"),
            "group_name": group.get("group_name"), "person_ids": group_person_ids(group)}


def group_person_ids(group):
    """The person ids of a group's members, in order, without repeats."""
    persons = []
    for member in (group or {}).get("members") or []:
        for person in (member or {}).get("person_ids") or []:
            if person not in persons:
                persons.append(person)
    return persons


def shift_person_ids(items):
    """Everyone in the computed shifts (``final_schedule``) of the schedules."""
    return [pid for item in items for shift in (item.get("final_schedule") or {}).get("schedules") or []
            for pid in group_person_ids((shift or {}).get("group"))]


def oncall_summary(items):
    return [{
        "schedule_id": schedule_id(item),
        "schedule_name": item.get("schedule_name", item.get("name")),
        "team_id": item.get("team_id", item.get("group_id")),
        "current": _shift(item.get("cur_oncall")),
        "next": _shift(item.get("next_oncall")),
    } for item in items]


def _unique(items):
    seen, out = set(), []
    for item in items:
        key = schedule_id(item)
        if key is not None and key in seen:
            continue
        seen.add(key)
        out.append(item)
    return out


def list_schedules(client, body, page=None, limit=SCHEDULE_LIST.page_limit, name=None, concurrency=1,
                   checked=False, hint=None):
    """Fetch one page (``page`` set) or every page; return the module result.

    Auto-paging goes on while pages come back full (the server's ``total`` is
    capped at 1000, so it is never the reason to stop) and never asks past
    ``p * limit <= 10000``: when the last reachable page is still full, the
    first 10,000 come back with ``truncated: true`` and a warning. ``total``
    is then the number of distinct schedules read; with ``page`` set it is the
    server's figure. ``checked``: the body was validated already (by :func:`run`);
    ``hint``: a ``paging.PageHint`` shared by listings of one filter.
    """
    single = page is not None
    if not checked:
        validate_schedule_list(dict(body, p=page if single else 1, limit=limit), OPTION_NAMES)
    result = read_list(client, SCHEDULE_LIST, body, limit=limit, page=page, concurrency=concurrency,
                       item=_set_null_lists, hint=hint)
    items = _unique(result.items)
    totals = result.totals
    if result.truncated:
        client.warn("more than %d schedules match this filter, but the API pages through only the first %d; "
                    "returned those (truncated: true). Narrow the filter with name, query, team_ids "
                    "or is_my_team to see the rest." % (PAGING_CAP, PAGING_CAP))
    if len(set(totals)) > 1:
        client.warn("the number of matching schedules changed while paging (%s); schedules created or deleted "
                    "meanwhile may be missing or were skipped as duplicates" % " -> ".join(str(t) for t in totals))
    if single:
        total = totals[-1] if totals else len(items)
    else:
        total = len(items)
    if name is not None:
        items = [item for item in items if item.get("schedule_name", item.get("name")) == name]
    return {
        "changed": False,
        "schedules": items,
        "total": total,
        "truncated": result.truncated,
        "oncall": oncall_summary(items),
        "request_ids": list(client.request_ids),
    }


def run(module, client, now):
    """The module's whole run: check, resolve team names, list, name the people on call."""
    params = module.params
    concurrency = params["concurrency"]
    body = build_body(params, now)
    page, limit = params.get("page"), params.get("limit", SCHEDULE_LIST.page_limit)
    validate_schedule_list(dict(body, p=page if page is not None else 1, limit=limit), OPTION_NAMES,
                           written=dict((key, params.get(key)) for key in ("start", "end")))
    add_team_names(client, body, params.get("team_names"), concurrency=concurrency)
    result = list_schedules(client, body, page=page, limit=limit, name=params.get("name"), concurrency=concurrency,
                            checked=True)
    result["team_ids"] = body.get("team_ids") or []
    result["oncall_note"] = None if "start" in body else NO_WINDOW
    # The "now" of current and next: the server's clock when it answered, else this host's.
    result["read_at"] = int(client.answered_at.get(SCHEDULE_LIST.path) or now)
    if params.get("resolve_names", True):
        result["persons"], problem = name_oncall(client, result["oncall"], concurrency,
                                                 shift_person_ids(result["schedules"]))
        if problem:
            client.warn(problem)
    result["request_ids"] = list(client.request_ids)
    if not params.get("return_schedules", True):
        del result["schedules"]
    return result
