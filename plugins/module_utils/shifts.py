# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Shift arithmetic: the computed shifts of /schedule/list as time on call.

A shift here is ``{"start", "end", "group_name", "person_ids"}`` (Unix
seconds, end exclusive) taken from an item's ``final_schedule`` (every layer
and override collapsed). From them, per schedule and per person:

- wall-clock seconds with overlaps merged (a person on call in two schedules
  at once is on call once), so a person's hours never exceed the window;
- the seconds of those that fall in the sleep hours (23:00 to 08:00) and on
  weekends (Saturday and Sunday), in a time zone;
- the gaps of a schedule (nobody on call: no shift, or a shift whose group has
  no person), shifts that touch (one ends where the next starts) leave none;
- the overlaps across schedules (one person on call in two or more at once);
- balance: the mean over every pair of people of min(hours) / max(hours).

Used by flashduty_schedule_health and, on the controller, by the insight
report (one copy of the arithmetic).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from datetime import date, datetime, timedelta
from functools import lru_cache

from ansible_collections.flashcat.flashduty.plugins.module_utils.schedule import group_person_ids

HOUR = 3600
# Sleep hours as Flashduty's insights count them: every day 23:00 to 08:00.
SLEEP_HOURS = (23, 8)
WEEKEND_DAYS = (5, 6)  # Saturday, Sunday (date.weekday())


def shifts_of(item, start=None, end=None):
    """The computed shifts of one schedule item, clipped to [start, end), by start, pieces back to back
    with the same group joined (see :func:`join_shifts`).

    A shift without a valid start and end (or with end <= start after
    clipping) is left out; ``person_ids`` is a tuple (empty for a group with
    nobody in it).
    """
    out = []
    for entry in (item.get("final_schedule") or {}).get("schedules") or []:
        if not isinstance(entry, dict):
            continue
        begin, finish = entry.get("start"), entry.get("end")
        if not isinstance(begin, (int, float)) or not isinstance(finish, (int, float)):
            continue
        begin, finish = int(begin), int(finish)
        if start is not None:
            begin = max(begin, start)
        if end is not None:
            finish = min(finish, end)
        if finish <= begin:
            continue
        group = entry.get("group") or {}
        out.append({"start": begin, "end": finish, "group_name": group.get("group_name"),
                    "person_ids": tuple(group_person_ids(group))})
    return join_shifts(out)


def join_shifts(shifts, edges=()):
    """One schedule's shifts from several windows as one list, by start.

    The same shift seen in two windows (the API may clip it at the window or
    not) is kept once, and pieces back to back with the same group on call
    are one shift: where the server cuts a stretch (a window's edge, one of
    ``edges``, or inside a window where a layer or an override begins) is not
    documented, so a shift is a continuous stretch of the same people, and
    its count does not depend on the cuts.
    """
    del edges  # every seam is treated alike; kept for the callers that name the windows' edges
    out = []
    for shift in sorted(shifts, key=lambda s: (s["start"], s["end"])):
        last = out[-1] if out else None
        same = last is not None and last["person_ids"] == shift["person_ids"] and \
            last["group_name"] == shift["group_name"]
        if same and shift["start"] <= last["end"]:
            last["end"] = max(last["end"], shift["end"])
            continue
        out.append(dict(shift))
    return out


def merge(intervals):
    """``[(start, end), ...]`` merged: sorted, no overlaps, touching intervals joined."""
    out = []
    for begin, finish in sorted((int(a), int(b)) for a, b in intervals if b > a):
        if out and begin <= out[-1][1]:
            if finish > out[-1][1]:
                out[-1] = (out[-1][0], finish)
        else:
            out.append((begin, finish))
    return out


def seconds(intervals):
    """The wall-clock seconds of intervals, overlaps counted once."""
    return sum(b - a for a, b in merge(intervals))


def _at(day, hour, zone):
    """Unix seconds of ``hour``:00 on the local ``day`` in ``zone``."""
    return int(datetime(day.year, day.month, day.day, hour, tzinfo=zone).timestamp())


def _ordinal(ts, zone):
    """The local day holding ``ts``, as a proleptic ordinal."""
    return datetime.fromtimestamp(ts, zone).date().toordinal()


@lru_cache(maxsize=65536)
def _day_windows(ordinal, zone, kind, first, last):
    """The windows that local day ``ordinal`` opens: for ``sleep`` from ``first``:00 (to ``last``:00, the
    next day when it is across midnight), for ``weekend`` the whole day when it is one of ``first``."""
    day = date.fromordinal(ordinal)
    if kind == "weekend":
        return ((_at(day, 0, zone), _at(day + timedelta(days=1), 0, zone)),) if day.weekday() in first else ()
    if first > last:  # across midnight
        return ((_at(day, first, zone), _at(day + timedelta(days=1), last, zone)),)
    return ((_at(day, first, zone), _at(day, last, zone)),)


def seconds_within(intervals, zone, kind, first, last=None):
    """The seconds of ``intervals`` (merged first) inside the local windows of ``kind`` (see _day_windows).

    The windows of one kind never overlap, so each interval's share is the sum of its intersections; each
    day's windows are worked out once per process.
    """
    total = 0
    for begin, finish in merge(intervals):
        for ordinal in range(_ordinal(begin, zone) - 1, _ordinal(finish, zone) + 1):
            for a, b in _day_windows(ordinal, zone, kind, first, last):
                if b > begin and a < finish:
                    total += min(finish, b) - max(begin, a)
    return total


def sleep_seconds(intervals, zone, hours=SLEEP_HOURS):
    """The seconds of ``intervals`` in the sleep hours (local ``hours``, from and to) of ``zone``."""
    return seconds_within(intervals, zone, "sleep", hours[0], hours[1])


def weekend_seconds(intervals, zone, days=WEEKEND_DAYS):
    """The seconds of ``intervals`` on Saturdays and Sundays (``days``) in ``zone``."""
    return seconds_within(intervals, zone, "weekend", tuple(days))


def covered(shifts):
    """The merged intervals in which someone is on call (shifts whose group has nobody do not count)."""
    return merge((s["start"], s["end"]) for s in shifts if s["person_ids"])


def gaps(shifts, start, end, min_gap=0):
    """The times in [start, end) when nobody is on call, each at least ``min_gap`` seconds long.

    Each gap is ``{"start", "end", "seconds", "before", "after"}``; ``before``
    holds the person ids on call just before it (ids of the shifts that end
    where it starts), ``after`` those just after; empty at the window's edges.
    """
    manned = [s for s in shifts if s["person_ids"]]
    out = []
    cursor = start
    for begin, finish in covered(manned) + [(end, end)]:
        begin, finish = max(begin, start), min(finish, end)
        if begin - cursor > 0 and begin - cursor >= min_gap:
            out.append({"start": cursor, "end": begin, "seconds": begin - cursor,
                        "before": _ids(s for s in manned if s["end"] == cursor and cursor > start),
                        "after": _ids(s for s in manned if s["start"] == begin and begin < end)})
        cursor = max(cursor, finish)
    return out


def _ids(shifts):
    out = []
    for shift in shifts:
        for pid in shift["person_ids"]:
            if pid not in out:
                out.append(pid)
    return out


def coverage_pct(shifts, start, end):
    """The share of [start, end) with someone on call, in percent (one decimal)."""
    if end <= start:
        return 0.0
    inside = seconds((max(a, start), min(b, end)) for a, b in covered(shifts))
    return round(100.0 * inside / (end - start), 1)


def by_person(shifts_by_schedule):
    """``{person_id: {schedule_id: [(start, end), ...]}}`` from ``{schedule_id: shifts}``."""
    people = {}
    for sid, shifts in shifts_by_schedule.items():
        for shift in shifts:
            for pid in shift["person_ids"]:
                people.setdefault(pid, {}).setdefault(sid, []).append((shift["start"], shift["end"]))
    return people


def person_load(shifts_by_schedule, zone, sleep_hours=SLEEP_HOURS, detail=True):
    """Per person: on-call ``seconds`` (wall clock, overlaps merged), ``schedule_seconds`` (each
    schedule's own, added up: more than ``seconds`` when schedules overlap), ``sleep_seconds``,
    ``weekend_seconds`` (None without ``detail``) and ``shifts``; a dict by person id."""
    load = {}
    for pid, schedules in by_person(shifts_by_schedule).items():
        every = [iv for intervals in schedules.values() for iv in intervals]
        wall = merge(every)
        load[pid] = {
            "person_id": pid, "seconds": seconds(wall),
            "schedule_seconds": sum(seconds(intervals) for intervals in schedules.values()),
            "sleep_seconds": sleep_seconds(wall, zone, sleep_hours) if detail else None,
            "weekend_seconds": weekend_seconds(wall, zone) if detail else None,
            "shifts": len(every),
        }
    return load


def overlaps(shifts_by_schedule):
    """People on call in two or more schedules at once.

    One entry ``{"person_id", "schedule_ids", "start", "end", "seconds"}`` per
    stretch of time in which the person is in two or more schedules without a
    break; ``schedule_ids`` are every schedule that overlaps within it (a
    person in many schedules gets a few entries, not one per change of the
    set). In person order of first appearance, then by time.
    """
    out = []
    for pid, schedules in by_person(shifts_by_schedule).items():
        events = {}
        for sid, intervals in schedules.items():
            for begin, finish in merge(intervals):
                events.setdefault(begin, []).append((sid, 1))
                events.setdefault(finish, []).append((sid, -1))
        active = {}
        current = None
        points = sorted(events)
        for index, point in enumerate(points):
            for sid, step in events[point]:
                active[sid] = active.get(sid, 0) + step
                if not active[sid]:
                    del active[sid]
            nxt = points[index + 1] if index + 1 < len(points) else None
            if len(active) > 1 and nxt is not None:
                if current is None:
                    current = {"person_id": pid, "schedule_ids": set(), "start": point, "end": nxt}
                current["end"] = nxt
                current["schedule_ids"].update(active)
            elif current is not None:
                out.append(current)
                current = None
        if current is not None:
            out.append(current)
    for entry in out:
        entry["schedule_ids"] = sorted(entry["schedule_ids"], key=lambda s: "%s" % s)
        entry["seconds"] = entry["end"] - entry["start"]
    return out


def balance(hours):
    """The mean over every pair of people of min(hours) / max(hours); 1.0 is even.

    ``hours`` is a list of numbers (one per person). Two people with no hours
    are an even pair (1.0). None for fewer than two people (no pair). Sorted,
    so each person is compared with all lighter ones at once: n log n.
    """
    values = sorted(float(h) for h in hours)
    if len(values) < 2:
        return None
    total, lighter = 0.0, 0.0
    for index, value in enumerate(values):
        if value > 0:
            total += lighter / value
        else:
            total += index  # every lighter one has no hours either: even pairs
        lighter += value
    pairs = len(values) * (len(values) - 1) / 2.0
    return round(total / pairs, 3)


def above_mean(hours_by_person, share):
    """The people whose hours exceed the mean by more than ``share`` (0.25 = 25 %), most first."""
    if not hours_by_person:
        return []
    mean = sum(hours_by_person.values()) / float(len(hours_by_person))
    over = [(pid, h) for pid, h in hours_by_person.items() if h > mean * (1.0 + share)]
    return [pid for pid, dummy in sorted(over, key=lambda x: (-x[1], "%s" % x[0]))]


def windows(start, end, span):
    """[start, end) cut into consecutive windows of at most ``span`` seconds."""
    out = []
    cursor = start
    while cursor < end:
        out.append([cursor, min(cursor + span, end)])
        cursor = out[-1][1]
    return out


def hours(secs, digits=2):
    """Seconds as hours, rounded to ``digits``."""
    return round(secs / float(HOUR), digits)
