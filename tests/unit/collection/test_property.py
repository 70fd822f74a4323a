# -*- coding: utf-8 -*-
"""Property: whatever a playbook passes, the modules either send bodies the
API's schema accepts, or fail naming the parameter and send nothing.
Never a traceback."""

from __future__ import absolute_import, division, print_function

import json

import jsonschema
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from support import DEFAULT_APP_KEY, Simulator
from ansible_collections.flashcat.flashduty.plugins.module_utils.schemas import INSIGHT_TEAM_EXPORT, SCHEDULE_LIST
from ansible_collections.flashcat.flashduty.plugins.modules import flashduty_insight_export as export_module
from ansible_collections.flashcat.flashduty.plugins.modules import flashduty_schedule_info as schedule_module

PROPERTY_SETTINGS = settings(max_examples=200, deadline=None, derandomize=True,
                             suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(scope="module")
def server():
    sim = Simulator(limits="off", schedules=40).start()
    yield sim
    sim.stop()


anything = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-2 ** 70, max_value=2 ** 70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=40),
    st.lists(st.integers(min_value=-2 ** 66, max_value=2 ** 66), max_size=130),
    st.lists(st.text(max_size=30), max_size=60),
    st.dictionaries(st.text(max_size=6), st.one_of(st.text(max_size=6), st.integers()), max_size=3),
)
times = st.one_of(
    st.sampled_from(["now", "-7d", "-1d", "+1d", "today", "today-3d", "2026-05-01", "2026-05-20T10:00:00+08:00",
                     "-40d", "-400d", "0", "1779667200", "yesterday", "-1x", ""]),
    st.integers(min_value=-10, max_value=2 ** 40), anything)
ids = st.one_of(st.lists(st.integers(min_value=1, max_value=2 ** 62), max_size=3),
                st.lists(st.integers(min_value=1, max_value=9), min_size=99, max_size=102), anything)

EXPORT_VALUES = {
    "start_time": times, "end_time": times, "team_ids": ids, "channel_ids": ids, "responder_ids": ids,
    "severities": st.one_of(st.lists(st.sampled_from(["Critical", "Warning", "Info", "Ok", "Fatal"]), max_size=5),
                            anything),
    "incident_ids": st.one_of(st.lists(st.from_regex(r"\A[0-9a-fA-F]{22,25}\Z"), max_size=3), anything),
    "query": st.one_of(st.text(max_size=50), anything), "labels": anything, "fields": anything,
    "orderby": st.one_of(st.just("created_at"), anything), "asc": anything, "is_my_team": anything,
    "time_zone": st.one_of(st.sampled_from(["UTC", "Asia/Shanghai", "Europe/Paris", "Mars/Base", "../x", ""]),
                           anything),
    "seconds_to_close_from": anything, "seconds_to_close_to": anything,
    "seconds_to_ack_from": st.one_of(st.integers(-5, 5), anything), "seconds_to_ack_to": st.integers(-5, 5),
    "export_fields": st.one_of(st.lists(st.sampled_from(["team_id", "team_name", "hours", "nope"]), max_size=60),
                               anything),
    "description_html_to_text": anything, "split_hours": anything,
    "aggregate_unit": st.one_of(st.sampled_from(["day", "week", "month", "hour"]), anything),
    "split_range": anything, "language": st.one_of(st.sampled_from(["en-US", "zh-CN"]), st.text(max_size=12)),
}
SCHEDULE_VALUES = {
    "query": st.one_of(st.text(max_size=40), anything), "name": st.one_of(st.text(max_size=20), anything),
    "team_ids": ids, "is_my_team": anything, "is_my_manage": anything, "start": times, "end": times,
    "page": st.one_of(st.integers(-2, 120), anything), "limit": st.one_of(st.integers(-2, 120), anything),
}


def optional_args(values):
    return st.fixed_dictionaries({}, optional=values)


def check(run_module, server, module, args, schema, tmp_path):
    before = len(server.log)
    result = run_module(module, dict(args, app_key=DEFAULT_APP_KEY, base_url=server.url, pacing=False,
                                     pacing_dir=str(tmp_path / "pacing"), max_retries=0))
    sent = server.log[before:]
    text = json.dumps(result)
    assert "Traceback" not in text
    event("rejected" if result.get("failed") else "accepted")
    if result.get("failed"):
        assert sent == [], "rejected input reached the server: %s" % result["msg"]
        named = [name for name in args if name in result["msg"]]
        assert named, "the message names no parameter: %s (args %r)" % (result["msg"], sorted(args))
    else:
        assert sent, result
        for entry in sent:
            jsonschema.validate(entry["body"], schema)
            assert entry["status"] == 200, entry


@PROPERTY_SETTINGS
@given(args=optional_args(EXPORT_VALUES))
def test_export_parameters(run_module, server, tmp_path, args):
    args.setdefault("start_time", "-7d")
    args.setdefault("end_time", "now")
    check(run_module, server, export_module, args, INSIGHT_TEAM_EXPORT, tmp_path)


@PROPERTY_SETTINGS
@given(args=optional_args(SCHEDULE_VALUES))
def test_schedule_parameters(run_module, server, tmp_path, args):
    check(run_module, server, schedule_module, args, SCHEDULE_LIST, tmp_path)
