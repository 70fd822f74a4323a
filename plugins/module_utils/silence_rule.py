# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""flashduty_silence_rule: one silence rule as declarative state.

The rule is found by (channel, ``rule_name``). The wanted rule is the
current one with the options given laid over it, in the normal form of
:mod:`silence_rules`; only the calls needed are sent (create, update with
the whole rule, enable, disable, delete), none in check mode.

A one-off window whose ``start`` or ``end`` is relative to the run (``now``,
``+1h``, ``today``) is worked out when the rule is created. While that
window has not ended, later runs keep it as it is: a second run of a deploy
play neither moves nor stretches it (``changed: false``). Once it has ended,
the next run sets a new window from that run's time. Absolute times are
compared as they are, so a change to them is an update.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.flashcat.flashduty.plugins.module_utils.channels import channel_by_name, list_channels
from ansible_collections.flashcat.flashduty.plugins.module_utils.errors import ValidationError
from ansible_collections.flashcat.flashduty.plugins.module_utils.silence_rules import (
    body_of,
    create_rule,
    delete_rule,
    list_rules,
    one_rule,
    same,
    set_enabled,
    update_rule,
    view,
)
from ansible_collections.flashcat.flashduty.plugins.module_utils.timeparse import (
    is_relative,
    parse_duration,
    parse_time,
)

# The fields an update sends (``enabled`` is its own call).
CONTENT_FIELDS = ("rule_name", "description", "priority", "window", "windows", "filters", "discard")
_HH_MM = re.compile(r"^(\d{1,2}):(\d{2})$")
# The alert severities (the API reference's enum for incidents: Critical, Warning, Info, Ok).
SEVERITIES = ("Critical", "Warning", "Info", "Ok")
OPERATORS = ("IN", "NOTIN")


def _hh_mm(value, param):
    """``HH:MM`` from ``H:MM`` or ``HH:MM``, or from the number YAML 1.1 makes of an unquoted ``22:30`` (base 60)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        value = "%d:%02d" % divmod(value, 60)
    match = _HH_MM.match(("%s" % value).strip()) if value is not None else None
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValidationError(param, "expected a time of day as HH:MM (00:00 to 23:59), got %r" % (value,))
    return "%02d:%02d" % (int(match.group(1)), int(match.group(2)))


def _text_values(values, param):
    """A condition's values: one or a list, each a non-empty string (numbers become text)."""
    if not isinstance(values, list):
        values = [values]
    out = []
    for index, value in enumerate(values):
        if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
            raise ValidationError("%s[%d]" % (param, index), "expected a text value, got %r" % (value,))
        text = "%s" % value
        if not text:
            raise ValidationError("%s[%d]" % (param, index), "must not be empty")
        out.append(text)
    if not out:
        raise ValidationError(param, "needs at least one value")
    return out


def _condition_values(key, values, param):
    """A condition's values (:func:`_text_values`); an alert severity must be one the server uses, case
    included (``critical`` would make a rule that silences nothing), unless it is a /pattern/."""
    out = _text_values(values, param)
    if key == "alert_severity":
        for index, text in enumerate(out):
            if text not in SEVERITIES and not (len(text) > 1 and text.startswith("/") and text.endswith("/")):
                right = [s for s in SEVERITIES if s.lower() == text.strip().lower()]
                raise ValidationError("%s[%d]" % (param, index), "%s; the severities are %s, case included, got %r"
                                      % ("write %r" % right[0] if right else "no alert has this severity",
                                         ", ".join(SEVERITIES), text))
    return out


def wanted_filters(params):
    """``filters`` or the one AND group of ``match``, checked; None when neither is given."""
    if params.get("match") is not None:
        match = params["match"]
        if not match:
            raise ValidationError("match", "needs at least one key")
        return [[{"key": key, "oper": "IN", "vals": _condition_values(key, match[key], "match.%s" % key)}
                 for key in sorted(match)]]
    filters = params.get("filters")
    if filters is None:
        return None
    if not filters:
        raise ValidationError("filters", "needs at least one group (the API refuses an empty filter)")
    groups = []
    for g, group in enumerate(filters):
        if not isinstance(group, list) or not group:
            raise ValidationError("filters[%d]" % g, "each group is a non-empty list of conditions {key, oper, vals}")
        conditions = []
        for c, cond in enumerate(group):
            param = "filters[%d][%d]" % (g, c)
            if not isinstance(cond, dict):
                raise ValidationError(param, "expected a condition {key, oper, vals}, got %r" % (cond,))
            unknown = sorted(set(cond) - set(("key", "oper", "vals")))
            if unknown:
                raise ValidationError(param, "unknown field(s): %s (a condition has key, oper, vals)"
                                      % ", ".join(unknown))
            key = cond.get("key")
            if not isinstance(key, str) or not key:
                raise ValidationError(param + ".key", "is required: an alert field such as alert_severity, or "
                                      "labels.<name>")
            oper = cond.get("oper", "IN")
            if oper not in OPERATORS:
                raise ValidationError(param + ".oper", "must be IN or NOTIN, got %r" % (oper,))
            vals = _condition_values(key, cond.get("vals"), param + ".vals")
            conditions.append({"key": key, "oper": oper, "vals": vals})
        groups.append(conditions)
    return groups


def wanted_windows(params):
    windows = []
    for index, window in enumerate(params["windows"]):
        param = "windows[%d]" % index
        weekdays = window.get("weekdays") or []
        for day in weekdays:
            if not 0 <= day <= 6:
                raise ValidationError(param + ".weekdays", "weekdays run from 0 (Sunday) to 6 (Saturday), got %d"
                                      % day)
        start, end = _hh_mm(window.get("start"), param + ".start"), _hh_mm(window.get("end"), param + ".end")
        if end <= start:
            raise ValidationError(param + ".end", "must be after start (%s), got %s; split a window over midnight "
                                  "in two" % (start, end))
        windows.append({"start": start, "end": end, "weekdays": sorted(set(weekdays)),
                        "calendar_id": window.get("calendar_id") or "", "is_off": bool(window.get("is_off"))})
    if not windows:
        raise ValidationError("windows", "needs at least one window")
    return windows


def wanted_window(params, now, current):
    """The one-off window ``{start, end}`` (Unix seconds) the options ask for.

    A relative window (see the module's text) is kept while the current one
    has not ended.
    """
    if params.get("end") is None and params.get("duration") is None:
        raise ValidationError("start", "needs end or duration")
    start = parse_time(params["start"], now, "start")
    if params.get("end") is not None:
        end = parse_time(params["end"], now, "end")
    else:
        end = start + parse_duration(params["duration"], "duration", minimum=1)
    relative = is_relative(params["start"]) or is_relative(params.get("end"))
    if relative and current is not None and current["window"] is not None and current["window"]["end"] > now:
        return dict(current["window"])
    return {"start": start, "end": end}


def wanted_view(params, now, current):
    """The rule the options ask for: ``current`` with the options given laid over it."""
    wanted = dict(current) if current is not None else {
        "description": "", "priority": 0, "window": None, "windows": None, "filters": None, "discard": False}
    wanted["rule_name"] = params["rule_name"]
    wanted["enabled"] = params["enabled"]
    for option, field in (("description", "description"), ("priority", "priority"), ("discard", "discard")):
        if params.get(option) is not None:
            wanted[field] = params[option]
    filters = wanted_filters(params)
    if filters is not None:
        wanted["filters"] = filters
    if params.get("start") is not None:
        wanted["window"], wanted["windows"] = wanted_window(params, now, current), None
    elif params.get("windows") is not None:
        wanted["window"], wanted["windows"] = None, wanted_windows(params)
    if current is None:
        if wanted["filters"] is None:
            raise ValidationError("filters", "filters or match is needed to create rule %r (the API refuses a rule "
                                  "without a filter)" % params["rule_name"])
        if wanted["window"] is None and wanted["windows"] is None:
            raise ValidationError("start", "a window (start with end or duration, or windows) is needed to create "
                                  "rule %r" % params["rule_name"])
    else:
        # Fields equal as sets keep the API's spelling: no update, and a diff without noise.
        for field in CONTENT_FIELDS:
            if same(field, current[field], wanted[field]):
                wanted[field] = current[field]
    return wanted


def find_channel(client, params):
    """``(channel_id, channel_name)`` of the channel the options name."""
    if params.get("channel_id") is not None:
        if params["channel_id"] < 1:
            raise ValidationError("channel_id", "must be a channel's id (a positive number), got %d"
                                  % params["channel_id"])
        return params["channel_id"], None
    channel = channel_by_name(list_channels(client, concurrency=1), params["channel_name"])
    return channel["channel_id"], channel["channel_name"]


def plan(before, after):
    """The calls that make ``before`` (a view or None) into ``after`` (a view or None)."""
    if after is None:
        return ["delete"] if before is not None else []
    if before is None:
        return ["create"] + ([] if after["enabled"] else ["disable"])
    calls = ["update"] if any(not same(f, before[f], after[f]) for f in CONTENT_FIELDS) else []
    if before["enabled"] != after["enabled"]:
        calls.append("enable" if after["enabled"] else "disable")
    return calls


# A valid rule the options are laid over to check them before anything is sent.
_PROBE = {"rule_name": "probe", "description": "", "priority": 0, "window": {"start": 1, "end": 2}, "windows": None,
          "filters": [[{"key": "check", "oper": "IN", "vals": ["probe"]}]], "discard": False, "enabled": True}


def check_options(params, now):
    """Every option given, checked as the rule's body would be, with no request sent."""
    if params["state"] == "present":
        body_of(wanted_view(params, now, _PROBE), params.get("channel_id") or 1)
    else:
        body_of(dict(_PROBE, rule_name=params["rule_name"]), 1)


def run(module, client, now):
    """The module's whole run: find the channel and the rule, work out the calls, send them (not in check mode)."""
    params = module.params
    check_options(params, now)
    channel_id, channel_name = find_channel(client, params)
    label = "%r (%s)" % (channel_name, channel_id) if channel_name is not None else "%s" % channel_id
    current = one_rule(list_rules(client, channel_id), params["rule_name"], label)
    before = view(current) if current is not None else None
    after = wanted_view(params, now, before) if params["state"] == "present" else None
    rule_id = current.get("rule_id") if current is not None else None
    body = None
    if after is not None:
        # Checked before anything is sent, in check mode too.
        body = body_of(after, channel_id, rule_id=rule_id,
                       from_incident_id=current.get("from_incident_id") if current is not None else None)
    calls = plan(before, after)
    if calls and not module.check_mode:
        for call in calls:
            if call == "create":
                rule_id = create_rule(client, body)
            elif call == "update":
                update_rule(client, body)
            elif call == "delete":
                delete_rule(client, channel_id, rule_id)
            else:
                set_enabled(client, channel_id, rule_id, call == "enable")
    rule = current
    if calls and not module.check_mode and after is not None:
        # What the server holds now: its status and whether the rule is in effect.
        rule = next((r for r in list_rules(client, channel_id) if r.get("rule_id") == rule_id), None)
    elif calls:
        rule = None
    result = {
        "changed": bool(calls),
        "calls": calls,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "rule_id": rule_id,
        "rule": rule,
        "status": _status(rule, after, calls),
        "is_effective": rule.get("is_effective") if rule is not None else (False if after is None else None),
        "request_ids": list(client.request_ids),
    }
    if module._diff:
        result["diff"] = {"before": before or {}, "after": after or {}}
    return result


def _status(rule, after, calls):
    if after is None:
        return "absent"
    if rule is not None and rule.get("status"):
        return rule["status"]
    return "enabled" if after["enabled"] else "disabled"
