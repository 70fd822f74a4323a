# -*- coding: utf-8 -*-
"""The request-body schemas: what they reject, the words they use, and the
JSON copies under docs/schemas/."""

from __future__ import absolute_import, division, print_function

import os
import sys

import jsonschema
import pytest

from support import ROOT
from ansible_collections.flashcat.flashduty.plugins.module_utils.errors import ValidationError
from ansible_collections.flashcat.flashduty.plugins.module_utils.schemas import (
    INSIGHT_EXPORT_SCHEMAS,
    INSIGHT_QUERY,
    INSIGHT_RESPONDER_EXPORT,
    SCHEMAS,
    validate_insight_export,
    validate_schedule_list,
)

sys.path.insert(0, os.path.join(ROOT, "tests", "tools"))
import write_schemas  # noqa: E402

DAY = 86400
START = 1763000000


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_schema_files_do_not_drift(name):
    path = os.path.join(ROOT, "docs", "schemas", name + ".json")
    with open(path) as handle:
        assert handle.read() == write_schemas.render(SCHEMAS[name]), "run make schemas"


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_schemas_are_valid_draft_2020_12(name):
    jsonschema.Draft202012Validator.check_schema(SCHEMAS[name])


def export(**fields):
    body = {"start_time": START, "end_time": START + 7 * DAY}
    body.update(fields)
    return body


@pytest.mark.parametrize("body,param,words", [
    (export(start_time=0), "start_time", "must be greater than 0"),
    (export(end_time=START), "end_time", "must be after start_time"),
    (export(end_time=START + 366 * DAY), "end_time", "at most 365 days"),
    (export(team_ids=list(range(101))), "team_ids", "at most 100 entries allowed, got 101"),
    (export(channel_ids=list(range(101))), "channel_ids", "at most 100"),
    (export(responder_ids=list(range(101))), "responder_ids", "at most 100"),
    (export(team_ids=[1, "x"]), "team_ids[1]", "must be a whole number"),
    (export(team_ids=[2 ** 63]), "team_ids[0]", "must be at most"),
    (export(severities=["Critical", "Warning", "Info", "Ok"]), "severities", "at most 3 entries"),
    (export(severities=["Fatal"]), "severities[0]", "must be one of Critical, Warning, Info, Ok"),
    (export(incident_ids=["xyz"]), "incident_ids[0]", "must match ^[0-9a-fA-F]{24}$"),
    (export(incident_ids=["a" * 24] * 101), "incident_ids", "at most 100"),
    (export(export_fields=["team_name"] * 51), "export_fields", "at most 50"),
    (export(export_fields=["nope"]), "export_fields[0]", "must be one of team_id"),
    (export(seconds_to_close_from=10, seconds_to_close_to=10), "seconds_to_close_to", "greater than"),
    (export(seconds_to_ack_from=100, seconds_to_ack_to=5), "seconds_to_ack_to", "greater than"),
    (export(aggregate_unit="day", end_time=START + 3600), "aggregate_unit", "at least 24 hours"),
    (export(aggregate_unit="day", end_time=START + 32 * DAY), "aggregate_unit", "at most 31 days"),
    (export(aggregate_unit="hour"), "aggregate_unit", "must be one of day, week, month"),
    (export(time_zone="Mars/Olympus"), "time_zone", "not a known IANA time zone"),
    (export(time_zone="../../etc/passwd"), "time_zone", "not an IANA time zone"),
    (export(orderby="title"), "orderby", "must be one of created_at"),
    (export(labels=["a"]), "labels", "must be a dictionary"),
    (export(asc="yes"), "asc", "must be true or false"),
])
@pytest.mark.parametrize("schema", ["team_export", "responder_export", "channel_export", "json"])
def test_export_rules_name_the_field_and_the_rule(body, param, words, schema):
    """One definition of the filter rules: the JSON endpoints and every export apply all of them."""
    if schema == "json":
        schema = INSIGHT_QUERY
        if "export_fields" in body:
            words = "unknown field"  # used by the exports only
    else:
        dimension = schema.split("_")[0]
        schema = INSIGHT_EXPORT_SCHEMAS[dimension]
        if body.get("export_fields") == ["nope"]:
            words = "must be one of %s_id" % dimension
    with pytest.raises(ValidationError) as info:
        validate_insight_export(body, schema=schema)
    assert info.value.param == (param if words != "unknown field" else None)
    assert words in info.value.rule


def test_the_json_endpoints_and_the_exports_share_one_filter_definition():
    for schema in INSIGHT_EXPORT_SCHEMAS.values():
        shared = dict((k, v) for k, v in schema["properties"].items() if k in INSIGHT_QUERY["properties"])
        assert shared == INSIGHT_QUERY["properties"]
    with pytest.raises(ValidationError) as info:
        validate_insight_export(export(export_fields=["team_id"]), schema=INSIGHT_RESPONDER_EXPORT)
    assert info.value.param == "export_fields[0]" and "responder_id, responder_name" in info.value.rule


def test_a_valid_export_body_passes():
    validate_insight_export(export(team_ids=[1] * 100, severities=["Critical", "Ok", "Info"],
                                   incident_ids=["0123456789abcdefABCDEF01"], aggregate_unit="day",
                                   time_zone="Asia/Shanghai", seconds_to_ack_from=1, seconds_to_ack_to=2,
                                   end_time=START + 31 * DAY))


@pytest.mark.parametrize("body,param,words", [
    ({"is_my_team": True, "is_my_manage": True}, "is_my_manage", "not be true together with is_my_team"),
    ({"limit": 0}, "limit", "at least 1"),
    ({"limit": 101}, "limit", "at most 100"),
    ({"p": 0}, "page", "at least 1"),
    ({"p": 101, "limit": 100}, "page", "page * limit must be at most 10000"),
    ({"start": START}, "end", "go together"),
    ({"end": START}, "start", "go together"),
    ({"start": START, "end": START - 1}, "end", "must be after start"),
    ({"start": START, "end": START + 45 * DAY}, "end", "under 45 days"),
    ({"team_ids": ["a"]}, "team_ids[0]", "whole number"),
    ({"bogus": 1}, None, "unknown field"),
])
def test_schedule_rules_name_the_option_and_the_rule(body, param, words):
    with pytest.raises(ValidationError) as info:
        validate_schedule_list(body, {"p": "page"})
    assert info.value.param == param
    assert words in info.value.rule


def test_a_valid_schedule_body_passes():
    validate_schedule_list({"p": 100, "limit": 100, "start": START, "end": START + 45 * DAY - 1,
                            "is_my_team": True, "is_my_manage": False, "team_ids": [1, 2], "query": "x"})
