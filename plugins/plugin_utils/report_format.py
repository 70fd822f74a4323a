# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Values as the insight report writes them: a time in any of the modules'
forms as Unix seconds, Unix seconds as local time, dict rows as CSV text."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import io
import time
import unicodedata
from datetime import datetime, timezone

from ansible_collections.flashcat.flashduty.plugins.module_utils.timeparse import get_zone, parse_time


def to_unix(value, time_zone=None, name="time", now=None, zone_name="time_zone"):
    """A time in any of the modules' forms as Unix seconds; messages name the
    value ``name`` and the zone ``zone_name`` (a role's own variable names)."""
    return parse_time(value, time.time() if now is None else now, name, get_zone(time_zone, zone_name))


def zone_or_utc(time_zone):
    """The zone named ``time_zone``; UTC when none is named."""
    return get_zone(time_zone) if time_zone else timezone.utc


def local(ts, zone):
    """Unix seconds as 'YYYY-MM-DD HH:MM' in ``zone`` (a tzinfo); empty for none."""
    return datetime.fromtimestamp(ts, zone).strftime("%Y-%m-%d %H:%M") if ts else ""


def local_time(ts, time_zone=None):
    """Unix seconds as 'YYYY-MM-DD HH:MM' in the zone; empty for none.

    Seconds may come as text: without Jinja2 native types (ansible-core
    before 2.19) a templated number is a string.
    """
    if ts is None or ts == "":
        return ""
    return local(to_unix(ts, time_zone, "local_time"), zone_or_utc(time_zone))


def to_csv(rows, columns):
    """CSV text (CRLF, quoted where needed) of dict rows in column order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    return out.getvalue()


def display_width(text):
    """Columns ``text`` takes in a terminal: wide and full-width characters
    (CJK) two, combining marks none, others one."""
    width = 0
    for char in "%s" % (text,):
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def pad(text, width, align="left"):
    """``text`` padded with spaces to ``width`` terminal columns (wide characters
    count two), as ``str.ljust`` (``align`` right: ``rjust``) does by characters;
    a wider text is left whole."""
    text = "" if text is None else "%s" % (text,)
    fill = " " * max(0, int(width) - display_width(text))
    return fill + text if align == "right" else text + fill
