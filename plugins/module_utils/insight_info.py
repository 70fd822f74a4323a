# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""POST /insight/team, /insight/responder, /insight/channel: typed items and totals.

The request is the exports' filter envelope (one definition: ``schemas.INSIGHT_QUERY``
and ``insight.plan_windows``), so a long range is cut into windows at time-bucket
boundaries the same way. The items are returned as the API gives them, after a
type check (a count that is no whole number is an error, not a number to add up).

Totals per dimension value add up the counts, and a mean or a percentage over
several items is weighted by the counts it is a mean of, never a mean of means:
``mean_seconds_to_ack`` = sum(``total_seconds_to_ack``) / sum(acknowledged) (an
item without the seconds total gives ``mean * acknowledged``),
``mean_seconds_to_close`` likewise over the closed incidents, and
``acknowledgement_pct`` = 100 * sum(acknowledged) / sum(incidents). A field that
no item carries is absent (None) in the totals, not 0; a mean whose weight
cannot be known (a mean without its count) is None, not a guess.
``noise_reduction_pct`` has no documented denominator, so it is only given
where a single item carries it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.flashcat.flashduty.plugins.module_utils.endpoints import INSIGHT_BY_DIMENSION
from ansible_collections.flashcat.flashduty.plugins.module_utils.errors import ResponseFormatError
from ansible_collections.flashcat.flashduty.plugins.module_utils.insight import FILTER_FIELDS, build_body, plan_windows
from ansible_collections.flashcat.flashduty.plugins.module_utils.names import add_team_names
from ansible_collections.flashcat.flashduty.plugins.module_utils.paging import answer_items
from ansible_collections.flashcat.flashduty.plugins.module_utils.schemas import INSIGHT_QUERY
from ansible_collections.flashcat.flashduty.plugins.module_utils.timeparse import get_zone

# The integer fields of an item (the vendor's reference), summed in the totals.
COUNTS = (
    "total_incident_cnt", "total_incidents_acknowledged", "total_incidents_closed", "total_incidents_auto_closed",
    "total_incidents_manually_closed", "total_incidents_timeout_closed", "total_incidents_escalated",
    "total_incidents_manually_escalated", "total_incidents_timeout_escalated", "total_incidents_reassigned",
    "total_interruptions", "total_notifications", "total_engaged_seconds", "total_seconds_to_ack",
    "total_seconds_to_close", "total_alert_cnt", "total_alert_event_cnt",
)
# The number fields: (mean, its seconds total, the count it is a mean over).
MEANS = (
    ("mean_seconds_to_ack", "total_seconds_to_ack", "total_incidents_acknowledged"),
    ("mean_seconds_to_close", "total_seconds_to_close", "total_incidents_closed"),
)
PERCENTAGES = ("noise_reduction_pct", "acknowledgement_pct")
HOUR_BUCKETS = ("work", "sleep", "off")


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_item(item, path, request_id=None):
    """Raise ResponseFormatError when a field of ``item`` is not of its documented type."""
    for key, value in item.items():
        if value is None:
            continue
        if key in COUNTS or key == "ts":
            ok, kind = _is_int(value) and value >= 0, "a whole number of at least 0"
        elif key in PERCENTAGES or key in [m[0] for m in MEANS]:
            ok, kind = _is_number(value) and value >= 0, "a number of at least 0"
        elif key.endswith("_id"):
            ok, kind = _is_int(value), "an id (a whole number)"
        else:
            continue
        if not ok:
            raise ResponseFormatError("POST %s answered %s = %r in an item; it must be %s" % (path, key, value, kind),
                                      request_id=request_id)


def _sum(items, field):
    values = [item[field] for item in items if item.get(field) is not None]
    return sum(values) if values else None


def _weighted(items, value_field, seconds_field, count_field, scale=1.0):
    """sum(seconds) / sum(count) over ``items``; an item without the seconds total
    gives value * count / scale. None when nothing was counted or a weight is unknown."""
    seconds, counted = 0.0, 0
    for item in items:
        count, total, value = item.get(count_field), item.get(seconds_field), item.get(value_field)
        if count is None:
            if total is None and value is None:
                continue  # nothing of this in the item
            return None  # a mean without the count it is a mean of: its weight is unknown
        if not count:
            continue
        if total is None:
            if value is None:
                return None
            total = value * count / scale
        seconds += total
        counted += count
    return seconds * scale / counted if counted else None


def totals_of(items):
    """The totals of ``items`` (one dimension value's): counts summed, means weighted."""
    out = dict((field, _sum(items, field)) for field in COUNTS)
    for mean, seconds, count in MEANS:
        out[mean] = _weighted(items, mean, seconds, count)
    # acknowledged / incidents, as a percentage; an item without the acknowledged count gives pct * incidents.
    out["acknowledgement_pct"] = _weighted(items, "acknowledgement_pct", "total_incidents_acknowledged",
                                           "total_incident_cnt", scale=100.0)
    carrying = [item["noise_reduction_pct"] for item in items if item.get("noise_reduction_pct") is not None]
    out["noise_reduction_pct"] = carrying[0] if len(carrying) == 1 else None
    return out


def totals(items, dimension):
    """One total per dimension value, in the order the values first appear.

    Each has the dimension's id and name (the name the items carry, None when
    none does: a deleted person), ``items`` (how many items it adds up),
    the totals of :func:`totals_of` and, with ``split_hours``, ``by_hours``
    (the same totals per hour bucket).
    """
    id_field, name_field = dimension + "_id", dimension + "_name"
    groups = {}
    order = []
    for item in items:
        key = item.get(id_field)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(item)
    out = []
    for key in order:
        group = groups[key]
        names = [item.get(name_field) for item in group if item.get(name_field)]
        entry = {id_field: key, name_field: names[0] if names else None, "records": len(group)}
        entry.update(totals_of(group))
        if any(item.get("hours") for item in group):
            entry["by_hours"] = dict((hours, totals_of([item for item in group if item.get("hours") == hours]))
                                     for hours in HOUR_BUCKETS)
        out.append(entry)
    return out


def run(module, client, now):
    """The module's whole run: check, resolve team names, ask each window, add up."""
    params = module.params
    dimension = params["dimension"]
    endpoint = INSIGHT_BY_DIMENSION[dimension][0]
    zone = get_zone(params.get("time_zone"))
    body = build_body(params, now, zone, fields=FILTER_FIELDS)
    windows = plan_windows(body, params["split_range"], zone, schema=INSIGHT_QUERY)
    add_team_names(client, body, params.get("team_names"), most=endpoint.id_batch)
    items, request_ids = [], []
    for start, end in windows:
        response = client.post(endpoint.path, dict(body, start_time=start, end_time=end))
        request_ids.append(response.request_id)
        for item in answer_items(response, endpoint.path):
            check_item(item, endpoint.path, response.request_id)
            items.append(item)
    return {"changed": False, "dimension": dimension, "records": items, "totals": totals(items, dimension),
            "windows": windows, "request_ids": request_ids, "team_ids": body.get("team_ids") or [],
            "aggregate_unit": body.get("aggregate_unit")}
