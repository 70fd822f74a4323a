# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Time values as users write them, and time ranges cut at bucket boundaries.

Accepted forms for a point in time: Unix seconds (number or digits), an ISO
8601 date or date-time (naive means UTC), ``now``, an offset from now such as
``-2h``, ``+7d``, ``-1w`` or ``-1d12h`` (units s, m, h, d, w), or ``today``
(the last midnight in the given zone, UTC by default) with an optional offset
such as ``today-7d``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import re
from datetime import date, datetime, timedelta, timezone

try:
    from zoneinfo import ZoneInfo
    HAS_ZONEINFO = True
except ImportError:  # pragma: no cover - Python < 3.9
    ZoneInfo = None
    HAS_ZONEINFO = False

from ansible_collections.flashcat.flashduty.plugins.module_utils.errors import ValidationError

UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_RELATIVE = re.compile(r"^(now|today)?([+-])((?:\d+(?:\.\d+)?[smhdw])+)$")
_RELATIVE_PART = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")
_DIGITS = re.compile(r"^\d+(?:\.\d+)?$")

DAY = 86400
FORMS = "Unix seconds, an ISO 8601 date-time, 'now', 'today', or an offset such as '-2h', '+7d', 'today-7d'"


def parse_time(value, now, name, zone=None):
    """Unix seconds (int) for ``value``; ``now`` is the current Unix time.

    ``zone`` (a tzinfo, UTC when None) only decides where ``today`` starts.

    Raises :class:`ValidationError` naming ``name`` for anything else.
    """
    if isinstance(value, bool) or value is None:
        raise ValidationError(name, "expected a time (%s), got %r" % (FORMS, value))
    if isinstance(value, (int, float)):
        if math.isnan(value) or math.isinf(value):
            raise ValidationError(name, "expected a finite number of seconds, got %r" % (value,))
        return int(value)
    if isinstance(value, (datetime, date)):
        # YAML reads an unquoted 2026-05-01 as a date: the same as the text.
        value = value.isoformat()
    if not isinstance(value, str):
        raise ValidationError(name, "expected a time (%s), got a %s" % (FORMS, type(value).__name__))
    text = value.strip()
    if _DIGITS.match(text):
        return int(float(text))
    compact = text.replace(" ", "").lower()
    if compact in ("now", "today"):
        compact += "+0s"
    match = _RELATIVE.match(compact)
    if match:
        base = now
        if match.group(1) == "today":
            base = bucket_floor(now, "day", zone or timezone.utc)
        seconds = sum(float(num) * UNIT_SECONDS[unit] for num, unit in _RELATIVE_PART.findall(match.group(3)))
        return int(base + seconds if match.group(2) == "+" else base - seconds)
    return _parse_iso(text, name)


def is_relative(value):
    """Does ``value`` name a time from when the task runs (``now``, ``today``, ``+2h``, ``today-7d``)?"""
    if not isinstance(value, str):
        return False
    compact = value.replace(" ", "").lower()
    return compact in ("now", "today") or bool(_RELATIVE.match(compact))


_DURATION = re.compile(r"^((?:\d+(?:\.\d+)?[smhdw])+)$")
DURATION_FORMS = "seconds, or a length such as '90m', '2h', '1d12h' (units s, m, h, d, w)"


def parse_duration(value, name, minimum=0):
    """Whole seconds of a length of time, at least ``minimum``: a number of seconds or units such as ``90m``,
    ``1h30m``, ``2d``. Raises :class:`ValidationError` naming ``name`` for anything else."""
    seconds = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value if not (math.isnan(value) or math.isinf(value)) else None
    elif isinstance(value, str):
        text = value.replace(" ", "").lower()
        if _DIGITS.match(text):
            seconds = float(text)
        elif _DURATION.match(text):
            seconds = sum(float(num) * UNIT_SECONDS[unit] for num, unit in _RELATIVE_PART.findall(text))
    if seconds is None or seconds < 0:
        raise ValidationError(name, "expected a length of time (%s), got %r" % (DURATION_FORMS, value))
    if int(seconds) < minimum:
        unit = "second" if minimum == 1 else "seconds"
        raise ValidationError(name, "must be at least %d %s, got %r" % (minimum, unit, value))
    return int(seconds)


def describe_time(seconds, written=None):
    """``seconds`` as a user reads it: the date-time in UTC and the Unix
    seconds, after what the user wrote when that was something else
    (``'-7d' (2026-11-26T12:00:00Z, 1795674386)``)."""
    try:
        stamp = datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        stamp = None
    plain = "%d (%s)" % (seconds, stamp) if stamp else "%d" % seconds
    if written is None or isinstance(written, bool) or (isinstance(written, (int, float)) and written == seconds):
        return plain
    if isinstance(written, (datetime, date)):
        written = written.isoformat()
    text = "%s" % (written,)
    if text.strip() == str(seconds):
        return plain
    return "%r (%s)" % (text, "%s, %d" % (stamp, seconds) if stamp else seconds)


def _parse_iso(text, name):
    iso = text
    if iso.endswith(("Z", "z")):
        iso = iso[:-1] + "+00:00"
    try:
        when = datetime.fromisoformat(iso)
    except ValueError:
        raise ValidationError(name, "cannot read %r as a time; use %s" % (text, FORMS))
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return int(when.timestamp())


def get_zone(name, param="time_zone"):
    """A tzinfo for an IANA zone name (UTC when name is empty)."""
    if not name:
        return timezone.utc
    if not HAS_ZONEINFO:
        raise ValidationError(param, "time zones need Python 3.9 or later (zoneinfo)")
    if not isinstance(name, str) or name.startswith(("/", ".")) or ".." in name:
        raise ValidationError(param, "%r is not an IANA time zone name" % (name,))
    try:
        return ZoneInfo(name)
    except Exception:  # ZoneInfoNotFoundError, ValueError, IsADirectoryError...
        raise ValidationError(param, "%r is not a known IANA time zone name (for example Asia/Shanghai or UTC)"
                              % (name,))


def bucket_floor(ts, unit, zone):
    """The start of the day, ISO week (Monday) or month holding ``ts``, in ``zone``."""
    local = datetime.fromtimestamp(ts, zone)
    if unit == "month":
        start = datetime(local.year, local.month, 1, tzinfo=zone)
    else:
        start = datetime(local.year, local.month, local.day, tzinfo=zone)
        if unit == "week":
            start -= timedelta(days=local.weekday())
            start = datetime(start.year, start.month, start.day, tzinfo=zone)
    return int(start.timestamp())


def split_range(start, end, unit, zone, max_span, min_span=DAY):
    """Cut [start, end) into consecutive windows of at most ``max_span``.

    Every cut falls on a bucket boundary of ``unit`` in ``zone``, so no
    bucket is split between two requests, and every window is at least
    ``min_span`` long (the API's minimum for aggregated exports).
    """
    windows = []
    cursor = start
    while end - cursor > max_span:
        cut = bucket_floor(min(cursor + max_span, end - min_span), unit, zone)
        if cut - cursor < min_span:
            raise ValidationError("split_range", "cannot cut the range at %s boundaries into windows of "
                                  "at most %d days" % (unit, max_span // DAY))
        windows.append([cursor, cut])
        cursor = cut
    windows.append([cursor, end])
    return windows
