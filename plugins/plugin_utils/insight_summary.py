# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Per-team figures of the insight_report role, from export results.

Column names of an export are display names in the caller's locale and their
order is not documented, so the role asks for a known list of
``export_fields`` in the vendor's key order and :mod:`export_columns` checks
which column holds which field before any number is read. Also how many
teams one export request may carry without reaching the row cap.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.flashcat.flashduty.plugins.plugin_utils import export_columns as layout
from ansible_collections.flashcat.flashduty.plugins.module_utils.endpoints import INSIGHT_TEAM_EXPORT
from ansible_collections.flashcat.flashduty.plugins.module_utils.errors import ResponseFormatError
from ansible_collections.flashcat.flashduty.plugins.module_utils.schemas import EXPORT_MAX_DAY_RANGE, EXPORT_MAX_RANGE

# The export fields the report reads, in the vendor's key order, so that a
# server writing the order asked and one writing its own order give the same
# layout (columns.py still checks it).
REPORT_FIELDS = [
    "team_id", "team_name", "total_incident_cnt", "total_incidents_acknowledged", "total_incidents_closed",
    "total_interruptions", "mean_seconds_to_ack", "mean_seconds_to_close",
]


def _number(value):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def _asked(export, key):
    """What one export was asked for: its own key, else its registered module arguments."""
    if export.get(key) is not None:
        return export[key]
    return ((export.get("invocation") or {}).get("module_args") or {}).get(key)


def _distinct(values):
    out = []
    for value in values:
        if value not in out:
            out.append(value)
    return out


def export_rows(exports, fields=None, time_zone=None):
    """The rows of several exports keyed by field, each export's header checked.

    ``exports`` are results of flashduty_insight_export (``rows``, ``columns``,
    and what was asked: ``dimension``, ``ids`` (``team_ids`` before 0.3.0),
    ``aggregate_unit``, from the result or its ``invocation``). A header that
    cannot be mapped raises one line. Every export must be of one dimension.
    """
    keyed, dimensions = [], set()
    for export in exports or []:
        if export.get("skipped") or not export.get("columns"):
            continue
        dimension = _asked(export, "dimension") or "team"
        dimensions.add(dimension)
        if len(dimensions) > 1:
            raise ResponseFormatError("the exports are of more than one dimension (%s): read each dimension's "
                                      "exports apart" % ", ".join(sorted(dimensions)))
        ids = _asked(export, "ids") if dimension != "team" else _asked(export, "team_ids")
        if dimension != "team" and ids is None:
            ids = _asked(export, dimension + "_ids")
        # A server may write the columns in the order asked rather than its own: both are tried.
        # (A column the server adds, such as hours with split_hours, comes after the ones asked.)
        wanted = layout.vendor_order(fields or REPORT_FIELDS, dimension)
        asked = _distinct(_asked(export, "export_fields") or [])
        mapping = layout.map_columns(export["columns"], export.get("rows") or [], wanted, team_ids=ids,
                                     orders=[asked + [f for f in wanted if f not in asked]] if asked else None,
                                     bucket=bool(_asked(export, "aggregate_unit")), time_zone=time_zone)
        keyed.extend(layout.keyed_rows(export.get("rows") or [], mapping, time_zone))
    return keyed


def summarize(exports, fields=None, time_zone=None):
    """Per-team totals and incidents per period (Unix seconds), from exports.

    MTTA and MTTR are means weighted by the acknowledged and closed counts of
    each row; the acknowledgement percentage is acknowledged / incidents.
    With the ``hours`` field, interruptions are also split by hour bucket.
    """
    teams, periods = {}, set()
    totals = dict(incidents=0, acknowledged=0, closed=0, interruptions=0, ack_seconds=0.0, close_seconds=0.0)
    for row in export_rows(exports, fields, time_zone):
        team = teams.setdefault(row["team_id"], {
            "team_id": row["team_id"], "team_name": row.get("team_name"), "incidents": 0, "acknowledged": 0,
            "closed": 0, "interruptions": 0, "_ack_seconds": 0.0, "_close_seconds": 0.0, "per_period": {}})
        incidents = _number(row.get("total_incident_cnt"))
        acknowledged = _number(row.get("total_incidents_acknowledged"))
        closed = _number(row.get("total_incidents_closed"))
        team["incidents"] += incidents
        team["acknowledged"] += acknowledged
        team["closed"] += closed
        team["interruptions"] += _number(row.get("total_interruptions"))
        team["_ack_seconds"] += _number(row.get("mean_seconds_to_ack")) * acknowledged
        team["_close_seconds"] += _number(row.get("mean_seconds_to_close")) * closed
        for key, value in (("incidents", incidents), ("acknowledged", acknowledged), ("closed", closed),
                           ("interruptions", _number(row.get("total_interruptions"))),
                           ("ack_seconds", _number(row.get("mean_seconds_to_ack")) * acknowledged),
                           ("close_seconds", _number(row.get("mean_seconds_to_close")) * closed)):
            totals[key] += value
        if "hours" in row:
            split = team.setdefault("interruptions_by_hours", dict((h, 0) for h in layout.HOUR_BUCKETS))
            split[row["hours"]] += _number(row.get("total_interruptions"))
        period = row.get(layout.BUCKET)
        if period is not None:
            periods.add(period)
            team["per_period"][period] = team["per_period"].get(period, 0) + incidents
    periods = sorted(periods)
    result = []
    for team in sorted(teams.values(), key=lambda t: ("%s" % t["team_name"]).lower()):
        ack_s, close_s = team.pop("_ack_seconds"), team.pop("_close_seconds")
        team["mtta_seconds"] = round(ack_s / team["acknowledged"], 1) if team["acknowledged"] else None
        team["mttr_seconds"] = round(close_s / team["closed"], 1) if team["closed"] else None
        team["acknowledgement_pct"] = round(100.0 * team["acknowledged"] / team["incidents"], 1) \
            if team["incidents"] else None
        team["incidents_per_period"] = [team["per_period"].get(p, 0) for p in periods]
        del team["per_period"]
        result.append(team)
    ack_s, close_s = totals.pop("ack_seconds"), totals.pop("close_seconds")
    totals["mtta_seconds"] = round(ack_s / totals["acknowledged"], 1) if totals["acknowledged"] else None
    totals["mttr_seconds"] = round(close_s / totals["closed"], 1) if totals["closed"] else None
    totals["acknowledgement_pct"] = round(100.0 * totals["acknowledged"] / totals["incidents"], 1) \
        if totals["incidents"] else None
    return {"teams": result, "periods": periods, "totals": totals}


# Hour buckets of split_hours, and the smallest length of each bucket unit
# (so that the count of buckets a window can touch is never under-estimated).
_HOURS_FACTOR = 3
_UNIT_MIN_SECONDS = {"day": 86400, "week": 7 * 86400, "month": 28 * 86400}


def export_batch_size(start, end, aggregate_unit=None, split_hours=False, max_teams=INSIGHT_TEAM_EXPORT.id_batch,
                      row_cap=INSIGHT_TEAM_EXPORT.row_cap):
    """Teams per export request so that no export (or window) reaches the row cap.

    A window of split_range spans at most 31 days for ``day`` and a year
    otherwise; it touches at most one bucket more than it spans whole.
    """
    per_team = 1
    if aggregate_unit:
        window = min(max(end - start, 0), EXPORT_MAX_DAY_RANGE if aggregate_unit == "day" else EXPORT_MAX_RANGE)
        per_team = -(-window // _UNIT_MIN_SECONDS[aggregate_unit]) + 1
    if split_hours:
        per_team *= _HOURS_FACTOR
    return max(1, min(max_teams, (row_cap - 1) // per_team))
