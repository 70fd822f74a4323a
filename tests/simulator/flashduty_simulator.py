# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A local Flashduty API simulator for the demo and the tests.

It serves POST /schedule/list, the insight exports (team, responder, channel) and
their JSON twins (/insight/team, ...) as the vendor's pages describe them, the
companion look-ups, POST /channel/list and a channel's silence rules (list,
create, update, delete, enable, disable; held per account, with the API's
validation): the app_key check, body validation (400
InvalidParameter), paging with ``total`` and the ``p*limit <= 10000`` rule,
computed on-call data for a window, the export as a CSV stream (BOM, CRLF,
attachment, localized headers), per-account rate limits counted in sliding
windows (429 RequestTooFrequently) and ``Flashcat-Request-Id`` headers, over a
deterministic data set. Tests switch on faults and read what was requested
through ``/__sim/...`` admin endpoints, which need no key.

Run ``python flashduty_simulator.py serve`` to serve on a loopback port, or
``python flashduty_simulator.py run COMMAND...`` to run a command with
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
JSON_ENDPOINTS = {"/person/infos": "person_infos", "/team/infos": "team_infos", "/team/list": "team_list",
                  "/channel/list": "channel_list"}
# The silence-rule endpoints, served by method name with the caller's account.
RULE_ENDPOINTS = {
    "/channel/silence/rule/list": "rule_list", "/channel/silence/rule/create": "rule_create",
    "/channel/silence/rule/update": "rule_update", "/channel/silence/rule/delete": "rule_delete",
    "/channel/silence/rule/enable": "rule_enable", "/channel/silence/rule/disable": "rule_disable",
}
RULE_WRITES = frozenset(p for p in RULE_ENDPOINTS if not p.endswith("/list"))
# Channel names that need care: quotes, an apostrophe, CJK, a trailing space, look-alikes.
CHANNEL_NAMES = [
    "checkout", 'Payments "EU"', u"支付网关", "O'Brien's DB", "checkout-eu", "Checkout", u"订单 服务",
    "checkout ", "<b>web</b> & api", "search",
]
ACCOUNT_ID = 2451002751131
# Insight by dimension: the CSV exports and the JSON endpoints.
INSIGHT_EXPORTS = ("/insight/team/export", "/insight/responder/export", "/insight/channel/export")
INSIGHT_JSON = ("/insight/team", "/insight/responder", "/insight/channel")
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
        "responder_id": "Responder ID", "responder_name": "Responder Name", "channel_id": "Channel ID",
        "channel_name": "Channel Name",
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
        "responder_id": "处理人ID", "responder_name": "处理人", "channel_id": "协作空间ID", "channel_name": "协作空间",
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
_NOT_METRICS = ("period", "hours", "team_id", "team_name", "responder_id", "responder_name", "channel_id",
                "channel_name")
METRICS = [k for k in HEADERS["en"] if k not in _NOT_METRICS]
# The export_fields keys in the vendor's own order.
ALL_FIELDS = ["team_id", "team_name"] + METRICS + ["hours"]
# The responder's subset of the metrics (the vendor's reference), and each dimension's export keys.
RESPONDER_METRICS = [
    "total_incident_cnt", "total_incidents_acknowledged", "total_incidents_escalated",
    "total_incidents_manually_escalated", "total_incidents_timeout_escalated", "total_incidents_reassigned",
    "total_interruptions", "total_notifications", "total_engaged_seconds", "mean_seconds_to_ack",
    "acknowledgement_pct",
]
DIMENSION_FIELDS = {
    "team": ALL_FIELDS,
    "channel": ["channel_id", "channel_name"] + METRICS + ["hours"],
    "responder": ["responder_id", "responder_name"] + RESPONDER_METRICS + ["hours"],
}
# Counts that are parts of the incidents of the same row, and the plain counts.
INCIDENT_PARTS = [m for m in METRICS if m.startswith("total_incidents_")]
OTHER_COUNTS = ["total_interruptions", "total_notifications", "total_engaged_seconds", "total_alert_cnt",
                "total_alert_event_cnt"]
# Typed integer fields of the JSON items (the two seconds totals are in the JSON only).
JSON_COUNTS = ["total_incident_cnt"] + INCIDENT_PARTS + OTHER_COUNTS + ["total_seconds_to_ack",
                                                                        "total_seconds_to_close"]
CHANNELS_PER_TEAM = 2
CHANNEL_KINDS = ["Prometheus", "Zabbix"]
ACCOUNT_ID = 2451002751131
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
# final_shifts: how final_schedule.schedules meets the window, which the documents
#   do not say: "clipped" (shifts cut at its edges), "whole" (shifts that cross an
#   edge kept whole), "split" (clipped, and each shift cut in two halves, as the
#   server may cut one where a layer or an override begins).
# channels: how many channels the account has (the first carry CHANNEL_NAMES).
# read_only_keys: keys without the "Channels Manage" permission (every silence
#   rule write is a 403 AccessDenied).
# absent_window: how a rule shows the kind of window it does not have (the
#   reference does not say): "missing" (no field), "null", or "zero"
#   (time_filter {0, 0}, time_filters []).
# accounts: {app key: account name}; keys not named share one account.
# health_scenarios: schedules that need care when looking for gaps, by index % 10 (HEALTH_KINDS).
# date_header: whether answers carry HTTP's Date header (the server's clock: the simulator's own, frozen when
#   "now" is set); the documents do not mention it, so clients must do without it too.
BEHAVIOUR = {
    "total_cap": 1000, "export_row_cap": 10000, "column_order": "vendor", "bucket_position": "first",
    "bucket_format": "date", "latency": 0.0, "jitter": 0.0, "handshake": 0.0, "final_shifts": "clipped",
    "channels": 230, "read_only_keys": [], "absent_window": "missing", "accounts": {},
    "json_no_value": "omit_zero", "csv_no_value": "zero", "health_scenarios": False, "date_header": True,
}
# json_no_value: how the JSON insight items show a field without a value (the vendor: "any field may be
#   missing when it has no value"): "omit_zero" leaves out counts of 0 and means and percentages without
#   a denominator, "omit" only the latter (zeros sent), "null" sends those as null.
# csv_no_value: a mean or percentage without a denominator in an export: "zero" (0.0) or "empty" (an empty cell).
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


def _derive(metrics):
    """The means and percentages of ``metrics`` from its counts and seconds totals, in place
    (None where there is no denominator)."""
    incidents, ack = metrics["total_incident_cnt"], metrics["total_incidents_acknowledged"]
    metrics["mean_seconds_to_ack"] = metrics["total_seconds_to_ack"] / float(ack) if ack else None
    if "total_seconds_to_close" in metrics:
        closed = metrics["total_incidents_closed"]
        metrics["mean_seconds_to_close"] = metrics["total_seconds_to_close"] / float(closed) if closed else None
    metrics["acknowledgement_pct"] = 100.0 * ack / incidents if incidents else None
    return metrics


def _split(total, parts, pick):
    """``total`` cut into ``parts`` whole numbers (``pick(k)``: a number for part k)."""
    out, left = [], total
    for k in range(parts - 1):
        value = pick(k) % (left + 1)
        out.append(value)
        left -= value
    return out + [left]


def team_cell(team_id, bucket, hours):
    """A team's typed figures for one time bucket and hour bucket: the incidents every
    dimension's figures are cut from (channels split them, responders take part in them)."""
    def h(*parts):
        return _num(team_id, bucket, hours, *parts)
    incidents = h("total_incident_cnt") % 40
    metrics = {"total_incident_cnt": incidents}
    for column in INCIDENT_PARTS:
        # A part of the incidents: acknowledged, closed, ... never more.
        metrics[column] = incidents - h(column) % (incidents // 3 + 1)
    for column in OTHER_COUNTS:
        metrics[column] = h(column) % (7200 if column == "total_engaged_seconds" else 40)
    for kind, count in (("ack", metrics["total_incidents_acknowledged"]), ("close", metrics["total_incidents_closed"])):
        metrics["total_seconds_to_" + kind] = count * (30 + h("mean_seconds_to_" + kind) % 3600) + (
            h(kind, "rest") % count if count else 0)
    metrics["noise_reduction_pct"] = (h("noise_reduction_pct") % 10000) / 100.0
    return _derive(metrics)


def channel_cells(team_metrics, team_id, bucket, hours):
    """The team's figures cut between its CHANNELS_PER_TEAM (2) channels: the counts and seconds of the
    channels add up to the team's; each channel's parts stay within its incidents."""
    def h(*parts):
        return _num(team_id, bucket, hours, "channel", *parts)
    incidents = _split(team_metrics["total_incident_cnt"], 2, lambda k: h(k, "total_incident_cnt"))
    cells = [{"total_incident_cnt": n} for n in incidents]
    for column in INCIDENT_PARTS:
        whole = team_metrics[column]
        low, high = max(0, whole - incidents[1]), min(whole, incidents[0])
        first = low + h(column) % (high - low + 1)
        cells[0][column], cells[1][column] = first, whole - first
    for column in OTHER_COUNTS:
        cells[0][column], cells[1][column] = _split(team_metrics[column], 2, lambda k: h(k, column))
    for kind, count in (("ack", "total_incidents_acknowledged"), ("close", "total_incidents_closed")):
        # Each channel at least 30 s an incident, the rest cut at random: the channels' means differ.
        seconds, first, second = team_metrics["total_seconds_to_" + kind], cells[0][count], cells[1][count]
        if first and second:
            first = 30 * first + h(kind, "seconds") % (seconds - 30 * (first + second) + 1)
        else:
            first = seconds if first else 0
        cells[0]["total_seconds_to_" + kind], cells[1]["total_seconds_to_" + kind] = first, seconds - first
    for k, cell in enumerate(cells):
        cell["noise_reduction_pct"] = (h(k, "noise_reduction_pct") % 10000) / 100.0
        _derive(cell)
    return cells


def responder_cells(team_metrics, team_id, bucket, hours, persons):
    """``[(person_id, figures)]``: each person of the team takes part in some of its incidents; the team's
    interruptions and notifications are theirs, cut between them."""
    def h(*parts):
        return _num(team_id, bucket, hours, "responder", *parts)
    interruptions = _split(team_metrics["total_interruptions"], len(persons), lambda k: h(k, "interruptions"))
    notifications = _split(team_metrics["total_notifications"], len(persons), lambda k: h(k, "notifications"))
    out = []
    for k, pid in enumerate(persons):
        incidents = h(pid, "incidents") % (team_metrics["total_incident_cnt"] + 1)
        ack = h(pid, "ack") % (incidents + 1)
        escalated = h(pid, "escalated") % (incidents + 1)
        manually = h(pid, "manually") % (escalated + 1)
        out.append((pid, {
            "total_incident_cnt": incidents, "total_incidents_acknowledged": ack,
            "total_incidents_escalated": escalated, "total_incidents_manually_escalated": manually,
            "total_incidents_timeout_escalated": escalated - manually,
            "total_incidents_reassigned": h(pid, "reassigned") % (incidents + 1),
            "total_interruptions": interruptions[k], "total_notifications": notifications[k],
            "total_engaged_seconds": h(pid, "engaged") % 3600 if incidents else 0,
            "total_seconds_to_ack": ack * (30 + h(pid, "to_ack") % 1800) + (h(pid, "rest") % ack if ack else 0),
        }))
    return out


class DataSet:
    """Teams, persons and schedules, each derived from its index alone."""

    def __init__(self, schedules=300, teams=12, persons=40):
        self.count = schedules
        self.teams = [{"team_id": 4295771902131 + i, "team_name": TEAM_NAMES[i % len(TEAM_NAMES)]
                       if i < len(TEAM_NAMES) else "Team %d" % i} for i in range(teams)]
        self.persons = [2476123212131 + 1000 * i for i in range(persons)]
        self.added = 0  # schedules created while the simulator runs (newest first)
        self.health = False  # BEHAVIOUR's health_scenarios
        self._cache = {}
        self._encoded = {}

    def item_json(self, sched, window=None, now=None, final_shifts="clipped"):
        """``item`` as JSON text. Without a window an item never changes, so
        its text is kept: 50 pages of 100 built in one process would otherwise
        queue for 0.2 s of CPU, which a real service spends side by side."""
        if window:
            return json.dumps(self.item(sched, window, now, final_shifts), ensure_ascii=False)
        text = self._encoded.get(sched["index"])
        if text is None:
            text = self._encoded[sched["index"]] = json.dumps(self.item(sched), ensure_ascii=False)
        return text

    @staticmethod
    def channel(index):
        """The channel with this index: names from CHANNEL_NAMES first, then numbered."""
        name = CHANNEL_NAMES[index] if index < len(CHANNEL_NAMES) else "channel-%04d" % index
        item = {"channel_id": 1300000000 + 7 * index, "channel_name": name, "team_id": 4295771902131 + index % 12,
                "managing_team_ids": [4295771902131 + index % 12], "status": "enabled",
                "created_at": 1759132037 + index, "updated_at": 1759132037 + 2 * index}
        if index % 3 == 0:
            item["description"] = "Channel %d" % index  # fields appear only when set
        return item

    def person_index(self, person_id):
        offset = person_id - self.persons[0]
        if offset % 1000 or not 0 <= offset // 1000 < len(self.persons):
            return None
        return offset // 1000

    @staticmethod
    def person_name(index):
        name = PERSON_NAMES[index % len(PERSON_NAMES)]
        return name if index < len(PERSON_NAMES) else "%s %d" % (name, index // len(PERSON_NAMES) + 1)

    def channels(self, team):
        """The team's channels: ids and names derived from the team's place."""
        index = team["team_id"] - self.teams[0]["team_id"]
        return [{"channel_id": 1100000000000 + index * CHANNELS_PER_TEAM + k,
                 "channel_name": u"%s \u00b7 %s" % (team["team_name"], CHANNEL_KINDS[k])}
                for k in range(CHANNELS_PER_TEAM)]

    def responder_name(self, person_id):
        """A responder's name, or None for a deleted person."""
        index = self.person_index(person_id)
        return None if index is None or index in DELETED_PERSONS else self.person_name(index)

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

    def item(self, sched, window=None, now=None, final_shifts="clipped"):
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
            shifts = []
            for s, e, group in self.segments(sched, start, end):
                if final_shifts == "whole":
                    shifts.append(oncall(s, e, group))
                elif final_shifts == "split":
                    s, e = max(s, start), min(e, end)
                    half = s + (e - s) // 2
                    shifts += [oncall(s, half, group), oncall(half, e, group)] if e - s > 1 else [oncall(s, e, group)]
                else:
                    shifts.append(oncall(max(s, start), min(e, end), group))
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
        # Silence rules by account: {account: [rule, ...]} in creation order.
        self.rules = collections.defaultdict(list)
        self.rule_counter = 0
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
            self.data.health = False
            self.hits.clear()
            self.data.added = 0
            self.rules.clear()

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
        final_shifts = self.behaviour["final_shifts"]
        return {"items": [self.data.item_json(s, window, now, final_shifts) for s in page], "total": total}

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

    # ------------------------------------------------- channels and silence rules
    def channels(self):
        return [self.data.channel(i) for i in range(int(self.behaviour["channels"]))]

    def channel_list(self, body):
        _check_types(body, {"p": "int", "limit": "int", "orderby": "str", "asc": "bool", "is_my_managed": "bool",
                            "is_my_starred": "bool", "is_my_team": "bool", "is_brief": "bool", "team_ids": "ints",
                            "query": "str", "channel_ids": "ints", "channel_name": "str"})
        p, limit = body.get("p", 1), body.get("limit", 100)
        if p < 1 or not 1 <= limit <= 100:
            raise _invalid("p must be at least 1 and limit between 1 and 100")
        if p * limit > 10000:
            raise _invalid("p * limit must not exceed 10000")
        if body.get("is_my_team") and body.get("is_my_starred"):
            raise _invalid("is_my_team cannot be used with is_my_starred")
        channels = self.channels()
        if body.get("channel_name") is not None:
            channels = [c for c in channels if c["channel_name"] == body["channel_name"]]
        if body.get("query"):
            channels = [c for c in channels if body["query"].lower() in c["channel_name"].lower()]
        if body.get("channel_ids"):
            channels = [c for c in channels if c["channel_id"] in body["channel_ids"]]
        if body.get("team_ids"):
            channels = [c for c in channels if c["team_id"] in body["team_ids"]]
        page = channels[(p - 1) * limit:p * limit]
        cap = self.behaviour["total_cap"]
        return {"items": page, "total": min(len(channels), cap) if cap else len(channels),
                "has_next_page": p * limit < len(channels)}

    def _channel_id(self, body):
        channel_id = body.get("channel_id")
        if not isinstance(channel_id, int) or isinstance(channel_id, bool):
            raise _invalid("channel_id is required")
        if channel_id not in set(c["channel_id"] for c in self.channels()):
            raise ApiError(400, "ResourceNotFound", "channel %s not found" % channel_id)
        return channel_id

    def _rule(self, account, body):
        channel_id = self._channel_id(body)
        rule_id = body.get("rule_id")
        if not isinstance(rule_id, str) or not re.match(r"^[0-9a-fA-F]{24}$", rule_id):
            raise _invalid("rule_id must be 24 hexadecimal digits")
        for rule in self.rules[account]:
            if rule["rule_id"] == rule_id and rule["channel_id"] == channel_id:
                return rule
        raise ApiError(400, "ResourceNotFound", "silence rule %s not found" % rule_id)

    @staticmethod
    def _check_rule(body):
        """The API's validation of a create or update body; the rule's fields."""
        _check_types(body, {"channel_id": "int", "rule_id": "str", "rule_name": "str", "description": "str",
                            "priority": "int", "time_filter": "dict", "is_directly_discard": "bool",
                            "from_incident_id": "str"})
        name = body.get("rule_name")
        if not isinstance(name, str) or not 1 <= len(name) <= 39:
            raise _invalid("rule_name must be 1 to 39 characters")
        if len(body.get("description") or "") > 500:
            raise _invalid("description must be at most 500 characters")
        one_off, recurring = body.get("time_filter"), body.get("time_filters")
        if (one_off is None) == (recurring is None):
            raise _invalid("exactly one of time_filter and time_filters is required")
        if one_off is not None:
            start, end = one_off.get("start_time"), one_off.get("end_time")
            if not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in (start, end)):
                raise _invalid("time_filter needs start_time and end_time, Unix seconds")
            if end <= start:
                raise _invalid("time_filter.end_time must be after start_time")
        if recurring is not None:
            if not isinstance(recurring, list) or not recurring:
                raise _invalid("time_filters must be a non-empty list")
            for window in recurring:
                if not isinstance(window, dict):
                    raise _invalid("time_filters entries must be objects")
                times = [window.get("start"), window.get("end")]
                if not all(isinstance(t, str) and re.match(r"^([01]\d|2[0-3]):[0-5]\d$", t) for t in times):
                    raise _invalid("time_filters start and end must be HH:MM")
                if times[1] <= times[0]:
                    raise _invalid("time_filters end must be after start")
                repeat = window.get("repeat") or []
                if not isinstance(repeat, list) or any(not isinstance(d, int) or isinstance(d, bool) or not 0 <= d <= 6
                                                       for d in repeat):
                    raise _invalid("time_filters repeat holds weekdays 0 to 6")
        filters = body.get("filters")
        if not isinstance(filters, list) or not filters:
            raise _invalid("filters must not be empty")
        for group in filters:
            if not isinstance(group, list) or not group:
                raise _invalid("each filters group must be a non-empty list")
            for cond in group:
                if not isinstance(cond, dict) or not isinstance(cond.get("key"), str) or not cond["key"]:
                    raise _invalid("each condition needs a key")
                if cond.get("oper") not in ("IN", "NOTIN"):
                    raise _invalid("oper must be IN or NOTIN")
                vals = cond.get("vals")
                if not isinstance(vals, list) or not vals or not all(isinstance(v, str) for v in vals):
                    raise _invalid("vals must be a non-empty list of strings")
        incident = body.get("from_incident_id")
        if incident is not None and not re.match(r"^[0-9a-fA-F]{24}$", incident):
            raise _invalid("from_incident_id must be 24 hexadecimal digits")
        return {"rule_name": name, "description": body.get("description") or "", "priority": body.get("priority", 0),
                "time_filter": one_off, "time_filters": recurring, "filters": filters,
                "is_directly_discard": bool(body.get("is_directly_discard")),
                "from_incident_id": incident or ""}

    def _effective(self, rule):
        if rule["status"] != "enabled":
            return False
        now = self.now()
        if rule["time_filter"]:
            return rule["time_filter"]["start_time"] <= now < rule["time_filter"]["end_time"]
        moment = datetime.fromtimestamp(now, timezone.utc)
        hhmm, weekday = moment.strftime("%H:%M"), (moment.weekday() + 1) % 7
        return any(w["start"] <= hhmm < w["end"] and (not w.get("repeat") or weekday in w["repeat"])
                   for w in rule["time_filters"])

    def _shown(self, rule):
        """A rule as the API lists it (the absent kind of window per ``absent_window``)."""
        item = dict(rule, is_effective=self._effective(rule))
        absent = self.behaviour["absent_window"]
        for key, zero in (("time_filter", {"start_time": 0, "end_time": 0}), ("time_filters", [])):
            if item[key] is None:
                if absent == "missing":
                    del item[key]
                elif absent == "zero":
                    item[key] = zero
        if not item["description"]:
            del item["description"]  # fields appear only when set
        return json.loads(json.dumps(item))

    def rule_list(self, body, account):
        channel_id = self._channel_id(body)
        return {"items": [self._shown(r) for r in self.rules[account] if r["channel_id"] == channel_id]}

    def rule_create(self, body, account):
        channel_id = self._channel_id(body)
        fields = self._check_rule(body)
        with self.lock:
            self.rule_counter += 1
            rule_id = "%024x" % (0x665f1c2e00a1b2c300000000 + self.rule_counter)
            now = self.now()
            rule = dict(fields, rule_id=rule_id, channel_id=channel_id, account_id=ACCOUNT_ID, status="enabled",
                        updated_by=OWNER_ID, created_at=now, updated_at=now)
            self.rules[account].append(json.loads(json.dumps(rule)))
        return {"rule_id": rule_id, "rule_name": fields["rule_name"]}

    def rule_update(self, body, account):
        rule = self._rule(account, body)
        fields = self._check_rule(body)
        with self.lock:
            rule.update(json.loads(json.dumps(fields)), updated_at=self.now())
        return None

    def rule_delete(self, body, account):
        rule = self._rule(account, body)
        with self.lock:
            self.rules[account].remove(rule)
        return None

    def rule_enable(self, body, account):
        self._rule(account, body)["status"] = "enabled"
        return None

    def rule_disable(self, body, account):
        self._rule(account, body)["status"] = "disabled"
        return None

    def check_insight(self, body, dimension="team", export=True):
        """The rules of an insight request (the JSON endpoints and the exports share them); its range
        and time zone."""
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
        if export and (len(fields) > 50 or any(f not in DIMENSION_FIELDS[dimension] for f in fields)):
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
        return start, end, unit, zone

    def insight_export(self, body, lang, dimension="team"):
        start, end, unit, zone = self.check_insight(body, dimension)
        return self._csv(body, start, end, unit, zone, lang, dimension)

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

    def export_columns(self, body, dimension="team"):
        """The CSV's columns (keys, and "period" for the bucket) as this server orders them."""
        known = DIMENSION_FIELDS[dimension]
        fields = []
        for field in body.get("export_fields") or [f for f in known if f != "hours"]:
            if field not in fields:
                fields.append(field)
        if body.get("split_hours") and "hours" not in fields:
            fields.append("hours")
        order = self.behaviour["column_order"]
        if order == "vendor":
            fields.sort(key=known.index)
        elif order == "reversed":
            fields.reverse()
        if not body.get("aggregate_unit"):
            return fields
        return ["period"] + fields if self.behaviour["bucket_position"] == "first" else fields + ["period"]

    def insight_records(self, body, start, end, unit, zone, dimension="team"):
        """Every row of a request as typed figures: ``label`` and ``ts`` (the time bucket), ``hours``,
        the dimension's id and name, and the metrics (None where a mean has no denominator).

        All three dimensions are cut from the same team cells (:func:`team_cell`), so a channel's
        figures add up to its team's, and responders' interruptions to their teams'."""
        teams = self.data.teams
        if body.get("team_ids"):
            teams = [t for t in teams if t["team_id"] in body["team_ids"]]
        if body.get("is_my_team"):
            teams = teams[:OWNER_TEAMS]
        hour_buckets = ["work", "sleep", "off"] if body.get("split_hours") else [None]
        records = []
        for label, bucket in self._buckets(start, end, unit, zone):
            people = collections.OrderedDict()
            for team in teams:
                for hours in hour_buckets:
                    cell = team_cell(team["team_id"], bucket, hours)
                    base = {"label": label, "ts": bucket, "hours": hours}
                    if dimension == "team":
                        records.append(dict(base, team_id=team["team_id"], team_name=team["team_name"], **cell))
                    elif dimension == "channel":
                        for channel, part in zip(self.data.channels(team),
                                                 channel_cells(cell, team["team_id"], bucket, hours)):
                            if not body.get("channel_ids") or channel["channel_id"] in body["channel_ids"]:
                                records.append(dict(base, **dict(channel, **part)))
                    else:
                        for pid, part in responder_cells(cell, team["team_id"], bucket, hours,
                                                         self.data.team_persons(team["team_id"])):
                            if body.get("responder_ids") and pid not in body["responder_ids"]:
                                continue
                            # One row per person: their figures over every team they are in.
                            mine = people.setdefault((pid, hours), dict(base, responder_id=pid,
                                                                        responder_name=self.data.responder_name(pid)))
                            for key, value in part.items():
                                mine[key] = mine.get(key, 0) + value
            order = dict((h, i) for i, h in enumerate(hour_buckets))
            for key in sorted(people, key=lambda k: (self.data.person_index(k[0]), order[k[1]])):
                records.append(_derive(people[key]))
        return records

    def export_rows(self, body, start, end, unit, zone, dimension="team"):
        """Every row of an export as ``{column key: text}``, before the row cap."""
        columns = self.export_columns(body, dimension)
        return [dict((c, self._text(c, record)) for c in columns)
                for record in self.insight_records(body, start, end, unit, zone, dimension)]

    def _csv(self, body, start, end, unit, zone, lang, dimension="team"):
        names = HEADERS["zh" if lang.lower().startswith("zh") else "en"]
        columns = self.export_columns(body, dimension)
        rows = self.export_rows(body, start, end, unit, zone, dimension)
        cap = self.behaviour["export_row_cap"]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([names[c] for c in columns])
        for row in rows[:cap] if cap else rows:
            writer.writerow([row[c] for c in columns])
        return "\ufeff" + out.getvalue()

    def _text(self, column, record):
        """A CSV cell."""
        if column == "period":
            return record["label"]
        value = record.get(column)
        if column == "hours" or column.endswith("_name"):
            return value or ""
        if column.endswith("_id"):
            return value
        if value is None:
            return "" if self.behaviour["csv_no_value"] == "empty" else ("0.00" if column.endswith("_pct") else "0.0")
        if column.endswith("_pct"):
            return "%.2f" % value
        if column.startswith("mean_"):
            return "%.1f" % value
        return str(value)

    def insight_json(self, body, dimension):
        """``data`` of POST /insight/team, /insight/responder or /insight/channel: typed items."""
        start, end, unit, zone = self.check_insight(body, dimension, export=False)
        metrics = RESPONDER_METRICS + ["total_seconds_to_ack"] if dimension == "responder" else \
            METRICS + ["total_seconds_to_ack", "total_seconds_to_close"]
        style = self.behaviour["json_no_value"]
        items = []
        for record in self.insight_records(body, start, end, unit, zone, dimension):
            item = {"account_id": ACCOUNT_ID}
            for key in (dimension + "_id", dimension + "_name"):
                if record.get(key) is not None or style == "null":
                    item[key] = record.get(key)
            if unit:
                item["ts"] = record["ts"]
            if record["hours"]:
                item["hours"] = record["hours"]
            for key in metrics:
                value = record.get(key)
                if value is None and style != "null":
                    continue
                if value == 0 and style == "omit_zero" and key in JSON_COUNTS:
                    continue
                item[key] = round(value, 2) if isinstance(value, float) else value
            items.append(item)
        return {"items": items}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    _connected = False  # set by the first API request on this connection
    _answer_at = 0.0  # when the answer being built may leave (latency, handshake)
    sim = None

    def log_message(self, *args):
        pass

    def send_response(self, code, message=None):
        """As BaseHTTPRequestHandler's, with the Date header on the simulator's clock (or none, see BEHAVIOUR)."""
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Server", self.version_string())
        if self.sim.behaviour.get("date_header", True):
            self.send_header("Date", self.date_time_string(self.sim.now()))

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
            if "teams" in payload or "persons" in payload:
                sim.data = DataSet(sim.data.count, int(payload.get("teams", len(sim.data.teams))),
                                   int(payload.get("persons", len(sim.data.persons))))
            if "now" in payload:
                sim.fixed_now = payload["now"]
            if "app_keys" in payload:
                sim.app_keys = set(payload["app_keys"])
            for name in BEHAVIOUR:
                if name in payload:
                    sim.behaviour[name] = payload[name]
            sim.data.health = bool(sim.behaviour["health_scenarios"])
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

        if path not in ("/schedule/list",) + INSIGHT_EXPORTS + INSIGHT_JSON + tuple(JSON_ENDPOINTS) + tuple(RULE_ENDPOINTS):
            return fail(404, "RouteNotFound", "no route %s" % path)
        if not key or key not in sim.app_keys:
            return fail(401, "Unauthorized", "app_key is missing, invalid or expired")
        if sim.rate_limited(key, path, arrival):
            return fail(429, "RequestTooFrequently", "too many requests")
        fault = sim.take_fault(path)
        # A fault with "acted": the server does the work first, then the fault
        # is what the client sees (a 5xx, a dropped connection, a late answer).
        if fault and not fault.get("acted") and self._fault(fault, entry, request_id, headers, fail):
            return None
        if "application/json" not in (self.headers.get("Content-Type") or ""):
            return fail(400, "InvalidContentType", "Content-Type must be application/json")
        if not isinstance(entry["body"], dict):
            return fail(400, "InvalidParameter", "the body must be a JSON object")
        if path in RULE_ENDPOINTS:
            if path in RULE_WRITES and key in sim.behaviour["read_only_keys"]:
                return fail(403, "AccessDenied", "permission denied: Channels Manage is required")
            try:
                data = getattr(sim, RULE_ENDPOINTS[path])(entry["body"], sim.behaviour["accounts"].get(key, "default"))
            except ApiError as err:
                return fail(err.status, err.code, err.message)
            if fault and fault.get("acted"):
                if fault.get("kind") == "slow_answer":
                    entry["fault"] = "slow_answer"
                    self._answer_at = max(self._answer_at, time.time() + float(fault.get("delay", 1)))
                elif self._fault(fault, entry, request_id, headers, fail):
                    return None
            entry["status"] = 200
            self._json(200, {"request_id": request_id, "data": data}, headers)
            return None
        lang = self.headers.get("Accept-Language") or "en"
        data = csv_text = None
        try:
            if path == "/schedule/list":
                data = sim.schedule_list(entry["body"], lang)
            elif path in JSON_ENDPOINTS:
                data = getattr(sim, JSON_ENDPOINTS[path])(entry["body"])
            elif path in INSIGHT_JSON:
                data = sim.insight_json(entry["body"], path.split("/")[2])
            else:
                csv_text = sim.insight_export(entry["body"], lang, path.split("/")[2])
        except ApiError as err:
            return fail(err.status, err.code, err.message)
        entry["status"] = 200
        if path in JSON_ENDPOINTS or path in INSIGHT_JSON:
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
        headers["Content-Disposition"] = 'attachment; filename="%s_insight_%d.csv"' % (
            path.split("/")[2], entry["body"]["start_time"])
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
            ctype = "text/csv; charset=utf-8" if entry["path"] in INSIGHT_EXPORTS else "application/json"
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


def build_parser():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n", maxsplit=1)[0],
        epilog="Examples: '%(prog)s serve --port 8080' serves until Ctrl-C; "
               "'%(prog)s run ansible-playbook flashcat.flashduty.demo' runs the playbook against a fresh "
               "simulator and stops it after ('--' before the command is optional). The admin endpoints "
               "(/__sim/config, /__sim/faults, /__sim/requests, /__sim/reset) need no key.")
    parser.add_argument("command", choices=["serve", "run"],
                        help="serve: serve on a loopback port until interrupted; run: start the simulator, run "
                             "COMMAND with FLASHDUTY_BASE_URL and FLASHDUTY_APP_KEY pointing at it, stop it after "
                             "and exit with COMMAND's exit status")
    parser.add_argument("--port", type=int, default=0,
                        help="the loopback port to serve on (default: a free port the system picks)")
    parser.add_argument("--port-file", metavar="PATH",
                        help="write the simulator's URL (http://127.0.0.1:PORT) to this file once it serves")
    parser.add_argument("--app-key", action="append", metavar="KEY",
                        help="an app key the simulator accepts (repeat for more; default: %s); any other key "
                             "gets HTTP 401" % DEFAULT_APP_KEY)
    parser.add_argument("--schedules", type=int, default=300, metavar="N",
                        help="how many on-call schedules the data set has (default: 300; 1,000 or more "
                             "makes the server's total capped at 1000, as the real API's)")
    parser.add_argument("--no-limits", dest="limits", action="store_false",
                        help="do not enforce the documented per-account rate limits (by default, over "
                             "them a request gets HTTP 429 RequestTooFrequently)")
    parser.add_argument("cmd", nargs="*", metavar="COMMAND",
                        help="with run: the command and its arguments")
    return parser


# The simulator's options that take a value: what follows one is its value, not the command.
_VALUED = ("--port", "--port-file", "--app-key", "--schedules")


def split_command(argv):
    """``(the simulator's arguments, COMMAND)``: COMMAND starts after ``--``,
    or at the first word after ``run`` that is not one of the simulator's options."""
    if "--" in argv:
        at = argv.index("--")
        return argv[:at], argv[at + 1:]
    seen_command = False
    i = 0
    while i < len(argv):
        word = argv[i]
        if word.startswith("-"):
            i += 2 if word in _VALUED else 1
            continue
        if seen_command:
            return argv[:i], argv[i:]
        seen_command = True
        i += 1
    return argv, []


def main(argv=None):
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    own, rest = split_command(argv)
    args = parser.parse_args(own)
    if args.command == "serve" and rest:
        parser.error("serve takes no command; did you mean run?")
    if args.command == "run" and not rest:
        parser.error("run needs a command, for example: run ansible-playbook flashcat.flashduty.demo")
    sim = _serve(args)
    try:
        if args.command == "serve":
            while True:
                time.sleep(3600)
        env = dict(os.environ, FLASHDUTY_BASE_URL=sim.url, FLASHDUTY_APP_KEY=sorted(sim.app_keys)[0])
        try:
            return subprocess.call(rest, env=env)
        except OSError as exc:
            parser.error("cannot run %s: %s" % (rest[0], exc.strerror or exc))
    except KeyboardInterrupt:
        return 0
    finally:
        sim.stop()


if __name__ == "__main__":
    sys.exit(main())
