# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which column of an insight export holds which field, checked, never assumed.

The export's header holds display names in the caller's language, and the
vendor documents neither the order of the columns (the order asked for and
the vendor's own key order are equally likely) nor the place and form of the
time-bucket column. So:

* callers ask for their fields in the vendor's key order (:func:`vendor_order`),
  which makes both documented behaviours give one layout;
* a header that names the keys themselves is mapped by name;
* otherwise the bucket column may stand anywhere, and each place is tried:
  a layout is accepted only when every column holds what its field must hold
  (team ids among those asked for, counts as whole numbers, parts of the
  incidents no more than the incidents, percentages within 0..100, hour
  buckets among work/off/sleep, bucket values as dates or Unix seconds).
  Exactly one layout must pass; otherwise the export is refused with one line
  that says what came back.

The known display names of the columns are not used: they are not part of
the vendor's documents, so a check on them could only be a guess.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from datetime import datetime

from ansible_collections.flashcat.flashduty.plugins.module_utils.errors import ResponseFormatError
from ansible_collections.flashcat.flashduty.plugins.module_utils.schemas import EXPORT_FIELDS_BY_DIMENSION
from ansible_collections.flashcat.flashduty.plugins.module_utils.timeparse import get_zone

BUCKET = "period"
HOUR_BUCKETS = ("work", "off", "sleep")
# Counts that are parts of the incidents of the same row.
INCIDENT_PARTS = (
    "total_incidents_acknowledged", "total_incidents_closed", "total_incidents_auto_closed",
    "total_incidents_manually_closed", "total_incidents_timeout_closed", "total_incidents_escalated",
    "total_incidents_manually_escalated", "total_incidents_timeout_escalated", "total_incidents_reassigned",
)
_DATE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$")
# Unix seconds between 2001 and 2286: a bucket start, not a count or an id.
_UNIX_MIN, _UNIX_MAX = 10 ** 9, 10 ** 10


# The id columns of the dimensions (team, responder, channel): ids among those asked for.
ID_FIELDS = ("team_id", "responder_id", "channel_id")
NAME_FIELDS = ("team_name", "responder_name", "channel_name")


def vendor_order(fields, dimension="team"):
    """``fields`` without repeats, in the vendor's key order of the ``dimension``'s export."""
    known = EXPORT_FIELDS_BY_DIMENSION.get(dimension)
    if known is None:
        raise ResponseFormatError("unknown insight dimension %r" % (dimension,))
    unknown = [f for f in fields if f not in known]
    if unknown:
        raise ResponseFormatError("unknown export field(s) of the %s export: %s" % (dimension, ", ".join(unknown)))
    return sorted(set(fields), key=known.index)


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def bucket_start(value, zone):
    """A bucket value (Unix seconds, or a date text in ``zone``) as Unix seconds, or None."""
    if _is_int(value) or (isinstance(value, str) and value.strip().isdigit()):
        seconds = int(value)
        return seconds if _UNIX_MIN <= seconds < _UNIX_MAX else None
    if not isinstance(value, str):
        return None
    match = _DATE.match(value.strip())
    if not match:
        return None
    year, month, day, hour, minute, second = (int(g) if g else None for g in match.groups())
    try:
        when = datetime(year, month, day or 1, hour or 0, minute or 0, second or 0, tzinfo=zone)
    except ValueError:
        return None
    return int(when.timestamp())


def _problem(field, values, team_ids, zone):
    """Why ``values`` cannot be the column of ``field``, or None."""
    present = [v for v in values if v is not None and v != ""]
    if field == BUCKET:
        bad = [v for v in values if bucket_start(v, zone) is None]
        return "%r is not a date or Unix seconds" % (bad[0],) if bad else None
    if field in ID_FIELDS:
        bad = [v for v in values if not _is_int(v) or (team_ids and v not in team_ids)]
        return "%r is not one of the %s ids asked for" % (bad[0], field[:-3]) if bad else None
    if field in NAME_FIELDS:
        return None
    if field == "hours":
        bad = [v for v in values if "%s" % v not in HOUR_BUCKETS]
        return "%r is not an hour bucket (%s)" % (bad[0], "/".join(HOUR_BUCKETS)) if bad else None
    if field.endswith("_pct"):
        bad = [v for v in present if not _is_number(v) or not 0 <= v <= 100]
        return "%r is not a percentage" % (bad[0],) if bad else None
    if field.startswith("mean_") or field == "total_engaged_seconds":
        bad = [v for v in present if not _is_number(v) or v < 0]
        return "%r is not a number of seconds" % (bad[0],) if bad else None
    bad = [v for v in present if not _is_int(v) or v < 0]
    return "%r is not a count" % (bad[0],) if bad else None


def _layout_problem(layout, columns, rows, team_ids, zone, seen):
    """Why the layout (field per column) does not fit the rows, or None.

    ``seen`` keeps the verdict on each (column, field) pair: the layouts
    differ only in where the bucket sits, so most pairs recur in every one.
    """
    for column, field in zip(columns, layout):
        if (column, field) not in seen:
            seen[column, field] = _problem(field, [row.get(column) for row in rows], team_ids, zone)
        problem = seen[column, field]
        if problem:
            return "column %r as %s: %s" % (column, field, problem)
    named = dict(zip(layout, columns))
    if "total_incident_cnt" in named:
        for part in INCIDENT_PARTS:
            if part not in named:
                continue
            for row in rows:
                whole, value = row.get(named["total_incident_cnt"]), row.get(named[part])
                if _is_int(whole) and _is_int(value) and value > whole:
                    return "column %r as %s: %d is more than the %d incidents" % (named[part], part, value, whole)
    return None


def _layouts(fields, bucket):
    if not bucket:
        return [list(fields)]
    return [list(fields[:i]) + [BUCKET] + list(fields[i:]) for i in range(len(fields) + 1)]


def map_columns(columns, rows, fields, team_ids=None, bucket=False, time_zone=None, orders=None):
    """``{field: column}`` (with ``"period"`` for the bucket) for an export's header.

    ``fields`` are the export_fields asked for, in the vendor's order;
    ``bucket`` says an aggregate_unit was set; ``team_ids`` are the ids of
    the export's dimension asked for (team, responder or channel ids);
    ``orders``: other orders of ``fields`` the server may have written (the
    order they were asked in), each tried as well. Raises ResponseFormatError,
    one line, when no single layout fits the rows.
    """
    zone = get_zone(time_zone)
    team_ids = set(team_ids or [])
    fields = list(fields)
    wanted = fields + ([BUCKET] if bucket else [])
    by_key = dict((("%s" % c).strip().lower(), c) for c in columns)
    if all(f in by_key for f in fields) and len(columns) == len(wanted):
        # The header names the keys themselves.
        mapping = dict((f, by_key[f]) for f in fields)
        rest = [c for c in columns if c not in mapping.values()]
        if bucket:
            mapping[BUCKET] = rest[0]
        return mapping
    if len(columns) != len(wanted):
        raise ResponseFormatError(
            "cannot map the export's columns: it has %d (%s) but %d were asked for (%s%s)"
            % (len(columns), ", ".join(columns), len(wanted), ", ".join(fields), " and a time bucket" if bucket else ""))
    fits, problems, seen = [], [], {}
    candidates = []
    for order in [fields] + [list(o) for o in orders or [] if sorted(o) == sorted(fields)]:
        candidates += [layout for layout in _layouts(order, bucket) if layout not in candidates]
    for layout in candidates:
        problem = _layout_problem(layout, columns, rows, team_ids, zone, seen)
        if problem is None:
            fits.append(layout)
        else:
            problems.append(problem)
    if len(fits) == 1 or (fits and not rows):
        return dict((field, column) for field, column in zip(fits[0], columns))
    if not fits:
        raise ResponseFormatError(
            "cannot map the export's columns (%s) to the fields asked for (%s%s): %s; first row: %s"
            % (", ".join(columns), ", ".join(fields), " and a time bucket" if bucket else "", problems[0],
               _row_text(columns, rows[0])))
    raise ResponseFormatError(
        "the export's columns (%s) fit more than one layout of the fields asked for (%s and a time bucket); "
        "first row: %s" % (", ".join(columns), ", ".join(fields), _row_text(columns, rows[0])))


def _row_text(columns, row):
    text = ", ".join("%s" % ("" if row.get(c) is None else row.get(c)) for c in columns)
    return text if len(text) <= 200 else text[:197] + "..."


def keyed_rows(rows, mapping, time_zone=None):
    """The rows keyed by field; the bucket (``period``) as Unix seconds."""
    zone = get_zone(time_zone)
    starts = {}  # a bucket's text recurs in every team's row: parsed once
    out = []
    for row in rows:
        keyed = dict((field, row.get(column)) for field, column in mapping.items())
        if BUCKET in keyed:
            value = keyed[BUCKET]
            key = (type(value), value)
            if key not in starts:
                starts[key] = bucket_start(value, zone)
            keyed[BUCKET] = starts[key]
        out.append(keyed)
    return out
