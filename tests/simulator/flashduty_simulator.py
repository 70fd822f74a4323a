# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A local Flashduty API simulator for the demo and the tests.

It serves POST /schedule/list and POST /insight/team/export as the vendor's
pages describe them: the app_key check, body validation (400
InvalidParameter), paging with ``total`` and the ``p*limit <= 10000`` rule,
computed on-call data for a window, the export as a CSV stream (BOM, CRLF,
attachment, localized headers), per-account rate limits counted in sliding
windows (429 RequestTooFrequently) and ``Flashcat-Request-Id`` headers, over a
deterministic data set. Tests switch on faults and read what was requested
through ``/__sim/...`` admin endpoints, which need no key.

Run ``python flashduty_simulator.py serve`` to serve on a loopback port, or
``python flashduty_simulator.py run -- COMMAND...`` to run a command with
FLASHDUTY_BASE_URL and FLASHDUTY_APP_KEY pointing at a fresh simulator.
"""

from __future__ import absolute_import, division, print_function

import argparse
import collections
import csv
import hashlib
import io
import json
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:
    from zoneinfo import ZoneInfo
except ImportError:  # pragma: no cover
    ZoneInfo = None


def _endpoints():
    """The collection's table of endpoints (plugins/module_utils/endpoints.py).

    Imported as the tests and ``make demo`` import the collection (through
    ``.build/collections`` on the path); when that is not set up (the
    simulator started by hand from a bare checkout), the file is loaded on
    its own: it imports nothing from the collection.
    """
    try:
        from ansible_collections.flashcat.flashduty.plugins.module_utils import endpoints
        return endpoints
    except ImportError:
        import importlib.util
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        spec = importlib.util.spec_from_file_location(
            "flashduty_endpoints", os.path.join(root, "plugins", "module_utils", "endpoints.py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module


DEFAULT_APP_KEY = "sim-app-key-0123456789abcdef"
# The per-account limits the vendor documents, as the collection's table has them.
DOCUMENTED_LIMITS = dict((endpoint.path, [list(limit) for limit in endpoint.limits])
                         for endpoint in _endpoints().ENDPOINTS.values())
# The companion endpoints of the vendor's reference, served by method name.
JSON_ENDPOINTS = {"/person/infos": "person_infos", "/team/infos": "team_infos", "/team/list": "team_list"}
# Person names that need care in HTML, CSV and YAML: non-ASCII, quotes, <, an apostrophe.
PERSON_NAMES = [
    "Li Na", u"王芳", "Seán O'Brien", 'Anna "Nan" Berg', "<b>Kim</b> & Co", u"Zoë Ångström", "Raj Patel",
    u"佐藤 健", "Maria García", "Tom, Jr.",
]
# Persons the API no longer knows (deleted): /person/infos leaves them out.
DELETED_PERSONS = (7, 33)
TEAM_NAMES = [
    "SRE", "Payments, EU", "运维团队", 'Data "Lake"', "Platform", "Mobile", "Search",
    "Équipe Données", "Networking", "Storage", "Identity", "Observability",
]
OWNER_ID = 2476123212131
OWNER_TEAMS = 3  # the key's owner belongs to the first three teams
DAY = 86400
HEADERS = {
    "en": {
        "period": "Period", "hours": "Hours", "team_id": "Team ID", "team_name": "Team Name",
        "total_incident_cnt": "Total Incidents", "total_incidents_acknowledged": "Acknowledged Incidents",
        "total_incidents_closed": "Closed Incidents", "total_incidents_auto_closed": "Auto-closed Incidents",
        "total_incidents_manually_closed": "Manually Closed Incidents",
        "total_incidents_timeout_closed": "Timeout-closed Incidents",
        "total_incidents_escalated": "Escalated Incidents",
        "total_incidents_manually_escalated": "Manually Escalated Incidents",
        "total_incidents_timeout_escalated": "Timeout-escalated Incidents",
        "total_incidents_reassigned": "Reassigned Incidents", "total_interruptions": "Interruptions",
        "total_notifications": "Notifications", "total_engaged_seconds": "Engaged Time (s)",
        "mean_seconds_to_ack": "MTTA (s)", "mean_seconds_to_close": "MTTR (s)",
        "noise_reduction_pct": "Noise Reduction (%)", "acknowledgement_pct": "Acknowledgement (%)",
        "total_alert_cnt": "Alerts", "total_alert_event_cnt": "Alert Events",
    },
    "zh": {
        "period": "时间", "hours": "时段", "team_id": "团队ID", "team_name": "团队名称",
        "total_incident_cnt": "故障总数", "total_incidents_acknowledged": "已认领故障数",
        "total_incidents_closed": "已关闭故障数", "total_incidents_auto_closed": "自动关闭故障数",
        "total_incidents_manually_closed": "手动关闭故障数", "total_incidents_timeout_closed": "超时关闭故障数",
        "total_incidents_escalated": "升级故障数", "total_incidents_manually_escalated": "手动升级故障数",
        "total_incidents_timeout_escalated": "超时升级故障数", "total_incidents_reassigned": "转派故障数",
        "total_interruptions": "打扰次数", "total_notifications": "通知次数",
        "total_engaged_seconds": "处理时长(秒)", "mean_seconds_to_ack": "平均认领时长(秒)",
        "mean_seconds_to_close": "平均关闭时长(秒)", "noise_reduction_pct": "降噪比(%)",
        "acknowledgement_pct": "认领率(%)", "total_alert_cnt": "告警数", "total_alert_event_cnt": "告警事件数",
    },
}
METRICS = [k for k in HEADERS["en"] if k not in ("period", "hours", "team_id", "team_name")]
# The export_fields keys in the vendor's own order.
ALL_FIELDS = ["team_id", "team_name"] + METRICS + ["hours"]
# Documented behaviour, and the readings of what the documents leave open:
# total_cap: list totals are exact below it and equal to it from there up
#   (the vendor's pagination page; 0 for always exact).
# export_row_cap: an export holds at most this many rows, cut silently.
# column_order: "vendor" (the key order above, whatever was asked), "asked"
#   (the order of export_fields), "reversed" (a layout no client can map).
# bucket_position: "first" or "last"; bucket_format: "date" (YYYY-MM-DD,
#   YYYY-MM for months) or "unix" (the bucket's start, Unix seconds).
# latency, jitter: seconds added to every API answer (jitter: up to that much more);
#   the limits count a request half way through, when it reaches the server.
# handshake: seconds more for the first request on each new connection (the TCP
#   and TLS handshakes of a real HTTPS connection, about two round trips): it
#   reaches the server, and is answered, that much later.
# clip_shifts: the computed shifts (final_schedule) are cut at the window's edges (true) or returned whole
#   when they overlap it (false); the documents do not say.
# health_scenarios: schedules that need care when looking for gaps, by index % 10 (HEALTH_KINDS).
BEHAVIOUR = {
    "total_cap": 1000, "export_row_cap": 10000, "column_order": "vendor", "bucket_position": "first",
    "bucket_format": "date", "latency": 0.0, "jitter": 0.0, "handshake": 0.0, "clip_shifts": True,
    "health_scenarios": False,
}
# With health_scenarios, the schedules whose index % 10 is:
#   3: a time-restricted layer, on call Monday to Friday 08:00-20:00 UTC only (nightly and weekend gaps);
#   5: an override, every day 12:00-18:00 UTC the key's owner takes over (the rotation's shift is split);
#   7: the rotation's second group has nobody in it (those shifts are gaps);
#   9: no layers at all (always so): no shift.
HEALTH_KINDS = {3: "restricted", 5: "override", 7: "empty_group", 9: "no_shift"}
OVERRIDE_GROUP = {"group_name": "Override", "members": [{"role_id": 0, "person_ids": [OWNER_ID]}]}
EMPTY_GROUP = {"group_name": "Group B (empty)", "members": [{"role_id": 0, "person_ids": []}]}


def _num(*parts):
    """A deterministic 32-bit number from the parts."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big")


class DataSet:
    """Teams, persons and schedules, each derived from its index alone."""

    def __init__(self, schedules=300, teams=12):
        self.count = schedules
        self.teams = [{"team_id": 4295771902131 + i, "team_name": TEAM_NAMES[i % len(TEAM_NAMES)]
                       if i < len(TEAM_NAMES) else "Team %d" % i} for i in range(teams)]
        self.persons = [2476123212131 + 1000 * i for i in range(40)]
        self.added = 0  # schedules created while the simulator runs (newest first)
        self.health = False  # BEHAVIOUR's health_scenarios
        self.clip = True  # BEHAVIOUR's clip_shifts
        self._cache = {}
        self._encoded = {}

    def item_json(self, sched, window=None, now=None):
        """``item`` as JSON text. Without a window an item never changes, so
        its text is kept: 50 pages of 100 built in one process would otherwise
        queue for 0.2 s of CPU, which a real service spends side by side."""
        if window:
            return json.dumps(self.item(sched, window, now), ensure_ascii=False)
        text = self._encoded.get(sched["index"])
        if text is None:
            text = self._encoded[sched["index"]] = json.dumps(self.item(sched), ensure_ascii=False)
        return text

    def person_index(self, person_id):
        offset = person_id - self.persons[0]
        if offset % 1000 or not 0 <= offset // 1000 < len(self.persons):
            return None
        return offset // 1000

    @staticmethod
    def person_name(index):
        name = PERSON_NAMES[index % len(PERSON_NAMES)]
        return name if index < len(PERSON_NAMES) else "%s %d" % (name, index // len(PERSON_NAMES) + 1)

    def team_persons(self, team_id):
        index = team_id - self.teams[0]["team_id"]
        return [self.persons[(index * 3 + k) % len(self.persons)] for k in range(3)]

    def schedule(self, index):
        """The schedule with this index (0 is the oldest)."""
        if index not in self._cache:
            self._cache[index] = self._make(index)
        return self._cache[index]

    def _make(self, index):
        sid = 5432326025106 + 7919 * index
        team = self.teams[index % len(self.teams)]
        n = _num("schedule", index)
        shift = [DAY, 7 * DAY, 12 * 3600][n % 3]
        groups = []
        if index % 10 != 9:  # every tenth schedule has no layers
            for g in range(2 + n % 3):
                members = [self.persons[(index * 3 + g * 5 + m) % len(self.persons)] for m in range(1 + (n >> 4) % 2)]
                groups.append({"group_name": "Group %s" % chr(65 + g),
                               "members": [{"role_id": 0, "person_ids": members},
                                           {"role_id": 1, "person_ids": members[:1]}]})
        slug = team["team_name"].split(",")[0].split('"')[0].strip().lower().replace(" ", "-")
        return {
            "index": index, "id": sid, "name": "%s-oncall-%05d" % (slug, index),
            "team_id": team["team_id"], "disabled": 1 if index % 17 == 16 else 0,
            "anchor": 1767571200 + (n % 24) * 3600,  # 2026-01-05 (a Monday) plus some hours
            "shift": shift, "groups": groups,
            "create_by": OWNER_ID if index % 4 == 0 else OWNER_ID + 1,
            "create_at": 1759132037 + index * 60,
        }

    def all_indexes(self):
        """Newest first, as the API lists them."""
        return range(self.count + self.added - 1, -1, -1)

    @staticmethod
    def shift_at(sched, ts):
        """``(start, end, group)`` of the shift covering ``ts``."""
        k = (ts - sched["anchor"]) // sched["shift"]
        start = sched["anchor"] + k * sched["shift"]
        return start, start + sched["shift"], sched["groups"][k % len(sched["groups"])]

    def kind(self, sched):
        """The schedule's health scenario (HEALTH_KINDS), or None."""
        return HEALTH_KINDS.get(sched["index"] % 10) if self.health else None

    def segments(self, sched, start, end):
        """``[(start, end, group)]``: the final schedule (layers and overrides collapsed) that meets
        [start, end), each piece whole (not cut at start and end)."""
        kind = self.kind(sched)
        out = []
        t = start
        while t < end:
            s, e, group = self.shift_at(sched, t)
            if kind == "empty_group" and group is sched["groups"][1 % len(sched["groups"])]:
                group = EMPTY_GROUP
            out.append((s, e, group))
            t = e
        if kind not in ("restricted", "override"):
            return out
        pieces = []
        for s, e, group in out:
            day = s - s % DAY
            while day < e:
                if kind == "restricted":
                    if datetime.fromtimestamp(day, timezone.utc).weekday() < 5:
                        a, b = max(s, day + 8 * 3600), min(e, day + 20 * 3600)
                        if a < b:
                            pieces.append((a, b, group))
                else:
                    a, b = max(s, day), min(e, day + DAY)
                    over_a, over_b = max(a, day + 12 * 3600), min(b, day + 18 * 3600)
                    if over_a < over_b:
                        if a < over_a:
                            pieces.append((a, over_a, group))
                        pieces.append((over_a, over_b, OVERRIDE_GROUP))
                        if over_b < b:
                            pieces.append((over_b, b, group))
                    elif a < b:
                        pieces.append((a, b, group))
                day += DAY
        # Pieces of one group that touch across midnight are one shift.
        joined = []
        for piece in pieces:
            if joined and joined[-1][1] == piece[0] and joined[-1][2] is piece[2]:
                joined[-1] = (joined[-1][0], piece[1], piece[2])
            else:
                joined.append(piece)
        return [p for p in joined if p[1] > start and p[0] < end]

    def item(self, sched, window=None, now=None):
        def oncall(start, end, group):
            return {"start": start, "end": end, "group": group, "weight": 1, "index": 0,
                    "update_at": sched["create_at"]}
        item = {
            "id": sched["id"], "name": sched["name"], "account_id": 2451002751131, "group_id": sched["team_id"],
            "disabled": sched["disabled"], "create_at": sched["create_at"], "create_by": sched["create_by"],
            "update_at": sched["create_at"] + 3600, "update_by": sched["create_by"],
            "layers": None, "schedule_layers": None,
            "final_schedule": {"layer_name": "", "name": "", "mode": 0, "schedules": None},
            "notify": {"advance_in_time": 300, "fixed_time": None,
                       "by": {"follow_preference": sched["index"] % 2 == 0,
                              "personal_channels": ["email"] if sched["index"] % 2 else None},
                       "webhooks": None},
            "schedule_id": sched["id"], "schedule_name": sched["name"], "team_id": sched["team_id"],
            "description": "Rotation every %d h" % (sched["shift"] // 3600), "layer_schedules": None,
            "status": sched["disabled"], "cur_oncall": None, "next_oncall": None,
        }
        if sched["groups"]:
            item["layers"] = [{"layer_name": "Layer 1", "mode": 0, "groups": sched["groups"],
                               "layer_start": sched["anchor"], "rotation_value": sched["shift"] // 3600,
                               "rotation_unit": "hour"}]
        if window and sched["groups"]:
            start, end = window
            shifts = [oncall(max(s, start), min(e, end), group) if self.clip else oncall(s, e, group)
                      for s, e, group in self.segments(sched, start, end)]
            item["final_schedule"]["schedules"] = shifts
            item["schedule_layers"] = [{"layer_name": "Layer 1", "schedules": shifts}]
            if self.kind(sched) is None:
                cs, ce, cg = self.shift_at(sched, now)
                ns, ne, ng = self.shift_at(sched, ce)
                item["cur_oncall"] = oncall(cs, ce, cg)
                item["next_oncall"] = oncall(ns, ne, ng)
            else:
                around = [p for p in self.segments(sched, now - 8 * DAY, now + 16 * DAY) if p[2]["members"][0]
                          ["person_ids"]]
                current = [p for p in around if p[0] <= now < p[1]]
                later = [p for p in around if p[0] > now]
                item["cur_oncall"] = oncall(*current[0]) if current else None
                item["next_oncall"] = oncall(*later[0]) if later else None
        return item


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # A real service accepts a client's 50 connections at once; the default
    # backlog of 5 would drop SYNs and add 1 s retransmits under load.
    request_queue_size = 128

    def handle_error(self, request, client_address):
        # A client that timed out or hung up is part of the tests, not news.
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super(_Server, self).handle_error(request, client_address)


class ApiError(Exception):
    def __init__(self, status, code, message):
        super(ApiError, self).__init__(message)
        self.status, self.code, self.message = status, code, message


def _invalid(message):
    return ApiError(400, "InvalidParameter", message)


def _check_types(body, spec):
    for key, value in body.items():
        kind = spec.get(key)
        if kind is None:
            continue
        ok = {
            "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "str": lambda v: isinstance(v, str),
            "bool": lambda v: isinstance(v, bool),
            "dict": lambda v: isinstance(v, dict),
            "ints": lambda v: isinstance(v, list) and all(isinstance(i, int) and not isinstance(i, bool) for i in v),
            "strs": lambda v: isinstance(v, list) and all(isinstance(i, str) for i in v),
        }[kind](value)
        if not ok:
            raise _invalid("%s has the wrong type" % key)


class Simulator:
    """The server; ``start()`` runs it in a thread, ``url`` is its address."""

    def __init__(self, host="127.0.0.1", port=0, app_keys=(DEFAULT_APP_KEY,), schedules=300, teams=12,
                 limits="documented", now=None, tls=None):
        self.data = DataSet(schedules, teams)
        self.app_keys = set(app_keys)
        self.limits = self._limits(limits)
        self.fixed_now = now
        # Where the vendor's documents leave a behaviour open, a switch for
        # each reading (``/__sim/config`` sets them; see BEHAVIOUR).
        self.behaviour = dict(BEHAVIOUR)
        self._match_cache = {}
        self.lock = threading.Lock()
        self.faults = []
        self.log = []
        self.hits = collections.defaultdict(collections.deque)
        self.counter = 0
        handler = type("Handler", (_Handler,), {"sim": self})
        self.httpd = _Server((host, port), handler)
        self.tls = tls
        if tls:
            import ssl
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(tls[0], tls[1])
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.thread = None

    @staticmethod
    def _limits(limits):
        if limits == "documented":
            return {k: [list(x) for x in v] for k, v in DOCUMENTED_LIMITS.items()}
        if limits in (None, "off", {}):
            return {}
        return {k: [list(x) for x in v] for k, v in limits.items()}

    @property
    def url(self):
        host, port = self.httpd.server_address[:2]
        return "%s://%s:%d" % ("https" if self.tls else "http", host, port)

    def start(self):
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05})
        self.thread.daemon = True
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def now(self):
        return int(self.fixed_now if self.fixed_now is not None else time.time())

    # -------------------------------------------------------------- state
    def reset(self):
        with self.lock:
            self.faults, self.log = [], []
            self.behaviour = dict(BEHAVIOUR)
            self.data.health, self.data.clip = False, True
            self.hits.clear()
            self.data.added = 0

    def take_fault(self, path, late=False):
        """The next fault for ``path``: of kind ``late`` (taken as the request
        arrives, before it is counted) or (``late`` false) any other."""
        with self.lock:
            for fault in self.faults:
                if (fault.get("kind") == "late") != late:
                    continue
                if fault.get("path") in (None, path) and fault.get("skip", 0) > 0:
                    fault["skip"] -= 1  # this many matching requests go by first
                    continue
                if fault.get("path") in (None, path) and fault.get("times", 1) > 0:
                    fault["times"] = fault.get("times", 1) - 1
                    return dict(fault)
        return None

    def rate_limited(self, key, path, now):
        """Sliding windows of accepted requests per (account, endpoint).

        ``now`` is when the request arrived (wall time), not when a handler
        thread of this one process got round to it: on a busy machine that
        can be a few tenths later, which a real service does not add.
        """
        limits = self.limits.get(path)
        if not limits:
            return False
        with self.lock:
            hits = self.hits[(key, path)]
            longest = max(window for dummy, window in limits)
            while hits and hits[0] <= now - longest:
                hits.popleft()
            for count, window in limits:
                if sum(1 for h in hits if h > now - window) >= count:
                    return True
            hits.append(now)
        return False

    def record(self, entry):
        with self.lock:
            self.counter += 1
            entry["n"] = self.counter
            self.log.append(entry)
            entry["request_id"] = "sim-%08d-%s" % (self.counter, hashlib.sha1(str(entry["t"]).encode()).hexdigest()[:10])
            return entry["request_id"]

    # ---------------------------------------------------------- endpoints
    def schedule_list(self, body, lang):
        _check_types(body, {"query": "str", "p": "int", "limit": "int", "is_my_team": "bool",
                            "is_my_manage": "bool", "team_ids": "ints", "start": "int", "end": "int"})
        p, limit = body.get("p", 1), body.get("limit", 10)
        if p < 1:
            raise _invalid("p must be at least 1")
        if limit < 1 or limit > 100:
            raise _invalid("limit must be between 1 and 100")
        if p * limit > 10000:
            raise _invalid("p * limit must not exceed 10000")
        if body.get("is_my_team") and body.get("is_my_manage"):
            raise _invalid("is_my_team and is_my_manage cannot both be true")
        window = None
        if ("start" in body) != ("end" in body):
            raise _invalid("start and end must be given together")
        if "start" in body:
            if body["end"] <= body["start"]:
                raise _invalid("end must be after start")
            if body["end"] - body["start"] >= 45 * DAY:
                raise _invalid("the window must span less than 45 days")
            window = (body["start"], body["end"])
        matched = self._matching(body)
        page = matched[(p - 1) * limit:p * limit]
        now = self.now()
        cap = self.behaviour["total_cap"]
        total = min(len(matched), cap) if cap else len(matched)
        return {"items": [self.data.item_json(s, window, now) for s in page], "total": total}

    def _matching(self, body):
        """The schedules a filter matches, newest first. Kept per filter and data set, so that
        paging through 10,000 schedules costs the simulator (on the same cores as the client
        under test) one scan, not one a page."""
        key = (body.get("query") or "", tuple(sorted(body.get("team_ids") or [])), bool(body.get("is_my_team")),
               bool(body.get("is_my_manage")), id(self.data), self.data.count, self.data.added)
        with self.lock:
            cached = self._match_cache.get(key)
        if cached is not None:
            return cached
        query = key[0].lower()
        teams = set(key[1])
        mine = set(t["team_id"] for t in self.data.teams[:OWNER_TEAMS])
        matched = []
        for index in self.data.all_indexes():
            sched = self.data.schedule(index)
            if query and query not in sched["name"].lower():
                continue
            if teams and sched["team_id"] not in teams:
                continue
            if body.get("is_my_team") and sched["team_id"] not in mine:
                continue
            if body.get("is_my_manage") and sched["create_by"] != OWNER_ID:
                continue
            matched.append(sched)
        with self.lock:
            if len(self._match_cache) > 32:
                self._match_cache.clear()
            self._match_cache[key] = matched
        return matched

    def person_infos(self, body):
        _check_types(body, {"person_ids": "ints"})
        ids = body.get("person_ids")
        if not ids:
            raise _invalid("person_ids is required")
        items = []
        for pid in ids:
            index = self.data.person_index(pid)
            if index is None or index in DELETED_PERSONS:
                continue
            items.append({"person_id": pid, "person_name": self.data.person_name(index),
                          "email": "person%02d@example.com" % index, "phone": "", "avatar": "", "locale": "en-US",
                          "time_zone": "Asia/Shanghai", "as": "", "status": "enabled", "phone_verified": False,
                          "email_verified": True})
        return {"items": items}

    def team_infos(self, body):
        _check_types(body, {"team_ids": "ints"})
        ids = body.get("team_ids")
        if not ids:
            raise _invalid("team_ids is required")
        if len(ids) > 100:
            raise _invalid("team_ids allows at most 100 entries")
        teams = dict((t["team_id"], t) for t in self.data.teams)
        return {"items": [{"team_id": t, "team_name": teams[t]["team_name"], "person_ids": self.data.team_persons(t)}
                          for t in ids if t in teams]}

    def team_list(self, body):
        _check_types(body, {"p": "int", "limit": "int", "orderby": "str", "asc": "bool", "person_id": "int",
                            "query": "str"})
        p, limit = body.get("p", 1), body.get("limit", 20)
        if p < 1 or not 1 <= limit <= 100:
            raise _invalid("p must be at least 1 and limit between 1 and 100")
        if p * limit > 10000:
            raise _invalid("p * limit must not exceed 10000")
        query = (body.get("query") or "").lower()
        teams = [t for t in self.data.teams if query in t["team_name"].lower()]
        if body.get("orderby") == "team_name":
            teams.sort(key=lambda t: t["team_name"], reverse=not body.get("asc"))
        page = teams[(p - 1) * limit:p * limit]
        cap = self.behaviour["total_cap"]
        return {"p": p, "limit": limit, "total": min(len(teams), cap) if cap else len(teams),
                "has_next_page": p * limit < len(teams),
                "items": [{"team_id": t["team_id"], "team_name": t["team_name"], "description": "", "status": "enabled",
                           "person_ids": self.data.team_persons(t["team_id"]), "ref_id": ""} for t in page]}

    def insight_export(self, body, lang):
        _check_types(body, {"start_time": "int", "end_time": "int", "team_ids": "ints", "channel_ids": "ints",
                            "responder_ids": "ints", "severities": "strs", "incident_ids": "strs", "query": "str",
                            "labels": "dict", "fields": "dict", "orderby": "str", "asc": "bool",
                            "is_my_team": "bool", "time_zone": "str", "seconds_to_close_from": "int",
                            "seconds_to_close_to": "int", "seconds_to_ack_from": "int", "seconds_to_ack_to": "int",
                            "export_fields": "strs", "description_html_to_text": "bool", "split_hours": "bool",
                            "aggregate_unit": "str", "include_ever_muted": "bool"})
        start, end = body.get("start_time"), body.get("end_time")
        if start is None or end is None:
            raise _invalid("start_time and end_time are required")
        if start <= 0:
            raise _invalid("start_time must be greater than 0")
        if end <= start:
            raise _invalid("end_time must be greater than start_time")
        if end - start > 365 * DAY:
            raise _invalid("the time range may not exceed one year")
        for key in ("team_ids", "channel_ids", "responder_ids", "incident_ids"):
            if len(body.get(key) or []) > 100:
                raise _invalid("%s allows at most 100 entries" % key)
        sev = body.get("severities") or []
        if len(sev) > 3 or any(s not in ("Critical", "Warning", "Info", "Ok") for s in sev):
            raise _invalid("severities allows at most 3 of Critical, Warning, Info, Ok")
        if any(not re.match(r"^[0-9a-fA-F]{24}$", i) for i in body.get("incident_ids") or []):
            raise _invalid("incident_ids must be 24 hexadecimal digits")
        fields = body.get("export_fields") or []
        if len(fields) > 50 or any(f not in ALL_FIELDS for f in fields):
            raise _invalid("export_fields has an unknown key or more than 50 entries")
        for metric in ("seconds_to_close", "seconds_to_ack"):
            low, high = body.get(metric + "_from"), body.get(metric + "_to")
            if low is not None and high is not None and high <= low:
                raise _invalid("%s_to must be greater than %s_from" % (metric, metric))
        unit = body.get("aggregate_unit")
        if unit not in (None, "day", "week", "month"):
            raise _invalid("aggregate_unit must be day, week or month")
        if unit and end - start < DAY:
            raise _invalid("aggregate_unit needs a range of at least 24 hours")
        if unit == "day" and end - start > 31 * DAY:
            raise _invalid("aggregate_unit day allows at most 31 days")
        zone = timezone.utc
        if body.get("time_zone"):
            try:
                zone = ZoneInfo(body["time_zone"])
            except Exception:
                raise _invalid("time_zone is not a valid IANA name")
        return self._csv(body, start, end, unit, zone, lang)

    def _buckets(self, start, end, unit, zone):
        if not unit:
            return [(None, start)]
        local = datetime.fromtimestamp(start, zone)
        if unit == "month":
            cur = datetime(local.year, local.month, 1, tzinfo=zone)
        else:
            cur = datetime(local.year, local.month, local.day, tzinfo=zone)
            if unit == "week":
                back = cur - timedelta(days=local.weekday())
                cur = datetime(back.year, back.month, back.day, tzinfo=zone)
        out = []
        while cur.timestamp() < end:
            label = cur.strftime("%Y-%m") if unit == "month" else cur.strftime("%Y-%m-%d")
            if self.behaviour["bucket_format"] == "unix":
                label = str(int(cur.timestamp()))
            out.append((label, int(cur.timestamp())))
            if unit == "month":
                cur = datetime(cur.year + cur.month // 12, cur.month % 12 + 1, 1, tzinfo=zone)
            else:
                nxt = cur + timedelta(days=7 if unit == "week" else 1)
                cur = datetime(nxt.year, nxt.month, nxt.day, tzinfo=zone)
        return out

    def export_columns(self, body):
        """The CSV's columns (keys, and "period" for the bucket) as this server orders them."""
        fields = []
        for field in body.get("export_fields") or [f for f in ALL_FIELDS if f != "hours"]:
            if field not in fields:
                fields.append(field)
        if body.get("split_hours") and "hours" not in fields:
            fields.append("hours")
        order = self.behaviour["column_order"]
        if order == "vendor":
            fields.sort(key=ALL_FIELDS.index)
        elif order == "reversed":
            fields.reverse()
        if not body.get("aggregate_unit"):
            return fields
        return ["period"] + fields if self.behaviour["bucket_position"] == "first" else fields + ["period"]

    def export_rows(self, body, start, end, unit, zone):
        """Every row of an export as ``{column key: text}``, before the row cap."""
        teams = self.data.teams
        if body.get("team_ids"):
            teams = [t for t in teams if t["team_id"] in body["team_ids"]]
        if body.get("is_my_team"):
            teams = teams[:OWNER_TEAMS]
        columns = self.export_columns(body)
        rows = []
        for label, bucket in self._buckets(start, end, unit, zone):
            for team in teams:
                for hours in (["work", "sleep", "off"] if body.get("split_hours") else [None]):
                    rows.append(dict((c, self._value(c, team, bucket, hours, label)) for c in columns))
        return rows

    def _csv(self, body, start, end, unit, zone, lang):
        names = HEADERS["zh" if lang.lower().startswith("zh") else "en"]
        columns = self.export_columns(body)
        rows = self.export_rows(body, start, end, unit, zone)
        cap = self.behaviour["export_row_cap"]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([names[c] for c in columns])
        for row in rows[:cap] if cap else rows:
            writer.writerow([row[c] for c in columns])
        return "\ufeff" + out.getvalue()

    @staticmethod
    def _value(column, team, bucket, hours, label):
        if column == "period":
            return label
        if column == "hours":
            return hours or ""
        if column in ("team_id", "team_name"):
            return team[column]
        n = _num(team["team_id"], bucket, hours, column)
        incidents = _num(team["team_id"], bucket, hours, "total_incident_cnt") % 40
        if column.startswith("total_incidents_"):
            # A part of the incidents: acknowledged, closed, ... never more.
            return str(incidents - n % (incidents // 3 + 1))
        if column.endswith("_pct"):
            return "%.2f" % ((n % 10000) / 100.0)
        if column.startswith("mean_"):
            return "%.1f" % (30 + n % 3600)
        return str(incidents if column == "total_incident_cnt" else n % 40)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    _connected = False  # set by the first API request on this connection
    _answer_at = 0.0  # when the answer being built may leave (latency, handshake)
    sim = None

    def log_message(self, *args):
        pass

    def _send(self, status, body, content_type="application/json", headers=None, length=None, close=False):
        raw = body.encode("utf-8") if isinstance(body, str) else body
        self._hold()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(raw) if length is None else length))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if close:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(raw)
        self.wfile.flush()
        if close:
            self.close_connection = True

    def _hold(self):
        """Wait until the answer may leave (see ``_answer_at``)."""
        wait, self._answer_at = self._answer_at - time.time(), 0.0
        if wait > 0:
            time.sleep(wait)

    def _json(self, status, payload, headers=None):
        self._send(status, json.dumps(payload, ensure_ascii=False), headers=headers)

    def do_GET(self):
        if self.path.startswith("/__sim/"):
            return self._admin()
        self._json(405, {"request_id": "", "error": {"code": "MethodNotAllowed", "message": "use POST"}})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.path.startswith("/__sim/"):
            return self._admin(raw)
        return self._api(raw)

    def _admin(self, raw=b""):
        sim = self.sim
        path = self.path.split("?")[0]
        payload = json.loads(raw.decode("utf-8") or "{}") if raw else {}
        if path == "/__sim/requests":
            with sim.lock:
                return self._json(200, {"requests": list(sim.log)})
        if path == "/__sim/reset":
            sim.reset()
        elif path == "/__sim/warm":
            # Build the data set and its JSON now, so that a benchmark times the client, not the first scan.
            for sched in sim._matching(payload):
                sim.data.item_json(sched)
        elif path == "/__sim/faults":
            with sim.lock:
                sim.faults.extend(payload.get("faults", []))
        elif path == "/__sim/config":
            if "limits" in payload:
                sim.limits = sim._limits(payload["limits"])
            if "schedules" in payload:
                sim.data.count = int(payload["schedules"])
            if "teams" in payload:
                sim.data = DataSet(sim.data.count, int(payload["teams"]))
            if "now" in payload:
                sim.fixed_now = payload["now"]
            if "app_keys" in payload:
                sim.app_keys = set(payload["app_keys"])
            for name in BEHAVIOUR:
                if name in payload:
                    sim.behaviour[name] = payload[name]
            sim.data.health = bool(sim.behaviour["health_scenarios"])
            sim.data.clip = bool(sim.behaviour["clip_shifts"])
        else:
            return self._json(404, {"error": "unknown admin path"})
        return self._json(200, {"ok": True})

    def _api(self, raw):
        sim = self.sim
        target, proxied = self.path, False
        if target.startswith(("http://", "https://")):
            # Absolute form: a client that was told to use this server as its HTTP proxy.
            target, proxied = "/" + target.split("://", 1)[1].partition("/")[2], True
        path, dummy, query = target.partition("?")
        key = None
        for part in query.split("&"):
            if part.startswith("app_key="):
                from urllib.parse import unquote_plus
                key = unquote_plus(part[len("app_key="):])
        entry = {"t": time.time(), "path": path, "status": None, "code": None,
                 "user_agent": self.headers.get("User-Agent"), "accept_language": self.headers.get("Accept-Language"),
                 "content_type": self.headers.get("Content-Type"), "key_ok": key in sim.app_keys,
                 "proxied": proxied, "host": self.headers.get("Host"), "peer": self.client_address[1]}
        try:
            entry["body"] = json.loads(raw.decode("utf-8")) if raw else None
        except ValueError:
            entry["body"] = None
        request_id = sim.record(entry)
        headers = {"Flashcat-Request-Id": request_id}
        delay = float(sim.behaviour["latency"]) + float(sim.behaviour["jitter"]) * random.random()
        handshake = 0.0
        if not self._connected:
            # A new connection: its first request waits for the handshakes.
            self._connected = True
            handshake = float(sim.behaviour["handshake"])
        # A "late" fault: this request reaches the server ``delay`` seconds
        # later than it was sent (held up on a busy host, a lossy link, a
        # queueing gateway), though the client saw nothing of it.
        late = sim.take_fault(path, late=True)
        if late:
            entry["fault"] = "late"
            handshake += float(late.get("delay", 0.5))
        # The request reaches the server half way through its round trip; the
        # answer leaves when the round trip is over, however long this one
        # process took to build it meanwhile (a real service builds answers
        # side by side; here they would queue behind each other's CPU time).
        arrival = entry["t"] + handshake + delay / 2.0
        self._answer_at = entry["t"] + handshake + delay

        def fail(status, code, message, extra=None):
            entry["status"], entry["code"] = status, code
            headers.update(extra or {})
            self._json(status, {"request_id": request_id, "error": {"code": code, "message": message}}, headers)

        if path not in ("/schedule/list", "/insight/team/export") + tuple(JSON_ENDPOINTS):
            return fail(404, "RouteNotFound", "no route %s" % path)
        if not key or key not in sim.app_keys:
            return fail(401, "Unauthorized", "app_key is missing, invalid or expired")
        if sim.rate_limited(key, path, arrival):
            return fail(429, "RequestTooFrequently", "too many requests")
        fault = sim.take_fault(path)
        if fault and self._fault(fault, entry, request_id, headers, fail):
            return None
        if "application/json" not in (self.headers.get("Content-Type") or ""):
            return fail(400, "InvalidContentType", "Content-Type must be application/json")
        if not isinstance(entry["body"], dict):
            return fail(400, "InvalidParameter", "the body must be a JSON object")
        lang = self.headers.get("Accept-Language") or "en"
        data = csv_text = None
        try:
            if path == "/schedule/list":
                data = sim.schedule_list(entry["body"], lang)
            elif path in JSON_ENDPOINTS:
                data = getattr(sim, JSON_ENDPOINTS[path])(entry["body"])
            else:
                csv_text = sim.insight_export(entry["body"], lang)
        except ApiError as err:
            return fail(err.status, err.code, err.message)
        entry["status"] = 200
        if path in JSON_ENDPOINTS:
            self._json(200, {"request_id": request_id, "data": data}, headers)
            return None
        if path == "/schedule/list":
            entry["total"] = data["total"]
            # The items are JSON already (DataSet.item_json).
            self._send(200, '{"request_id": %s, "data": {"items": [%s], "total": %d}}' % (
                json.dumps(request_id), ", ".join(data["items"]), data["total"]), headers=headers)
            if fault and fault.get("kind") == "add_schedules":
                sim.data.added += int(fault.get("count", 5))
            return None
        body = csv_text.encode("utf-8")
        if fault and fault.get("kind") == "pad_csv":
            body = self._pad(body, int(fault["bytes"]))
        headers["Content-Disposition"] = 'attachment; filename="team_insight_%d.csv"' % entry["body"]["start_time"]
        entry["bytes"] = len(body)
        self._send(200, body, "text/csv; charset=utf-8", headers)
        return None

    @staticmethod
    def _pad(body, size):
        lines = body.split(b"\r\n")
        header, rows = lines[0], [r for r in lines[1:] if r]
        out = [header]
        total = len(header)
        i = 0
        while total < size and rows:
            row = rows[i % len(rows)]
            out.append(row)
            total += len(row) + 2
            i += 1
        return b"\r\n".join(out) + b"\r\n"

    def _fault(self, fault, entry, request_id, headers, fail):
        """Serve a fault; return True when the request is answered."""
        kind = fault.get("kind")
        entry["fault"] = kind
        if kind == "slow":
            time.sleep(float(fault.get("delay", 1)))
            return False
        if kind == "status":
            status = int(fault.get("status", 500))
            code = fault.get("code") or {500: "InternalError", 503: "ServiceUnavailable"}.get(status, "BadRequest")
            fail(status, code, fault.get("message", "simulated failure"))
            return True
        if kind == "rate_limit":
            extra = {}
            after = fault.get("retry_after")
            if isinstance(after, str) and after.startswith("date:"):
                extra["Retry-After"] = formatdate(time.time() + float(after[5:]), usegmt=True)
            elif after is not None:
                extra["Retry-After"] = str(after)
            fail(429, "RequestTooFrequently", "too many requests", extra)
            return True
        entry["status"] = int(fault.get("status", 200))
        if kind == "html":
            self._send(entry["status"], "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad "
                       "Gateway</h1><hr>nginx</body></html>", "text/html", headers)
        elif kind == "invalid_json":
            self._send(entry["status"], '{"request_id": "%s", "data": {"items": [' % request_id,
                       headers=headers)
        elif kind == "error_2xx":
            # A 2xx answer whose body still carries an error object.
            self._json(entry["status"], {"request_id": request_id, "data": fault.get("data"),
                                         "error": fault.get("error")}, headers)
        elif kind == "json_empty":
            envelope = {"data": fault.get("data", {})}
            if not fault.get("no_request_id"):
                envelope["request_id"] = request_id
            self._json(200, envelope, headers)
        elif kind == "drop":
            self._hold()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        elif kind in ("truncate", "reset"):
            text = "\ufeffTeam ID,Team Name\r\n4295771902131,SRE\r\n4295771902132,\"Payments, EU\"\r\n"
            raw = text.encode("utf-8")
            ctype = "text/csv; charset=utf-8" if entry["path"] == "/insight/team/export" else "application/json"
            self._hold()
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(raw) + 4096))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(raw[: len(raw) // 2] if kind == "reset" else raw)
            self.wfile.flush()
            self.close_connection = True
            if kind == "reset":
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.connection.close()
        else:
            return False
        return True


def _serve(args):
    sim = Simulator(port=args.port, app_keys=args.app_key or [DEFAULT_APP_KEY], schedules=args.schedules,
                    limits="documented" if args.limits else "off")
    sim.start()
    if args.port_file:
        with open(args.port_file, "w") as handle:
            handle.write(sim.url)
    print("Flashduty simulator on %s (app key %s)" % (sim.url, sorted(sim.app_keys)[0]), flush=True)
    return sim


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("command", choices=["serve", "run"])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    parser.add_argument("--app-key", action="append")
    parser.add_argument("--schedules", type=int, default=300)
    parser.add_argument("--no-limits", dest="limits", action="store_false")
    argv = list(sys.argv[1:] if argv is None else argv)
    rest = argv[argv.index("--") + 1:] if "--" in argv else []
    args = parser.parse_args(argv[:argv.index("--")] if "--" in argv else argv)
    sim = _serve(args)
    try:
        if args.command == "serve":
            while True:
                time.sleep(3600)
        if not rest:
            parser.error("run needs a command after --")
        cmd = rest
        env = dict(os.environ, FLASHDUTY_BASE_URL=sim.url, FLASHDUTY_APP_KEY=sorted(sim.app_keys)[0])
        return subprocess.call(cmd, env=env)
    except KeyboardInterrupt:
        return 0
    finally:
        sim.stop()


if __name__ == "__main__":
    sys.exit(main())
