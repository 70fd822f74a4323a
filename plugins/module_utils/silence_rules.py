# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A channel's silence rules: reading them, their normal form, and the writes.

The normal form (:func:`view`) is what the modules compare and show in a
diff: the options' names (``window``, ``windows``, ``filters``, ``discard``,
``enabled``) with every value in one spelling, whichever way the API sends a
rule (the kind of window a rule does not have may be missing, null or zero;
``description`` missing when empty). :func:`same` compares two views,
reading filters and weekdays as the sets they are.

No write is sent twice blindly (the endpoints are not idempotent): after a
timeout or a 5xx on create, :func:`create_rule` reads the channel's rules
before trying again, so a rule is never made twice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.flashcat.flashduty.plugins.module_utils.channels import channel_by_name, list_channels
from ansible_collections.flashcat.flashduty.plugins.module_utils.endpoints import (
    SILENCE_RULE_CREATE,
    SILENCE_RULE_DELETE,
    SILENCE_RULE_DISABLE,
    SILENCE_RULE_ENABLE,
    SILENCE_RULE_LIST,
    SILENCE_RULE_UPDATE,
)
from ansible_collections.flashcat.flashduty.plugins.module_utils.errors import ApiError, FlashdutyError
from ansible_collections.flashcat.flashduty.plugins.module_utils.paging import answer_items
from ansible_collections.flashcat.flashduty.plugins.module_utils.parallel import map_ordered
from ansible_collections.flashcat.flashduty.plugins.module_utils.schemas import (
    SILENCE_RULE_ID,
    SILENCE_RULE_LIST as LIST_SCHEMA,
    check_schema,
    validate_silence_rule,
)

# Body field -> module option, for messages.
OPTION_NAMES = {"time_filter": "start", "time_filters": "windows", "is_directly_discard": "discard",
                "start": "start", "end": "end"}
PERMISSION_HINT = {
    "read": 'the app key has no "Channels Read" permission, which reading silence rules needs',
    "write": 'the app key has no "Channels Manage" permission, which changing silence rules needs',
}


class DuplicateRules(FlashdutyError):
    """Two or more rules of one channel carry the name that identifies a rule."""


def _permission(err, kind):
    """An AccessDenied as one line that says which permission is missing."""
    if isinstance(err, ApiError) and err.code == "AccessDenied":
        err.msg = "%s (HTTP 403 AccessDenied%s)" % (
            PERMISSION_HINT[kind], ", request_id %s" % err.request_id if err.request_id else "")
    return err


def list_rules(client, channel_id):
    """The silence rules of one channel, as the API sends them."""
    body = {"channel_id": channel_id}
    check_schema(LIST_SCHEMA, body, {"channel_id": "channel_id"})
    try:
        response = client.post(SILENCE_RULE_LIST.path, body)
    except FlashdutyError as err:
        raise _permission(err, "read")
    return answer_items(response, SILENCE_RULE_LIST.path, lenient=True)


def rules_named(rules, name):
    return [rule for rule in rules if rule.get("rule_name") == name]


def one_rule(rules, name, channel):
    """The rule named ``name`` or None; :class:`DuplicateRules` when several are."""
    found = rules_named(rules, name)
    if len(found) > 1:
        raise DuplicateRules("%d silence rules of channel %s are named %r (rule ids %s): a rule's name must identify "
                             "it; delete or rename all but one, then run again"
                             % (len(found), channel, name, ", ".join(str(r.get("rule_id")) for r in found)))
    return found[0] if found else None


# ------------------------------------------------------------ normal form
def _window(item):
    one_off = item.get("time_filter")
    if isinstance(one_off, dict) and (one_off.get("start_time") or one_off.get("end_time")):
        return {"start": one_off.get("start_time"), "end": one_off.get("end_time")}
    return None


def _windows(item):
    recurring = item.get("time_filters")
    if not recurring:
        return None
    return [{"start": w.get("start"), "end": w.get("end"), "weekdays": sorted(set(w.get("repeat") or [])),
             "calendar_id": w.get("cal_id") or "", "is_off": bool(w.get("is_off"))}
            for w in recurring if isinstance(w, dict)]


def _filters(item):
    return [[{"key": c.get("key"), "oper": c.get("oper"), "vals": list(c.get("vals") or [])}
             for c in group if isinstance(c, dict)] for group in item.get("filters") or [] if isinstance(group, list)]


def view(item):
    """A rule the API holds, in the normal form (see the module's text)."""
    return {
        "rule_name": item.get("rule_name"),
        "description": item.get("description") or "",
        "priority": item.get("priority") or 0,
        "window": _window(item),
        "windows": _windows(item),
        "filters": _filters(item),
        "discard": bool(item.get("is_directly_discard")),
        "enabled": item.get("status", "enabled") != "disabled",
    }


def _canonical(field, value):
    """A value as compared: filters and windows are sets, a condition's values too."""
    if field == "filters":
        groups = [sorted((c["key"], c["oper"], sorted(c["vals"])) for c in group) for group in value or []]
        return sorted(groups)
    if field == "windows" and value is not None:
        return sorted(sorted(w.items()) for w in value)
    return value


def same(field, one, two):
    return _canonical(field, one) == _canonical(field, two)


def body_of(rule_view, channel_id, rule_id=None, from_incident_id=None):
    """The whole rule (create or update body) from a view."""
    body = {"channel_id": channel_id, "rule_name": rule_view["rule_name"], "description": rule_view["description"],
            "priority": rule_view["priority"], "filters": rule_view["filters"],
            "is_directly_discard": rule_view["discard"]}
    if rule_id is not None:
        body["rule_id"] = rule_id
    if rule_view["window"] is not None:
        body["time_filter"] = {"start_time": rule_view["window"]["start"], "end_time": rule_view["window"]["end"]}
    if rule_view["windows"] is not None:
        body["time_filters"] = []
        for window in rule_view["windows"]:
            entry = {"start": window["start"], "end": window["end"], "repeat": window["weekdays"]}
            if window["calendar_id"]:
                entry["cal_id"] = window["calendar_id"]
            if window["is_off"]:
                entry["is_off"] = True
            body["time_filters"].append(entry)
    if from_incident_id:
        body["from_incident_id"] = from_incident_id
    validate_silence_rule(body, OPTION_NAMES)
    return body


# ------------------------------------------------------------------ writes
def _write(client, endpoint, body, what):
    """Send one write; a failure says which permission is missing, or that the write may have happened."""
    try:
        return client.post(endpoint.path, body)
    except FlashdutyError as err:
        _permission(err, "write")
        if err.retryable:
            err.msg = ("%s: %s; the server may or may not have done it. Run the task again: it reads the rule "
                       "first and sends only what is still needed" % (what, err.msg))
        raise err


def create_rule(client, body):
    """Create a rule; return its id.

    After a timeout or a 5xx the server may have made the rule, so before
    each new try the channel's rules are read: a rule of that name found
    there is the one this call made, and is not made again.
    """
    waits = iter(client.backoff)
    attempts = 0
    while True:
        attempts += 1
        try:
            response = client.post(SILENCE_RULE_CREATE.path, body)
        except FlashdutyError as err:
            _permission(err, "write")
            if not err.retryable or attempts > client.max_retries:
                if err.retryable:
                    err.msg = ("creating silence rule %r: %s; the server may or may not have made it. Run the task "
                               "again: it finds the rule by name first" % (body["rule_name"], err.msg))
                raise err
            client.warn("creating silence rule %r failed (%s); the server may have made it, so the channel's "
                        "rules are read before trying again" % (body["rule_name"], err.msg))
            client.sleep(next(waits))
            made = one_rule(list_rules(client, body["channel_id"]), body["rule_name"], body["channel_id"])
            if made is not None:
                return made.get("rule_id")
            continue
        data = response.data if isinstance(response.data, dict) else {}
        if data.get("rule_id"):
            return data["rule_id"]
        made = one_rule(list_rules(client, body["channel_id"]), body["rule_name"], body["channel_id"])
        return made.get("rule_id") if made is not None else None


def update_rule(client, body):
    _write(client, SILENCE_RULE_UPDATE, body, "updating silence rule %s" % body.get("rule_id"))


def _by_id(client, endpoint, channel_id, rule_id, what):
    body = {"channel_id": channel_id, "rule_id": rule_id}
    check_schema(SILENCE_RULE_ID, body)
    _write(client, endpoint, body, "%s silence rule %s" % (what, rule_id))


def delete_rule(client, channel_id, rule_id):
    _by_id(client, SILENCE_RULE_DELETE, channel_id, rule_id, "deleting")


def set_enabled(client, channel_id, rule_id, enabled):
    if enabled:
        _by_id(client, SILENCE_RULE_ENABLE, channel_id, rule_id, "enabling")
    else:
        _by_id(client, SILENCE_RULE_DISABLE, channel_id, rule_id, "disabling")


# ------------------------------------------------------- the info module
def run_info(module, client, now):
    """flashduty_silence_rule_info: the rules of one channel, or of every channel."""
    params = module.params
    concurrency = params["concurrency"]
    if params.get("channel_id") is not None:
        channels = [{"channel_id": params["channel_id"], "channel_name": None}]
    else:
        channels = list_channels(client, concurrency)
        if params.get("channel_name") is not None:
            channels = [channel_by_name(channels, params["channel_name"])]
    names = dict((c["channel_id"], c.get("channel_name")) for c in channels)
    rules = []
    for items in map_ordered(lambda channel: list_rules(client, channel["channel_id"]), channels, concurrency):
        for item in items:
            if params.get("rule_name") is not None and item.get("rule_name") != params["rule_name"]:
                continue
            item.setdefault("channel_name", names.get(item.get("channel_id")))
            rules.append(item)
    return {"changed": False, "rules": rules, "total": len(rules), "channels": len(channels),
            "request_ids": list(client.request_ids)}
