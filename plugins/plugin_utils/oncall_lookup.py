# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Who is on call, for the ``flashcat.flashduty.oncall`` lookup (controller side).

The schedules come from ``POST /schedule/list`` with a window around the
asked time, through the modules' own client, pacing, paging and name
look-ups (:mod:`common`, :mod:`schedule`, :mod:`names`). Who is on call is
read from each schedule's ``final_schedule``: the shifts the server computed
across layers and overrides, not the rotation's configuration.

What was fetched for a query (the schedules' computed shifts in the window,
the names of their people and teams) is kept for a short while in a file,
so that a template rendered once per loop item does not ask again; the
people on call are picked from it for each call's own time.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib
import hashlib
import json
import os
import time
from datetime import datetime

from ansible_collections.flashcat.flashduty.plugins.module_utils.common import connection_argument_spec
from ansible_collections.flashcat.flashduty.plugins.module_utils.errors import ValidationError
from ansible_collections.flashcat.flashduty.plugins.module_utils.statefile import HAS_FCNTL, locked, write_private
from ansible_collections.flashcat.flashduty.plugins.module_utils.names import (
    add_team_names,
    distinct,
    name_oncall,
)
from ansible_collections.flashcat.flashduty.plugins.module_utils.pacing_file import default_pacing_dir
from ansible_collections.flashcat.flashduty.plugins.module_utils.schedule import (
    group_person_ids,
    list_schedules,
    schedule_id,
)
from ansible_collections.flashcat.flashduty.plugins.module_utils.timeparse import DAY, get_zone, parse_time

# The window asked for: the server computes ``final_schedule`` only for
# windows under 45 days. Shifts are cut at its edges, so a shift that began
# more than BEFORE ago starts at the window's start.
BEFORE = 14 * DAY
AFTER = 30 * DAY
SHIFTS = ("current", "next")
CACHE_VERSION = 1
# Requests in flight at once for the schedules named as terms (each still paced).
CONCURRENCY = 4


def connection_env():
    """``{option: [environment variables]}`` of the connection options, as the modules read them."""
    env = {}
    for name, spec in connection_argument_spec().items():
        fallback = spec.get("fallback")
        if fallback:
            env[name] = list(fallback[1])
    return env


def with_environment(kwargs, environ=None):
    """``kwargs`` with the connection options the modules take from the
    environment (``FLASHDUTY_APP_KEY``, ...) filled in where not given."""
    environ = os.environ if environ is None else environ
    kwargs = dict(kwargs)
    for name, variables in connection_env().items():
        if kwargs.get(name) is None:
            for variable in variables:
                if environ.get(variable):
                    kwargs[name] = environ[variable]
                    break
    return kwargs


def split_terms(terms):
    """``[("id", int) or ("name", str), ...]`` in order, without repeats: a whole number (or its
    digits) is a schedule id, any other text a name."""
    out = []
    for term in terms:
        if isinstance(term, int) and not isinstance(term, bool):
            out.append(("id", term))
        elif isinstance(term, str) and term.strip().isdigit():
            out.append(("id", int(term.strip())))
        elif isinstance(term, str) and term.strip():
            out.append(("name", term))
        else:
            raise ValidationError("terms", "each term is a schedule name or id, got %r" % (term,))
    return distinct(out)


class Query:
    """What one lookup asks: the schedules (by terms or teams) and when."""

    def __init__(self, terms, team_ids=None, team_names=None, at="now", shift="current", time_zone=None, now=None):
        self.now = time.time() if now is None else now
        self.terms = split_terms(terms or [])
        self.ids = [value for kind, value in self.terms if kind == "id"]
        self.names = [value for kind, value in self.terms if kind == "name"]
        self.team_ids = list(team_ids or [])
        self.team_names = list(team_names or [])
        if not (self.ids or self.names or self.team_ids or self.team_names):
            raise ValidationError("terms", "give schedule names or ids, or team_names or team_ids for every "
                                  "schedule of those teams")
        if shift not in SHIFTS:
            raise ValidationError("shift", "must be one of %s, got %r" % (", ".join(SHIFTS), shift))
        self.shift = shift
        self.at = parse_time("now" if at is None else at, self.now, "at")
        self.zone = get_zone(time_zone)

    def key(self, app_key, base_url):
        """The cache key: a hash of the app key, the server and what is asked (never ``at``)."""
        text = json.dumps([app_key, base_url, self.terms, self.team_ids, self.team_names])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _closest(name, existing):
    close = [n for n in existing if n.lower() == name.lower()]
    close += [n for n in difflib.get_close_matches(name, existing, n=3, cutoff=0.4) if n not in close]
    return close[:3]


def _shifts(item):
    """The computed shifts of a schedule item, sorted, as kept in the cache."""
    shifts = []
    for entry in (item.get("final_schedule") or {}).get("schedules") or []:
        if not isinstance(entry, dict) or not isinstance(entry.get("start"), int) or \
                not isinstance(entry.get("end"), int):
            continue
        group = entry.get("group") or {}
        members = [{"role_id": (m or {}).get("role_id"), "person_ids": list((m or {}).get("person_ids") or [])}
                   for m in group.get("members") or []]
        shifts.append({"start": entry["start"], "end": entry["end"],
                       "group_name": group.get("group_name") or group.get("name"), "members": members})
    shifts.sort(key=lambda s: (s["start"], s["end"]))
    return shifts


def fetch(client, query, clock=time.time):
    """Read the schedules ``query`` selects with the window around its time: the data the cache keeps.

    Names and ids that match no schedule fail before the names of people
    are looked up, naming the closest schedule names.
    """
    window = {"start": query.at - BEFORE, "end": query.at + AFTER}
    scope = {}
    if query.team_ids:
        scope["team_ids"] = list(query.team_ids)
    add_team_names(client, scope, query.team_names)
    items = []
    if not query.ids and not query.names:
        items = list_schedules(client, dict(scope, **window))["schedules"]
    wanted = list(query.names)
    if query.ids:
        # /schedule/list filters by name, not id: the ids' names come from the list without a window.
        every = list_schedules(client, dict(scope))["schedules"]
        by_id = dict((schedule_id(item), item) for item in every)
        for sid in query.ids:
            if sid not in by_id:
                raise ValidationError("terms", "no schedule has the id %s%s" % (sid, " in the teams given"
                                                                                if scope else ""))
        wanted += [by_id[sid].get("schedule_name", by_id[sid].get("name")) for sid in query.ids]
    found = {}
    for name in distinct(wanted):
        found[name] = list_schedules(client, dict(scope, query=name, **window), name=name)["schedules"]
    for name in query.names:
        if not found[name]:
            existing = [i.get("schedule_name", i.get("name")) for i in list_schedules(client, dict(scope))["schedules"]]
            close = _closest(name, [n for n in existing if isinstance(n, str)])
            hint = "closest: %s" % ", ".join(repr(n) for n in close) if close else "no schedule has a similar name"
            raise ValidationError("terms", "no schedule is named %r%s (names match exactly, case included); %s"
                                  % (name, " in the teams given" if scope else "", hint))
    for kind, value in query.terms:
        if kind == "name":
            items += found[value]
        else:
            items += [i for name in found for i in found[name] if schedule_id(i) == value]
    seen, schedules = set(), []
    for item in items:
        sid = schedule_id(item)
        if sid in seen:
            continue
        seen.add(sid)
        schedules.append({"schedule_id": sid, "schedule_name": item.get("schedule_name", item.get("name")),
                          "team_id": item.get("team_id", item.get("group_id")), "shifts": _shifts(item)})
    entries = [{"team_id": s["team_id"]} for s in schedules]
    person_ids = [pid for s in schedules for shift in s["shifts"] for pid in group_person_ids(shift)]
    persons, problem = name_oncall(client, entries, CONCURRENCY, person_ids)
    for schedule, entry in zip(schedules, entries):
        schedule["team_name"] = entry.get("team_name")
    return {"version": CACHE_VERSION, "at": query.at, "fetched": clock(), "window": [window["start"], window["end"]],
            "schedules": schedules, "problem": problem,
            "persons": dict(("%s" % p["person_id"], {"person_name": p["person_name"], "email": p["email"]})
                            for p in persons)}


def _merged(shifts):
    """Back-to-back shifts of the same group and people as one (the server may cut one at a layer's edge)."""
    out = []
    for shift in shifts:
        last = out[-1] if out else None
        if last and last["end"] == shift["start"] and last["group_name"] == shift["group_name"] and \
                last["members"] == shift["members"]:
            out[-1] = dict(last, end=shift["end"])
        else:
            out.append(shift)
    return out


def _pick(shifts, at, which):
    current = next((s for s in shifts if s["start"] <= at < s["end"]), None)
    if which == "current":
        return current
    after = current["end"] if current else at
    return next((s for s in shifts if s["start"] >= after and group_person_ids(s)), None)


def iso(ts, zone):
    return datetime.fromtimestamp(ts, zone).isoformat()


def oncall(data, query):
    """``(entries, gaps)``: one entry per person and schedule on call at the query's time
    (or in the next shift), and the schedules with nobody then (for one warning each)."""
    entries, gaps = [], []
    for schedule in data["schedules"]:
        shift = _pick(_merged(schedule["shifts"]), query.at, query.shift)
        people = group_person_ids(shift) if shift else []
        if not people:
            gaps.append(schedule)
            continue
        for pid in people:
            person = data["persons"].get("%s" % pid) or {}
            entries.append({
                "person_id": pid, "person_name": person.get("person_name"), "email": person.get("email"),
                "schedule_id": schedule["schedule_id"], "schedule_name": schedule["schedule_name"],
                "team_id": schedule["team_id"], "team_name": schedule.get("team_name"),
                "group_name": shift["group_name"],
                "role_ids": distinct(m["role_id"] for m in shift["members"] if pid in m["person_ids"]),
                "start": shift["start"], "end": shift["end"],
                "start_iso": iso(shift["start"], query.zone), "end_iso": iso(shift["end"], query.zone),
            })
    return entries, gaps


def gap_warning(schedule, query):
    when = iso(query.at, query.zone)
    if query.shift == "current":
        what = "nobody is on call at %s" % when
    else:
        what = "no next shift with people on call within %d days of %s" % (AFTER // DAY, when)
    return "flashcat.flashduty.oncall: schedule %r (id %s): %s" % (schedule["schedule_name"],
                                                                   schedule["schedule_id"], what)


class Cache:
    """The fetched data of a query, kept ``ttl`` seconds in a file under ``directory``.

    The file is named by :meth:`Query.key` (a hash; the key itself is never
    written) and holds the schedules' shifts and the names of their people,
    readable by the owner only. A file lock makes forks that ask the same at
    the same time wait for the first one's answer instead of asking too.
    ``ttl`` 0 turns the cache off.
    """

    def __init__(self, directory, ttl, warn, clock=time.time):
        self.directory = os.path.join(directory or default_pacing_dir(), "oncall")
        self.ttl = ttl
        self.warn = warn
        self.clock = clock

    def get(self, key, query, fetch_data):
        if not self.ttl or self.ttl <= 0 or not HAS_FCNTL:
            return fetch_data()
        path = os.path.join(self.directory, key + ".json")
        asked = []

        def fetch_once():
            asked.append(True)
            return fetch_data()
        try:
            os.makedirs(self.directory, 0o700, exist_ok=True)
            with locked(path[:-len(".json")] + ".lock"):
                data = self._read(path)
                if data is not None and self.clock() - data["fetched"] <= self.ttl and \
                        abs(query.at - data["at"]) <= self.ttl:
                    return data
                data = fetch_once()
                self._write(path, data)
                return data
        except OSError as exc:
            if asked:
                raise  # the API's own failure, not the cache's
            self.warn("the on-call cache in %s cannot be used (%s); asking the API every time"
                      % (self.directory, exc.strerror or exc))
            return fetch_data()

    @staticmethod
    def _read(path):
        try:
            with open(path, "r") as handle:
                data = json.load(handle)
        except (IOError, OSError, ValueError):
            return None  # none yet, or unreadable: asked anew and written over
        if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
            return None
        return data

    def _write(self, path, data):
        try:
            write_private(path, json.dumps(data))
        except OSError as exc:
            self.warn("the on-call cache file %s cannot be written (%s)" % (path, exc.strerror or exc))


def lookup(task, query, cache_ttl, warn, clock=time.time):
    """The lookup's whole run: the entries; ``warn`` gets one line per schedule with nobody on call."""
    params = task.params

    def fetch_data():
        return fetch(task.client(CONCURRENCY), query, clock)
    cache = Cache(params.get("pacing_dir"), cache_ttl, task.warn, clock)
    data = cache.get(query.key(params["app_key"], params["base_url"]), query, fetch_data)
    if data.get("problem"):
        task.warn(data["problem"])
    entries, gaps = oncall(data, query)
    for schedule in gaps:
        warn(task.redact(gap_warning(schedule, query)))
    return entries
