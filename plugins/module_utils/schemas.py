# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""JSON Schemas of the request bodies, and the rules a schema cannot say.

The schemas are derived from the vendor's pages for POST /schedule/list and
POST /insight/team/export (every type, enum, maximum, maxItems and pattern
they state). They live here, in Python, so they travel with the modules;
``make schemas`` writes them to ``docs/schemas/`` and a test keeps the two
in step. :func:`check_schema` checks a body against a schema
(``schema_check``: the keywords these schemas use, as the library
jsonschema reads them) and the ``validate_*`` functions add the cross-field
rules; they raise :class:`ValidationError` naming the option and the rule
in plain words, before anything is sent.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.flashcat.flashduty.plugins.module_utils import endpoints
from ansible_collections.flashcat.flashduty.plugins.module_utils.errors import ValidationError
from ansible_collections.flashcat.flashduty.plugins.module_utils.schema_check import iter_errors
from ansible_collections.flashcat.flashduty.plugins.module_utils.timeparse import DAY, describe_time, get_zone

INT64 = {"type": "integer", "minimum": -(2 ** 63), "maximum": 2 ** 63 - 1}
# A list of ids, at most as many as one request carries.
ID_LIST = {"type": "array", "items": INT64, "maxItems": endpoints.ID_BATCH}
SCHEDULE_MAX_WINDOW = 45 * DAY

SCHEDULE_LIST = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://flashcat.flashduty/schemas/schedule_list.json",
    "title": "POST /schedule/list request body",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "query": {"type": "string", "description": "Keyword matched against schedule names."},
        "p": {"type": "integer", "minimum": 1, "default": 1, "description": "Page number, from 1."},
        "limit": {"type": "integer", "minimum": 1, "maximum": endpoints.SCHEDULE_LIST.page_limit, "default": 10,
                  "description": "Items per page."},
        "is_my_team": {"type": "boolean"},
        "is_my_manage": {"type": "boolean"},
        "team_ids": {"type": "array", "items": INT64},
        "start": dict(INT64, description="Window start, Unix seconds; goes with end."),
        "end": dict(INT64, description="Window end, Unix seconds; goes with start."),
    },
}

SEVERITIES = ["Critical", "Warning", "Info", "Ok"]
EXPORT_FIELDS = [
    "team_id", "team_name", "total_incident_cnt", "total_incidents_acknowledged",
    "total_incidents_closed", "total_incidents_auto_closed", "total_incidents_manually_closed",
    "total_incidents_timeout_closed", "total_incidents_escalated", "total_incidents_manually_escalated",
    "total_incidents_timeout_escalated", "total_incidents_reassigned", "total_interruptions",
    "total_notifications", "total_engaged_seconds", "mean_seconds_to_ack", "mean_seconds_to_close",
    "noise_reduction_pct", "acknowledgement_pct", "total_alert_cnt", "total_alert_event_cnt", "hours",
]
AGGREGATE_UNITS = ["day", "week", "month"]
EXPORT_MAX_RANGE = 365 * DAY
EXPORT_MAX_DAY_RANGE = 31 * DAY
EXPORT_MIN_AGGREGATE_RANGE = DAY

# Metrics the responder items and export carry (the vendor's reference: the responder's subset).
RESPONDER_METRICS = [
    "total_incident_cnt", "total_incidents_acknowledged", "total_incidents_escalated",
    "total_incidents_manually_escalated", "total_incidents_timeout_escalated", "total_incidents_reassigned",
    "total_interruptions", "total_notifications", "total_engaged_seconds", "mean_seconds_to_ack",
    "acknowledgement_pct",
]
# The export_fields keys of each dimension's export, in the vendor's order: the dimension's id and
# name columns in place of the team's.
EXPORT_FIELDS_BY_DIMENSION = {
    "team": EXPORT_FIELDS,
    "channel": ["channel_id", "channel_name"] + EXPORT_FIELDS[2:],
    "responder": ["responder_id", "responder_name"] + RESPONDER_METRICS + ["hours"],
}
DIMENSIONS = ["team", "responder", "channel"]


def _insight_properties(extra=None, tail=None):
    """The insight filter envelope, the one definition the JSON endpoints and the exports share.

    ``extra`` (an export's own fields) go before ``split_hours`` and ``tail`` after
    ``aggregate_unit``, so that errors keep the order of the vendor's page.
    """
    properties = {
        "start_time": dict(INT64, exclusiveMinimum=0, description="Unix seconds, greater than 0."),
        "end_time": dict(INT64, description="Unix seconds, greater than start_time."),
        "team_ids": ID_LIST,
        "channel_ids": ID_LIST,
        "responder_ids": ID_LIST,
        "severities": {"type": "array", "maxItems": 3, "items": {"type": "string", "enum": SEVERITIES}},
        "incident_ids": {"type": "array", "maxItems": endpoints.ID_BATCH,
                         "items": {"type": "string", "pattern": "^[0-9a-fA-F]{24}$"}},
        "query": {"type": "string"},
        "labels": {"type": "object"},
        "fields": {"type": "object"},
        "orderby": {"type": "string", "enum": ["created_at"]},
        "asc": {"type": "boolean"},
        "is_my_team": {"type": "boolean"},
        "time_zone": {"type": "string", "description": "IANA time zone name."},
        "seconds_to_close_from": INT64,
        "seconds_to_close_to": INT64,
        "seconds_to_ack_from": INT64,
        "seconds_to_ack_to": INT64,
    }
    properties.update(extra or {})
    properties["split_hours"] = {"type": "boolean"}
    properties["aggregate_unit"] = {"type": "string", "enum": AGGREGATE_UNITS}
    properties.update(tail or {})
    return properties


def _insight_schema(name, title, extra=None, tail=None):
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://flashcat.flashduty/schemas/%s.json" % name,
        "title": title,
        "type": "object",
        "additionalProperties": False,
        "required": ["start_time", "end_time"],
        "properties": _insight_properties(extra, tail),
    }


def _export_schema(dimension):
    name = "insight_%s_export" % dimension
    return _insight_schema(
        name, "POST /insight/%s/export request body" % dimension,
        extra={"export_fields": {"type": "array", "maxItems": 50,
                                 "items": {"type": "string", "enum": EXPORT_FIELDS_BY_DIMENSION[dimension]}},
               "description_html_to_text": {"type": "boolean"}},
        tail={"include_ever_muted": {"type": "boolean",
                                     "description": "Count incidents that were ever muted (left out unless true)."}})


INSIGHT_TEAM_EXPORT = _export_schema("team")
INSIGHT_RESPONDER_EXPORT = _export_schema("responder")
INSIGHT_CHANNEL_EXPORT = _export_schema("channel")
# POST /insight/team, /insight/responder and /insight/channel: the same filter envelope, as JSON.
INSIGHT_QUERY = _insight_schema("insight_query", "POST /insight/team, /insight/responder, /insight/channel "
                                "request body")
INSIGHT_EXPORT_SCHEMAS = {"team": INSIGHT_TEAM_EXPORT, "responder": INSIGHT_RESPONDER_EXPORT,
                          "channel": INSIGHT_CHANNEL_EXPORT}

# The companion endpoints that turn ids into names (the vendor's reference).
PERSON_INFOS = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://flashcat.flashduty/schemas/person_infos.json",
    "title": "POST /person/infos request body",
    "type": "object",
    "additionalProperties": False,
    "required": ["person_ids"],
    "properties": {
        "person_ids": {"type": "array", "items": INT64, "minItems": 1, "maxItems": endpoints.PERSON_INFOS.id_batch,
                       "description": "Person ids (not member ids); unknown ids are left out of the answer."},
    },
}
TEAM_INFOS = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://flashcat.flashduty/schemas/team_infos.json",
    "title": "POST /team/infos request body",
    "type": "object",
    "additionalProperties": False,
    "required": ["team_ids"],
    "properties": {
        "team_ids": dict(ID_LIST, maxItems=endpoints.TEAM_INFOS.id_batch, minItems=1),
    },
}
TEAM_LIST = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://flashcat.flashduty/schemas/team_list.json",
    "title": "POST /team/list request body",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "p": {"type": "integer", "minimum": 1, "default": 1, "description": "Page number, from 1."},
        "limit": {"type": "integer", "minimum": 1, "maximum": endpoints.TEAM_LIST.page_limit, "default": 20},
        "orderby": {"type": "string", "enum": ["created_at", "updated_at", "team_name"]},
        "asc": {"type": "boolean"},
        "person_id": INT64,
        "query": {"type": "string", "description": "Matched loosely against team names."},
    },
}


# Channels and their silence rules (the vendor's current reference).
def _body_schema(name, path, properties, required=None):
    """A request body's schema: an object of exactly these properties."""
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
              "$id": "https://flashcat.flashduty/schemas/%s.json" % name, "title": "POST %s request body" % path,
              "type": "object", "additionalProperties": False, "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


def _paging_fields(endpoint, default_limit):
    """``p`` and ``limit`` of an offset-paged list."""
    return {"p": {"type": "integer", "minimum": 1, "default": 1, "description": "Page number, from 1."},
            "limit": {"type": "integer", "minimum": 1, "maximum": endpoint.page_limit, "default": default_limit}}


CHANNEL_LIST = _body_schema("channel_list", "/channel/list", dict(
    _paging_fields(endpoints.CHANNEL_LIST, 100),
    orderby={"type": "string", "enum": ["ranking", "created_at", "updated_at", "channel_name", "last_incident_at"]},
    asc={"type": "boolean"},
    is_my_managed={"type": "boolean"},
    is_my_starred={"type": "boolean"},
    is_my_team={"type": "boolean", "description": "Not together with is_my_starred."},
    is_brief={"type": "boolean"},
    team_ids={"type": "array", "items": INT64},
    query={"type": "string", "description": "Matched loosely against channel names."},
    channel_ids={"type": "array", "items": INT64},
    channel_name={"type": "string", "description": "An exact channel name."},
))
RULE_ID = {"type": "string", "pattern": "^[0-9a-fA-F]{24}$", "description": "24 hexadecimal digits."}
HH_MM = {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "description": "HH:MM, 00:00 to 23:59."}
SILENCE_CONDITION = {
    "type": "object",
    "additionalProperties": False,
    "required": ["key", "oper", "vals"],
    "properties": {
        "key": {"type": "string", "minLength": 1,
                "description": "A built-in alert field (alert_severity, check, resource, ...) or labels.<name>."},
        "oper": {"type": "string", "enum": ["IN", "NOTIN"]},
        "vals": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1},
                 "description": "Values; one wrapped in slashes (/pattern/) is a regular expression."},
    },
}
SILENCE_RULE_FIELDS = {
    "channel_id": dict(INT64, minimum=1),
    "rule_name": {"type": "string", "minLength": 1, "maxLength": 39},
    "description": {"type": "string", "maxLength": 500},
    "priority": dict(INT64, description="Lower is evaluated first."),
    "time_filter": {
        "type": "object", "additionalProperties": False, "required": ["start_time", "end_time"],
        "description": "A one-off window, Unix seconds; not together with time_filters.",
        "properties": {"start_time": dict(INT64, exclusiveMinimum=0), "end_time": dict(INT64, exclusiveMinimum=0)},
    },
    "time_filters": {
        "type": "array", "minItems": 1, "description": "Recurring windows; not together with time_filter.",
        "items": {
            "type": "object", "additionalProperties": False, "required": ["start", "end"],
            "properties": {
                "start": HH_MM, "end": HH_MM,
                "repeat": {"type": "array", "maxItems": 7, "items": {"type": "integer", "minimum": 0, "maximum": 6},
                           "description": "Weekdays, 0 = Sunday to 6 = Saturday; empty = every day."},
                "cal_id": {"type": "string", "description": "A calendar's id."},
                "is_off": {"type": "boolean", "description": "Match the calendar's days off."},
            },
        },
    },
    "filters": {"type": "array", "minItems": 1, "description": "An OR of AND groups of conditions.",
                "items": {"type": "array", "minItems": 1, "items": SILENCE_CONDITION}},
    "is_directly_discard": {"type": "boolean"},
    "from_incident_id": RULE_ID,
}
SILENCE_RULE_CREATE = _body_schema("silence_rule_create", "/channel/silence/rule/create", SILENCE_RULE_FIELDS,
                                   ["channel_id", "rule_name", "filters"])
SILENCE_RULE_UPDATE = _body_schema("silence_rule_update", "/channel/silence/rule/update (the whole rule)",
                                   dict(SILENCE_RULE_FIELDS, rule_id=RULE_ID),
                                   ["channel_id", "rule_id", "rule_name", "filters"])
SILENCE_RULE_LIST = _body_schema("silence_rule_list", "/channel/silence/rule/list",
                                 {"channel_id": dict(INT64, minimum=1)}, ["channel_id"])
SILENCE_RULE_ID = _body_schema("silence_rule_id", "/channel/silence/rule/delete, /enable and /disable",
                               {"channel_id": dict(INT64, minimum=1), "rule_id": RULE_ID}, ["channel_id", "rule_id"])

# By the name an endpoint's entry in ``endpoints`` gives its schema.
SCHEMAS = {
    "schedule_list": SCHEDULE_LIST,
    "insight_team_export": INSIGHT_TEAM_EXPORT,
    "person_infos": PERSON_INFOS,
    "team_infos": TEAM_INFOS,
    "team_list": TEAM_LIST,
    "insight_query": INSIGHT_QUERY,
    "insight_responder_export": INSIGHT_RESPONDER_EXPORT,
    "insight_channel_export": INSIGHT_CHANNEL_EXPORT,
    "channel_list": CHANNEL_LIST,
    "silence_rule_list": SILENCE_RULE_LIST,
    "silence_rule_create": SILENCE_RULE_CREATE,
    "silence_rule_update": SILENCE_RULE_UPDATE,
    "silence_rule_id": SILENCE_RULE_ID,
}


def schema_of(endpoint):
    """The request schema of an :class:`endpoints.Endpoint`."""
    return SCHEMAS[endpoint.schema]


_TYPE_WORDS = {
    "integer": "a whole number", "string": "a string", "boolean": "true or false",
    "array": "a list", "object": "a dictionary", "number": "a number",
}


def _path(error, names):
    parts = list(error.absolute_path)
    if not parts:
        return None
    text = names.get(parts[0], parts[0])
    for part in parts[1:]:
        text += "[%s]" % part if isinstance(part, int) else ".%s" % part
    return text


def _short(value):
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _rule(error):
    """The broken rule of one jsonschema error, in plain words."""
    kind, limit, value = error.validator, error.validator_value, error.instance
    if kind == "type":
        return "must be %s, got %s" % (_TYPE_WORDS.get(limit, limit), _short(value))
    if kind == "maxItems":
        return "at most %d entries allowed, got %d" % (limit, len(value))
    if kind == "minItems":
        return "at least %d entries needed, got %d" % (limit, len(value))
    if kind == "maxLength":
        return "at most %d characters allowed, got %d" % (limit, len(value))
    if kind == "minLength":
        return "at least %d character%s needed, got %d" % (limit, "" if limit == 1 else "s", len(value))
    if kind == "maximum":
        return "must be at most %s, got %s" % (limit, _short(value))
    if kind == "minimum":
        return "must be at least %s, got %s" % (limit, _short(value))
    if kind == "exclusiveMinimum":
        return "must be greater than %s, got %s" % (limit, _short(value))
    if kind == "enum":
        return "must be one of %s, got %s" % (", ".join(limit), _short(value))
    if kind == "pattern":
        return "must match %s, got %s" % (limit, _short(value))
    if kind == "required":
        return "is required"
    if kind == "additionalProperties":
        return "unknown field(s): %s" % ", ".join(str(name) for name in error.detail)
    return "breaks the schema's %s rule (%r)" % (kind, limit)


def check_schema(schema, body, names=None):
    """Raise ValidationError for the first schema violation, by field order."""
    names = names or {}
    errors = list(iter_errors(schema, body))
    if not errors:
        return
    error = sorted(errors, key=lambda err: error_order(schema, err))[0]
    param = _path(error, names)
    if param is None and error.validator == "required":
        param = names.get(error.detail, error.detail)
    raise ValidationError(param, _rule(error))


def error_order(schema, error):
    """Errors sort by the schema's field order (then the path below the field); a
    missing field counts as that field, an unknown one comes last."""
    order = list(schema.get("properties", {}))
    path = list(error.absolute_path)
    head = path[0] if path else (error.detail if error.validator == "required" else "")
    return (order.index(head) if head in order else len(order), [str(p) for p in path[1:]])


def validate_schedule_list(body, names=None, written=None):
    """Schema plus the cross-field rules of POST /schedule/list.

    ``written``: the times as the user wrote them, by body field, for messages."""
    names = names or {}
    check_schema(SCHEDULE_LIST, body, names)
    if body.get("is_my_team") and body.get("is_my_manage"):
        raise ValidationError(names.get("is_my_manage", "is_my_manage"),
                              "must not be true together with is_my_team")
    page, limit = body.get("p", 1), body.get("limit", 10)
    if page * limit > endpoints.PAGING_CAP:
        raise ValidationError(names.get("p", "p"), "page * limit must be at most %d, got %d * %d"
                              % (endpoints.PAGING_CAP, page, limit))
    _check_window(body, "start", "end", names, max_span=SCHEDULE_MAX_WINDOW, strict_max=True, pair=True,
                  written=written)


def validate_insight_export(body, names=None, windows=None, zone=None, written=None, schema=None):
    """Schema plus the cross-field rules of an insight request (the team export's by default).

    ``schema``: the request's schema (:data:`INSIGHT_QUERY` for the JSON
    endpoints, one of :data:`INSIGHT_EXPORT_SCHEMAS` for the exports); the
    cross-field rules are the same for all of them.

    ``windows`` (``[start, end]`` pairs; the body's own range by default)
    are the ranges of the requests the body is sent with, each checked as
    its own request's. ``zone``: the tzinfo of ``time_zone``, when the
    caller has looked it up already. ``written``: the times as the user
    wrote them, by body field, for messages.
    """
    names = names or {}
    check_schema(schema or INSIGHT_TEAM_EXPORT, body, names)
    for start, end in windows or [[body["start_time"], body["end_time"]]]:
        whole = [start, end] == [body["start_time"], body["end_time"]]
        _check_export_range(dict(body, start_time=start, end_time=end), names, written if whole else None)
    for metric in ("seconds_to_close", "seconds_to_ack"):
        low, high = body.get(metric + "_from"), body.get(metric + "_to")
        if low is not None and high is not None and high <= low:
            raise ValidationError(names.get(metric + "_to", metric + "_to"),
                                  "must be greater than %s_from (%d), got %d" % (metric, low, high))
    if body.get("time_zone") and zone is None:
        get_zone(body["time_zone"], names.get("time_zone", "time_zone"))


def _check_export_range(body, names, written=None):
    """The rules of one export's time range (and its aggregate unit)."""
    _check_window(body, "start_time", "end_time", names, max_span=EXPORT_MAX_RANGE, written=written)
    span = body["end_time"] - body["start_time"]
    unit = body.get("aggregate_unit")
    if unit and span < EXPORT_MIN_AGGREGATE_RANGE:
        raise ValidationError(names.get("aggregate_unit", "aggregate_unit"),
                              "needs a time range of at least 24 hours, got %s" % _span_words(span))
    if unit == "day" and span > EXPORT_MAX_DAY_RANGE:
        raise ValidationError(names.get("aggregate_unit", "aggregate_unit"),
                              "'day' allows a time range of at most 31 days, got %s" % _span_words(span))


def validate_team_list(body):
    """Schema plus the paging cap of POST /team/list."""
    check_schema(TEAM_LIST, body)
    if body.get("p", 1) * body.get("limit", 20) > endpoints.PAGING_CAP:
        raise ValidationError("p", "page * limit must be at most %d" % endpoints.PAGING_CAP)


def validate_channel_list(body):
    """Schema plus the paging cap and the one exclusive pair of POST /channel/list."""
    check_schema(CHANNEL_LIST, body)
    if body.get("is_my_team") and body.get("is_my_starred"):
        raise ValidationError("is_my_team", "must not be true together with is_my_starred")
    if body.get("p", 1) * body.get("limit", 100) > endpoints.PAGING_CAP:
        raise ValidationError("p", "page * limit must be at most %d" % endpoints.PAGING_CAP)


def validate_silence_rule(body, names=None):
    """Schema plus the cross-field rules of a silence rule's create or update body.

    Exactly one of ``time_filter`` (one-off) and ``time_filters`` (recurring);
    a window's start before its end. ``names`` maps body fields to options.
    """
    names = names or {}
    check_schema(SILENCE_RULE_UPDATE if "rule_id" in body else SILENCE_RULE_CREATE, body, names)
    one_off, recurring = body.get("time_filter"), body.get("time_filters")
    if (one_off is None) == (recurring is None):
        raise ValidationError(names.get("time_filter", "time_filter"),
                              "give exactly one of a one-off window (start with end or duration) and recurring "
                              "windows, got %s" % ("both" if one_off is not None else "neither"))
    if one_off is not None:
        window_names = {"start_time": names.get("start", "start"), "end_time": names.get("end", "end")}
        _check_window(one_off, "start_time", "end_time", window_names, max_span=float("inf"))
    for index, window in enumerate(recurring or []):
        if window["end"] <= window["start"]:
            raise ValidationError("%s[%d].end" % (names.get("time_filters", "time_filters"), index),
                                  "must be after start (%s), got %s; split a window over midnight in two"
                                  % (window["start"], window["end"]))


def validate_header_value(param, value):
    """A value sent as an HTTP header: printable ASCII, at most 200 characters."""
    if value is None:
        return
    if len(value) > 200 or any(not (" " <= char <= "~") for char in value):
        raise ValidationError(param, "must be printable ASCII of at most 200 characters (it is sent as an HTTP "
                              "header), got %r" % (value[:60],))


def _span_words(seconds):
    if seconds % DAY == 0:
        return "%d days" % (seconds // DAY)
    return "%.1f days" % (seconds / float(DAY))


def _check_window(body, start_key, end_key, names, max_span, strict_max=False, pair=False, written=None):
    start, end = body.get(start_key), body.get(end_key)
    start_name, end_name = names.get(start_key, start_key), names.get(end_key, end_key)
    if pair and (start is None) != (end is None):
        missing = end_name if end is None else start_name
        raise ValidationError(missing, "%s and %s go together: give both or neither" % (start_name, end_name))
    if start is None or end is None:
        return
    if end <= start:
        written = written or {}
        raise ValidationError(end_name, "must be after %s %s, got %s"
                              % (start_name, describe_time(start, written.get(start_key)),
                                 describe_time(end, written.get(end_key))))
    span = end - start
    too_long = span >= max_span if strict_max else span > max_span
    if too_long:
        raise ValidationError(end_name, "the range from %s to %s must be %s %s, got %s"
                              % (start_name, end_name, "under" if strict_max else "at most",
                                 _span_words(max_span), _span_words(span)))
