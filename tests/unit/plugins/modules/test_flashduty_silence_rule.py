# -*- coding: utf-8 -*-
"""flashduty_silence_rule against the simulator: create, a second run with no
write, each field's update, enable/disable, delete, check mode, diff, the
create retried safely, duplicate names, a key without Channels Manage."""

from __future__ import absolute_import, division, print_function

import json
import time

import pytest
import requests

from flashduty_simulator import CHANNEL_NAMES, DataSet
from support import HELD_ANSWER, READ_TIMEOUT
from ansible_collections.flashcat.flashduty.plugins.module_utils.silence_rules import same, view
from ansible_collections.flashcat.flashduty.plugins.modules import flashduty_silence_rule as module

CHANNEL = DataSet.channel(0)["channel_id"]  # "checkout"
WRITES = ("create", "update", "delete", "enable", "disable")
T0 = 1893456000  # 2030-01-01T00:00:00Z: absolute windows in the future
HOUR = 3600


def writes(sim):
    """The write requests the simulator received, as (verb, body)."""
    return [(r["path"].rsplit("/", 1)[1], r["body"]) for r in sim.requests() if r["path"].rsplit("/", 1)[1] in WRITES]


def rules(sim):
    """The rules the simulator holds (its own state: the oracle)."""
    return [r for account in sim.sim.rules.values() for r in account]


def base(conn, **extra):
    args = dict(conn, channel_id=CHANNEL, rule_name="deploy-checkout", start=T0, end=T0 + HOUR,
                match={"alert_severity": ["Critical"], "labels.service": "checkout"})
    args.update(extra)
    return dict((k, v) for k, v in args.items() if v is not None)  # None: the option left out


@pytest.mark.matrix
def test_create_then_a_second_run_changes_nothing_and_sends_no_write(sim, conn, run_module):
    result = run_module(module, base(conn, description="release 1.2"))
    assert result["changed"] is True and result["calls"] == ["create"], result
    (rule,) = rules(sim)
    assert result["rule_id"] == rule["rule_id"] and result["status"] == "enabled"
    assert result["is_effective"] is False  # the window is in 2030
    assert rule["time_filter"] == {"start_time": T0, "end_time": T0 + HOUR}
    # The short form is one AND group of IN conditions.
    assert rule["filters"] == [[{"key": "alert_severity", "oper": "IN", "vals": ["Critical"]},
                                {"key": "labels.service", "oper": "IN", "vals": ["checkout"]}]]
    assert rule["description"] == "release 1.2" and rule["status"] == "enabled"
    sent = len(sim.requests())
    again = run_module(module, base(conn, description="release 1.2"))
    assert again["changed"] is False and again["calls"] == []
    assert again["rule_id"] == rule["rule_id"] and again["status"] == "enabled"
    assert [r["path"] for r in sim.requests()[sent:]] == ["/channel/silence/rule/list"]
    assert len(rules(sim)) == 1


@pytest.mark.matrix
def test_check_mode_predicts_and_sends_no_write(sim, conn, run_module):
    result = run_module(module, base(conn), check_mode=True)
    assert result["changed"] is True and result["calls"] == ["create"]
    assert result["rule_id"] is None and result["is_effective"] is None
    assert writes(sim) == [] and rules(sim) == []
    run_module(module, base(conn))
    for args, calls in ((base(conn, priority=5), ["update"]), (base(conn, enabled=False), ["disable"]),
                        (base(conn, state="absent"), ["delete"]), (base(conn), [])):
        before = len(writes(sim))
        result = run_module(module, args, check_mode=True)
        assert result["calls"] == calls and result["changed"] is bool(calls)
        assert len(writes(sim)) == before
    assert len(rules(sim)) == 1 and rules(sim)[0]["priority"] == 0 and rules(sim)[0]["status"] == "enabled"


@pytest.mark.matrix
def test_diff_shows_the_rule_before_and_after(sim, conn, run_module):
    created = run_module(module, dict(base(conn), _ansible_diff=True))
    assert created["diff"]["before"] == {}
    assert created["diff"]["after"]["window"] == {"start": T0, "end": T0 + HOUR}
    changed = run_module(module, dict(base(conn, priority=3, end=T0 + 2 * HOUR), _ansible_diff=True))
    before, after = changed["diff"]["before"], changed["diff"]["after"]
    assert (before["priority"], after["priority"]) == (0, 3)
    assert (before["window"]["end"], after["window"]["end"]) == (T0 + HOUR, T0 + 2 * HOUR)
    assert dict(before, priority=3, window=after["window"]) == after
    gone = run_module(module, dict(base(conn, state="absent"), _ansible_diff=True))
    assert gone["diff"]["after"] == {} and gone["diff"]["before"]["rule_name"] == "deploy-checkout"


UPDATES = [
    (dict(description="new text"), lambda r: r["description"] == "new text"),
    (dict(priority=7), lambda r: r["priority"] == 7),
    (dict(discard=True), lambda r: r["is_directly_discard"] is True),
    (dict(start=T0 + HOUR, end=T0 + 3 * HOUR), lambda r: r["time_filter"] == {"start_time": T0 + HOUR,
                                                                              "end_time": T0 + 3 * HOUR}),
    (dict(end=None, duration="90m"), lambda r: r["time_filter"] == {"start_time": T0, "end_time": T0 + 5400}),
    (dict(start=None, end=None, windows=[{"start": "1:00", "end": "05:30", "weekdays": [5, 1, 1]}]),
     lambda r: r["time_filters"] == [{"start": "01:00", "end": "05:30", "repeat": [1, 5]}]
     and r["time_filter"] is None),
    (dict(match={"alert_severity": ["Critical", "Warning"]}),
     lambda r: r["filters"] == [[{"key": "alert_severity", "oper": "IN", "vals": ["Critical", "Warning"]}]]),
    (dict(match=None, filters=[[{"key": "check", "oper": "NOTIN", "vals": ["/disk.*/"]}],
                               [{"key": "resource", "vals": "db-1"}]]),
     lambda r: r["filters"] == [[{"key": "check", "oper": "NOTIN", "vals": ["/disk.*/"]}],
                                [{"key": "resource", "oper": "IN", "vals": ["db-1"]}]]),
]


@pytest.mark.parametrize("change,holds", UPDATES)
def test_each_field_is_updated_with_the_whole_rule_and_then_stays(sim, conn, run_module, change, holds):
    run_module(module, base(conn, description="keep me", priority=2))
    result = run_module(module, base(conn, **change))
    assert result.get("changed") is True and result["calls"] == ["update"], result
    (rule,) = rules(sim)
    assert holds(rule), rule
    (update,) = [body for verb, body in writes(sim) if verb == "update"]
    # The whole rule: options left out keep their values.
    assert update["rule_id"] == rule["rule_id"] and update["rule_name"] == "deploy-checkout"
    assert update["description"] == change.get("description", "keep me")
    assert update["priority"] == change.get("priority", 2)
    assert ("time_filter" in update) != ("time_filters" in update) and update["filters"]
    sent = len(writes(sim))
    assert run_module(module, base(conn, **change))["changed"] is False
    assert len(writes(sim)) == sent


def test_order_of_groups_conditions_and_values_is_no_change(sim, conn, run_module):
    filters = [[{"key": "check", "vals": ["a", "b"]}, {"key": "resource", "vals": ["x"]}], [{"key": "cluster",
                                                                                            "vals": ["c"]}]]
    run_module(module, base(conn, match=None, filters=filters))
    shuffled = [[{"key": "cluster", "vals": ["c"]}], [{"key": "resource", "vals": ["x"]}, {"key": "check",
                                                                                           "vals": ["b", "a"]}]]
    assert run_module(module, base(conn, match=None, filters=shuffled))["changed"] is False
    assert [verb for verb, body in writes(sim)] == ["create"]


@pytest.mark.matrix
def test_disable_and_enable_are_their_own_calls(sim, conn, run_module):
    created = run_module(module, base(conn, enabled=False))
    assert created["calls"] == ["create", "disable"] and created["status"] == "disabled"
    assert rules(sim)[0]["status"] == "disabled"
    assert run_module(module, base(conn, enabled=False))["changed"] is False
    enabled = run_module(module, base(conn))
    assert enabled["calls"] == ["enable"] and enabled["status"] == "enabled"
    assert [verb for verb, body in writes(sim)] == ["create", "disable", "enable"]
    assert writes(sim)[-1][1] == {"channel_id": CHANNEL, "rule_id": created["rule_id"]}
    both = run_module(module, base(conn, enabled=False, priority=9))
    assert both["calls"] == ["update", "disable"] and rules(sim)[0]["status"] == "disabled"


@pytest.mark.matrix
def test_absent_deletes_the_rule_once(sim, conn, run_module):
    rule_id = run_module(module, base(conn))["rule_id"]
    gone = run_module(module, dict(conn, channel_id=CHANNEL, rule_name="deploy-checkout", state="absent"))
    assert gone["changed"] is True and gone["calls"] == ["delete"] and gone["rule_id"] == rule_id
    assert gone["status"] == "absent" and rules(sim) == []
    again = run_module(module, dict(conn, channel_id=CHANNEL, rule_name="deploy-checkout", state="absent"))
    assert again["changed"] is False and again["rule_id"] is None
    assert [verb for verb, body in writes(sim)] == ["create", "delete"]


@pytest.mark.parametrize("name", [CHANNEL_NAMES[1], CHANNEL_NAMES[2], "channel-0215"])
def test_the_channel_by_exact_name_over_every_page(sim, conn, run_module, name):
    result = run_module(module, base(conn, channel_id=None, channel_name=name))
    assert result["changed"] is True and result["channel_name"] == name
    (rule,) = rules(sim)
    assert rule["channel_id"] == result["channel_id"]
    pages = sorted(r["body"]["p"] for r in sim.requests("/channel/list"))
    assert pages == [1, 2, 3]  # 230 channels, 100 a page


def test_a_channel_name_matches_exactly_or_fails_with_the_closest(sim, conn, run_module):
    result = run_module(module, base(conn, channel_id=None, channel_name="CHECKOUT"))
    assert result["failed"] is True and result["msg"].startswith("channel_name: no channel is named 'CHECKOUT'")
    assert "'checkout'" in result["msg"] and "'Checkout'" in result["msg"]
    assert writes(sim) == [] and not sim.requests("/channel/silence/rule/list")


@pytest.mark.matrix
def test_a_relative_window_is_set_once_and_kept_while_it_runs(sim, conn, run_module):
    args = base(conn, start="now", end=None, duration="1h")
    before = int(time.time())
    first = run_module(module, args)
    (rule,) = rules(sim)
    window = rule["time_filter"]
    assert before <= window["start_time"] <= int(time.time())
    assert window["end_time"] - window["start_time"] == HOUR
    assert first["is_effective"] is True
    # Run again (even with a longer duration): the running window is neither moved nor stretched.
    for again in (args, base(conn, start="now", end=None, duration="3h")):
        assert run_module(module, again)["changed"] is False
    assert rules(sim)[0]["time_filter"] == window and [v for v, b in writes(sim)] == ["create"]


def test_a_relative_window_that_has_ended_is_set_anew(sim, conn, run_module):
    run_module(module, base(conn, start="-3h", end="-2h"))
    result = run_module(module, base(conn, start="now", end=None, duration="30m"))
    assert result["calls"] == ["update"] and result["is_effective"] is True
    window = rules(sim)[0]["time_filter"]
    assert window["end_time"] - window["start_time"] == 1800 and window["end_time"] > time.time()


@pytest.mark.parametrize("absent", ["missing", "null", "zero"])
def test_the_kind_of_window_a_rule_lacks_reads_the_same_however_the_api_shows_it(sim, conn, run_module, absent):
    sim.config(absent_window=absent)
    run_module(module, base(conn))
    recurring = base(conn, start=None, end=None, windows=[{"start": "22:00", "end": "23:30"}])
    run_module(module, recurring)
    for args in (recurring, base(conn, start=None, end=None, windows=[{"start": 1320, "end": "23:30"}])):
        result = run_module(module, args)  # 1320: YAML 1.1's reading of an unquoted 22:00
        assert result["changed"] is False, (absent, result)
    assert [v for v, b in writes(sim)] == ["create", "update"]


def test_view_reads_every_spelling_of_what_a_rule_lacks_alike():
    one_off = {"rule_name": "r", "time_filter": {"start_time": T0, "end_time": T0 + 60},
               "filters": [[{"key": "check", "oper": "IN", "vals": ["b", "a"]}]], "status": "enabled"}
    spellings = [dict(one_off), dict(one_off, time_filters=None, description=None, priority=None),
                 dict(one_off, time_filters=[], description="", priority=0, is_directly_discard=False)]
    views = [view(item) for item in spellings]
    assert views[0] == views[1] == views[2]
    assert views[0]["windows"] is None and views[0]["window"] == {"start": T0, "end": T0 + 60}
    zero = view({"rule_name": "r", "time_filter": {"start_time": 0, "end_time": 0}, "status": "disabled",
                 "time_filters": [{"start": "01:00", "end": "02:00", "repeat": [3, 1], "cal_id": None}]})
    assert zero["window"] is None and zero["enabled"] is False
    assert zero["windows"] == [{"start": "01:00", "end": "02:00", "weekdays": [1, 3], "calendar_id": "",
                                "is_off": False}]
    assert same("filters", views[0]["filters"], [[{"key": "check", "oper": "IN", "vals": ["a", "b"]}]])
    assert not same("filters", views[0]["filters"], [[{"key": "check", "oper": "NOTIN", "vals": ["a", "b"]}]])


@pytest.mark.parametrize("fault", [
    {"kind": "status", "status": 500, "acted": True},  # the server made the rule, then failed
    {"kind": "drop", "acted": True},  # the server made the rule, the answer was lost
    {"kind": "status", "status": 503, "code": "ServiceUnavailable"},  # the server made nothing
    {"kind": "drop"},
])
def test_a_failed_create_is_looked_up_before_it_is_tried_again(sim, conn, run_module, waits, fault):
    sim.faults(dict(fault, path="/channel/silence/rule/create"))
    result = run_module(module, base(conn))
    assert "failed" not in result, result
    (rule,) = rules(sim)
    assert result["rule_id"] == rule["rule_id"] and result["changed"] is True
    paths = [r["path"].rsplit("/", 1)[1] for r in sim.requests() if "/silence/rule/" in r["path"]]
    if fault.get("acted"):
        assert paths == ["list", "create", "list", "list"]  # found, not made again (then read for is_effective)
    else:
        assert paths == ["list", "create", "list", "create", "list"]
    assert waits.sleeps == [1.0]
    assert any("read before trying again" in w for w in result["warnings"])


@pytest.mark.realtime
def test_a_create_answered_too_late_makes_one_rule(sim, conn, run_module, waits):
    sim.faults({"path": "/channel/silence/rule/create", "kind": "slow_answer", "acted": True, "delay": HELD_ANSWER})
    result = run_module(module, base(conn, timeout=READ_TIMEOUT))
    assert "failed" not in result, result
    assert len(rules(sim)) == 1 and len(sim.requests("/channel/silence/rule/create")) == 1


def test_a_create_that_keeps_failing_says_the_rule_may_exist(sim, conn, run_module, waits):
    sim.faults({"path": "/channel/silence/rule/create", "kind": "status", "status": 502, "times": 9})
    result = run_module(module, base(conn, max_retries=2))
    assert result["failed"] is True and "may or may not have made it" in result["msg"]
    assert "\n" not in result["msg"] and len(sim.requests("/channel/silence/rule/create")) == 3
    assert rules(sim) == []


@pytest.mark.parametrize("verb,change", [("update", dict(priority=4)), ("disable", dict(enabled=False)),
                                         ("delete", dict(state="absent"))])
def test_any_other_write_that_may_have_happened_is_not_repeated_and_says_so(sim, conn, run_module, waits, verb,
                                                                            change):
    run_module(module, base(conn))
    sim.faults({"path": "/channel/silence/rule/" + verb, "kind": "status", "status": 500, "acted": True})
    result = run_module(module, base(conn, **change))
    assert result["failed"] is True and "may or may not have done it" in result["msg"] and "\n" not in result["msg"]
    assert len(sim.requests("/channel/silence/rule/" + verb)) == 1 and waits.sleeps == []
    # The server did act: running the task again finds nothing left to do.
    assert run_module(module, base(conn, **change))["changed"] is False


def _make(sim, name):
    body = {"channel_id": CHANNEL, "rule_name": name, "time_filter": {"start_time": T0, "end_time": T0 + 60},
            "filters": [[{"key": "check", "oper": "IN", "vals": ["x"]}]]}
    answer = requests.post(sim.url + "/channel/silence/rule/create", params={"app_key": sim.app_key}, json=body,
                           timeout=5).json()
    return answer["data"]["rule_id"]


@pytest.mark.parametrize("state", ["present", "absent"])
def test_two_rules_with_the_name_fail_listing_both_ids(sim, conn, run_module, state):
    ids = [_make(sim, u'维护 "deploy"'), _make(sim, u'维护 "deploy"')]
    result = run_module(module, base(conn, rule_name=u'维护 "deploy"', state=state))
    assert result["failed"] is True
    assert ids[0] in result["msg"] and ids[1] in result["msg"] and "2 silence rules" in result["msg"]
    assert len(writes(sim)) == 2 and len(rules(sim)) == 2  # only the two made above


def test_a_key_without_channels_manage_fails_on_one_line(sim, conn, run_module):
    sim.config(app_keys=[sim.app_key, "read-only-key-0123456789"], read_only_keys=["read-only-key-0123456789"])
    result = run_module(module, base(conn, app_key="read-only-key-0123456789"))
    assert result["failed"] is True and result["error_code"] == "AccessDenied" and result["status"] == 403
    assert result["msg"].startswith('the app key has no "Channels Manage" permission') and "\n" not in result["msg"]
    assert "read-only-key" not in json.dumps(result)
    assert rules(sim) == [] and len(sim.requests("/channel/silence/rule/create")) == 1


@pytest.mark.parametrize("change,param,words", [
    (dict(rule_name="x" * 40), "rule_name", "at most 39 characters"),
    (dict(rule_name=""), "rule_name", "at least 1 character"),
    (dict(description="d" * 501), "description", "at most 500"),
    (dict(end=T0), "end", "must be after start"),
    (dict(end=None, duration="soon"), "duration", "length of time"),
    (dict(start="next tuesday"), "start", "cannot read"),
    (dict(end=None), "start", "needs end or duration"),
    (dict(match={}), "match", "at least one key"),
    (dict(match={"check": []}), "match.check", "at least one value"),
    (dict(match={"alert_severity": "critical"}), "match.alert_severity[0]", "write 'Critical'"),
    (dict(match=None, filters=[[{"key": "alert_severity", "oper": "NOTIN", "vals": ["Info", "High"]}]]),
     "filters[0][0].vals[1]", "no alert has this severity; the severities are Critical, Warning, Info, Ok"),
    (dict(match=None, filters=[[{"key": "check", "oper": "LIKE", "vals": ["x"]}]]), "filters[0][0].oper",
     "IN or NOTIN"),
    (dict(match=None, filters=[[]]), "filters[0]", "non-empty"),
    (dict(match=None, filters=[[{"key": "check", "vals": ["x"], "op": "IN"}]]), "filters[0][0]", "unknown field"),
    (dict(start=None, end=None, windows=[{"start": "25:00", "end": "26:00"}]), "windows[0].start", "HH:MM"),
    (dict(start=None, end=None, windows=[{"start": "22:00", "end": "02:00"}]), "windows[0].end", "midnight"),
    (dict(start=None, end=None, windows=[{"start": "01:00", "end": "02:00", "weekdays": [7]}]),
     "windows[0].weekdays", "0 (Sunday) to 6"),
])
def test_bad_options_fail_naming_the_option_before_anything_is_sent(sim, conn, run_module, change, param, words):
    result = run_module(module, base(conn, **change))
    assert result["failed"] is True, result
    assert result["msg"].startswith(param + ":") and words in result["msg"], result["msg"]
    assert sim.requests() == []


@pytest.mark.parametrize("change,param,words", [
    (dict(match=None), "filters", "filters or match is needed"),
    (dict(start=None, end=None), "start", "a window (start with end or duration, or windows) is needed"),
])
def test_creating_needs_a_filter_and_a_window_but_changing_does_not(sim, conn, run_module, change, param, words):
    result = run_module(module, base(conn, **change))
    assert result["failed"] is True and result["msg"].startswith(param + ":") and words in result["msg"]
    assert writes(sim) == []
    run_module(module, base(conn))
    assert run_module(module, base(conn, **change))["changed"] is False


@pytest.mark.matrix
def test_exclusive_options_are_refused_by_the_argument_spec(sim, conn, run_module):
    result = run_module(module, base(conn, channel_name="checkout"))
    assert result["failed"] is True and "channel_id" in result["msg"] and "channel_name" in result["msg"]
    result = run_module(module, base(conn, duration="1h"))
    assert result["failed"] is True and "duration" in result["msg"]
    assert sim.requests() == []


@pytest.mark.integration
@pytest.mark.matrix
def test_playbook_create_second_run_check_mode_and_diff(sim, playbook, tmp_path):
    out = tmp_path / "result.json"
    play = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Quiet the checkout channel
      flashcat.flashduty.flashduty_silence_rule:
        channel_name: '支付网关'
        rule_name: 'deploy "v2"'
        start: "2030-01-01T00:00:00Z"
        duration: 2h
        match:
          alert_severity: [Critical]
          labels.service: checkout
      register: quiet
    - name: Keep the result
      ansible.builtin.copy:
        content: "{{ quiet | to_json }}"
        dest: %s
""" % out
    first = playbook(play)
    assert first.returncode == 0, first.stdout + first.stderr
    result = json.loads(out.read_text())
    assert result["changed"] is True and result["calls"] == ["create"] and result["status"] == "enabled"
    assert "changed=2" in first.stdout  # the rule and the result file
    second = playbook(play, "--diff")
    assert second.returncode == 0, second.stdout + second.stderr
    assert json.loads(out.read_text())["changed"] is False
    made = len(writes(sim))
    checked = playbook(play.replace("duration: 2h", "duration: 3h"), "--check", "--diff")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert '"end": 1893463200' in checked.stdout and '"end": 1893466800' in checked.stdout, checked.stdout
    assert len(writes(sim)) == made == 1
    assert sim.app_key not in first.stdout + second.stdout + checked.stdout
