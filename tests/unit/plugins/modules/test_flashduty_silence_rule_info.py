# -*- coding: utf-8 -*-
"""flashduty_silence_rule_info against the simulator: one channel by id or by
exact name, every channel (every page), a rule name, check mode, no write."""

from __future__ import absolute_import, division, print_function

import pytest
import requests

from flashduty_simulator import CHANNEL_NAMES, DataSet
from ansible_collections.flashcat.flashduty.plugins.module_utils.silence_rules import view
from ansible_collections.flashcat.flashduty.plugins.modules import flashduty_silence_rule_info as module

T0 = 1893456000


def _make(sim, channel, name, **fields):
    body = {"channel_id": DataSet.channel(channel)["channel_id"], "rule_name": name,
            "time_filter": {"start_time": T0, "end_time": T0 + 60},
            "filters": [[{"key": "check", "oper": "IN", "vals": ["x"]}]]}
    body.update(fields)
    body = dict((k, v) for k, v in body.items() if v is not None)
    answer = requests.post(sim.url + "/channel/silence/rule/create", params={"app_key": sim.app_key}, json=body,
                           timeout=5).json()
    return answer["data"]["rule_id"]


@pytest.fixture
def made(sim):
    """Rules in three channels, the last one past the second page of channels."""
    return [_make(sim, 0, "deploy"), _make(sim, 0, u"维护 \"db\""), _make(sim, 2, "deploy"),
            _make(sim, 215, "nightly", time_filter=None, time_filters=[{"start": "01:00", "end": "02:00"}])]


def _writes(sim):
    return [r for r in sim.requests() if "/silence/rule/" in r["path"] and not r["path"].endswith("/list")]


@pytest.mark.matrix
def test_the_rules_of_one_channel_by_id(sim, conn, run_module, made):
    before = len(sim.requests())
    result = run_module(module, dict(conn, channel_id=DataSet.channel(0)["channel_id"]))
    assert result["changed"] is False and result["total"] == 2 and result["channels"] == 1
    assert [r["rule_id"] for r in result["rules"]] == made[:2]
    assert result["rules"][1]["rule_name"] == u"维护 \"db\"" and result["rules"][0]["status"] == "enabled"
    assert [r["path"] for r in sim.requests()[before:]] == ["/channel/silence/rule/list"]


@pytest.mark.parametrize("index", [2, 1])
def test_the_rules_of_one_channel_by_exact_name(sim, conn, run_module, made, index):
    result = run_module(module, dict(conn, channel_name=CHANNEL_NAMES[index]))
    assert [r["rule_id"] for r in result["rules"]] == ([made[2]] if index == 2 else [])
    assert all(r["channel_name"] == CHANNEL_NAMES[index] for r in result["rules"])


@pytest.mark.matrix
def test_every_channel_every_page_and_a_rule_name(sim, conn, run_module, made):
    before = len(sim.requests())
    result = run_module(module, dict(conn, rule_name="deploy"))
    assert result["channels"] == 230 and sorted(r["rule_id"] for r in result["rules"]) == sorted([made[0], made[2]])
    assert sorted(r["channel_name"] for r in result["rules"]) == sorted([CHANNEL_NAMES[0], CHANNEL_NAMES[2]])
    requests_made = sim.requests()[before:]
    assert sorted(r["body"]["p"] for r in requests_made if r["path"] == "/channel/list") == [1, 2, 3]
    assert len([r for r in requests_made if r["path"] == "/channel/silence/rule/list"]) == 230
    everything = run_module(module, conn, check_mode=True)
    assert sorted(r["rule_id"] for r in everything["rules"]) == sorted(made)
    nightly = [r for r in everything["rules"] if r["rule_name"] == "nightly"][0]
    assert nightly["channel_name"] == "channel-0215" and nightly["time_filters"][0]["start"] == "01:00"
    assert view(nightly)["windows"] == [{"start": "01:00", "end": "02:00", "weekdays": [], "calendar_id": "",
                                         "is_off": False}] and view(nightly)["window"] is None
    assert _writes(sim) == list(sim.requests()[:4])  # only the four the fixture made


def test_an_unknown_channel_name_fails_with_the_closest(sim, conn, run_module):
    result = run_module(module, dict(conn, channel_name=u"支付"))
    assert result["failed"] is True and result["msg"].startswith("channel_name: no channel is named")
    assert u"支付网关" in result["msg"]
    assert not sim.requests("/channel/silence/rule/list")


def test_an_unknown_channel_id_fails_with_the_api_error(sim, conn, run_module):
    result = run_module(module, dict(conn, channel_id=42))
    assert result["failed"] is True and result["error_code"] == "ResourceNotFound" and "\n" not in result["msg"]
