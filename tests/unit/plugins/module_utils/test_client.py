# -*- coding: utf-8 -*-
"""The HTTP client against a real local server: envelopes, typed errors,
retries with exact waits, streaming, and redaction of the app key."""

from __future__ import absolute_import, division, print_function

import io
import socket

import pytest

from support import HELD_ANSWER, READ_TIMEOUT

from ansible_collections.flashcat.flashduty.plugins.module_utils import client as client_mod
from ansible_collections.flashcat.flashduty.plugins.module_utils.client import FlashdutyClient
from ansible_collections.flashcat.flashduty.plugins.module_utils.errors import (
    ApiError,
    ResponseFormatError,
    TransportError,
)
from ansible_collections.flashcat.flashduty.plugins.module_utils.retry import Backoff

EXPORT = "/insight/team/export"
BODY = {"start_time": 1763000000, "end_time": 1763600000}


class Sleeps(list):
    """An injected sleep that records the waits instead of sleeping."""

    def __call__(self, seconds):
        self.append(round(seconds, 3))


def make_client(sim, tmp_path, app_key=None, **kwargs):
    kwargs.setdefault("sleep", Sleeps())
    kwargs.setdefault("backoff", Backoff(rand=lambda: 0.0))
    kwargs.setdefault("pacing", False)
    return FlashdutyClient(app_key or sim.app_key, base_url=sim.url, pacing_dir=str(tmp_path / "pacing"), **kwargs)


def test_success_envelope_gives_data_and_request_id(sim, tmp_path):
    client = make_client(sim, tmp_path)
    response = client.post("/schedule/list", {"limit": 5})
    assert len(response.data["items"]) == 5
    assert response.data["total"] == 300
    assert response.request_id.startswith("sim-")
    assert client.request_ids == [response.request_id]
    (request,) = sim.requests()
    assert request["key_ok"] is True
    assert request["content_type"] == "application/json"
    assert request["user_agent"].startswith("flashcat.flashduty/%s" % client_mod.COLLECTION_VERSION)
    assert request["body"] == {"limit": 5}


def test_failure_envelope_is_a_typed_error_and_not_retried(sim, tmp_path):
    sleeps = Sleeps()
    client = make_client(sim, tmp_path, sleep=sleeps)
    with pytest.raises(ApiError) as info:
        client.post("/schedule/list", {"limit": 101})
    err = info.value
    assert (err.status, err.code, err.attempts) == (400, "InvalidParameter", 1)
    assert err.request_id and err.request_id in str(err)
    assert "limit" in str(err)
    assert sleeps == [] and len(sim.requests()) == 1


@pytest.mark.parametrize("status,code", [(401, "Unauthorized"), (403, "AccessDenied"), (400, "NoLicense")])
def test_client_errors_are_never_retried(sim, tmp_path, status, code):
    sim.faults({"kind": "status", "status": status, "code": code, "times": 5})
    client = make_client(sim, tmp_path)
    with pytest.raises(ApiError) as info:
        client.post("/schedule/list", {})
    assert (info.value.status, info.value.code, info.value.attempts) == (status, code, 1)
    assert len(sim.requests()) == 1


def test_request_id_comes_from_the_header_when_the_body_has_none(sim, tmp_path):
    sim.faults({"kind": "json_empty", "data": None, "no_request_id": True, "times": 1})
    client = make_client(sim, tmp_path)
    response = client.post("/schedule/list", {})
    assert response.data is None
    assert response.request_id == sim.requests()[0]["request_id"]


def test_retries_5xx_with_exact_exponential_waits_then_succeeds(sim, tmp_path):
    sim.faults({"kind": "status", "status": 503, "times": 1}, {"kind": "status", "status": 500, "times": 1},
               {"kind": "status", "status": 504, "times": 1})
    sleeps = Sleeps()
    client = make_client(sim, tmp_path, sleep=sleeps, max_retries=3)
    response = client.post("/schedule/list", {"limit": 1})
    assert len(response.data["items"]) == 1
    assert sleeps == [1.0, 2.0, 4.0]
    assert [r["status"] for r in sim.requests()] == [503, 500, 504, 200]


def test_jitter_stretches_waits_by_at_most_a_quarter():
    waits = Backoff(rand=lambda: 1.0)
    assert [wait for wait, dummy in zip(waits, range(7))] == [1.25, 2.5, 5.0, 10.0, 20.0, 37.5, 37.5]


def test_final_error_counts_the_attempts(sim, tmp_path):
    sim.faults({"kind": "status", "status": 502, "times": 10})
    sleeps = Sleeps()
    client = make_client(sim, tmp_path, sleep=sleeps, max_retries=2)
    with pytest.raises(ApiError) as info:
        client.post("/schedule/list", {})
    assert info.value.attempts == 3
    assert "after 3 attempts" in str(info.value)
    assert sleeps == [1.0, 2.0]


def test_max_retries_zero_disables_retries(sim, tmp_path):
    sim.faults({"kind": "status", "status": 503, "times": 10})
    client = make_client(sim, tmp_path, max_retries=0)
    with pytest.raises(ApiError):
        client.post("/schedule/list", {})
    assert len(sim.requests()) == 1


def test_retry_after_seconds_wins_over_backoff(sim, tmp_path):
    sim.faults({"kind": "rate_limit", "retry_after": "7", "times": 1})
    sleeps = Sleeps()
    client = make_client(sim, tmp_path, sleep=sleeps)
    client.post("/schedule/list", {})
    assert sleeps == [7.0]


def test_retry_after_http_date_is_honoured(sim, tmp_path):
    sim.faults({"kind": "rate_limit", "retry_after": "date:5", "times": 1})
    sleeps = Sleeps()
    client = make_client(sim, tmp_path, sleep=sleeps)
    client.post("/schedule/list", {})
    # An HTTP date has whole seconds, so 5 s from now reads as 4 to 5 s (less on a
    # slow machine); the backoff alone would have waited 1 s.
    assert len(sleeps) == 1 and 3.0 <= sleeps[0] <= 5.0


@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai", "America/New_York"])
def test_an_http_date_is_utc_also_in_the_zone_minus_0000_whatever_the_hosts_zone(monkeypatch, zone):
    # Date (read_at, the report's "now") and Retry-After: "-0000" means UTC too (RFC 5322), not this host's zone.
    import time
    from ansible_collections.flashcat.flashduty.plugins.module_utils.retry import parse_http_date
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        for text in ("Thu, 03 Dec 2026 16:21:40 GMT", "Thu, 03 Dec 2026 16:21:40 -0000",
                     "Thu, 03 Dec 2026 16:21:40 +0000", "Fri, 04 Dec 2026 00:21:40 +0800"):
            assert parse_http_date(text) == 1796314900, text
        assert parse_http_date(None) is None and parse_http_date("") is None and parse_http_date("soon") is None
    finally:
        monkeypatch.undo()
        time.tzset()


def test_429_without_retry_after_backs_off(sim, tmp_path):
    sim.faults({"kind": "rate_limit", "times": 2})
    sleeps = Sleeps()
    client = make_client(sim, tmp_path, sleep=sleeps)
    client.post("/schedule/list", {})
    assert sleeps == [1.0, 2.0]


def test_html_from_a_proxy_is_a_format_error_with_status_and_excerpt(sim, tmp_path):
    sim.faults({"kind": "html", "status": 502, "times": 5})
    client = make_client(sim, tmp_path, max_retries=1)
    with pytest.raises(ResponseFormatError) as info:
        client.post("/schedule/list", {})
    text = str(info.value)
    assert "HTTP 502" in text and "text/html" in text and "<html>" in text
    assert info.value.attempts == 2


def test_invalid_json_is_a_format_error(sim, tmp_path):
    sim.faults({"kind": "invalid_json", "times": 1})
    client = make_client(sim, tmp_path)
    with pytest.raises(ResponseFormatError) as info:
        client.post("/schedule/list", {})
    assert "expected a JSON envelope" in str(info.value)
    assert info.value.attempts == 1


def test_connection_refused_is_retried_and_named(tmp_path):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    sleeps = Sleeps()
    client = FlashdutyClient("test-key-0123456789abcdef", base_url="http://127.0.0.1:%d" % port, pacing=False, sleep=sleeps,
                             backoff=Backoff(rand=lambda: 0.0), max_retries=2)
    with pytest.raises(TransportError) as info:
        client.post("/schedule/list", {})
    assert "cannot reach" in str(info.value) and "after 3 attempts" in str(info.value)
    assert sleeps == [1.0, 2.0]


def test_read_timeout_is_retried(sim, tmp_path):
    sim.faults({"kind": "slow", "delay": HELD_ANSWER, "times": 1})
    sleeps = Sleeps()
    client = make_client(sim, tmp_path, sleep=sleeps, timeout=READ_TIMEOUT)
    response = client.post("/schedule/list", {"limit": 1})
    assert len(response.data["items"]) == 1
    assert sleeps == [1.0]


def test_dropped_connection_is_retried(sim, tmp_path):
    sim.faults({"kind": "drop", "times": 1})
    client = make_client(sim, tmp_path)
    assert client.post("/schedule/list", {"limit": 2}).data["total"] == 300


def test_download_streams_csv_into_the_file(sim, tmp_path):
    client = make_client(sim, tmp_path)
    out = io.BytesIO()
    result = client.download(EXPORT, BODY, out)
    raw = out.getvalue()
    assert not result.is_json
    assert result.size == len(raw) > 0
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    assert result.request_id.startswith("sim-")


def test_download_of_a_truncated_body_is_retried_and_the_file_starts_over(sim, tmp_path):
    sim.faults({"kind": "truncate", "path": EXPORT, "times": 1})
    sleeps = Sleeps()
    client = make_client(sim, tmp_path, sleep=sleeps)
    out = io.BytesIO()
    client.download(EXPORT, BODY, out)
    raw = out.getvalue()
    assert raw.count(b"\xef\xbb\xbf") == 1  # not the partial first try plus the second
    assert sleeps == [1.0]


def test_download_that_keeps_failing_says_so(sim, tmp_path):
    sim.faults({"kind": "reset", "path": EXPORT, "times": 9})
    client = make_client(sim, tmp_path, max_retries=1)
    with pytest.raises(TransportError) as info:
        client.download(EXPORT, BODY, io.BytesIO())
    assert info.value.attempts == 2


def test_download_of_a_json_envelope_returns_it(sim, tmp_path):
    sim.faults({"kind": "json_empty", "path": EXPORT, "times": 1})
    client = make_client(sim, tmp_path)
    out = io.BytesIO()
    result = client.download(EXPORT, BODY, out)
    assert result.is_json and result.envelope["data"] == {}
    assert out.getvalue() == b""


def test_download_error_envelope_raises(sim, tmp_path):
    sim.faults({"kind": "status", "status": 403, "code": "AccessDenied", "path": EXPORT, "times": 1})
    client = make_client(sim, tmp_path)
    with pytest.raises(ApiError) as info:
        client.download(EXPORT, BODY, io.BytesIO())
    assert info.value.code == "AccessDenied" and info.value.status == 403


SECRET = "Sup3r/Secret+Key&x=1"


def test_key_never_appears_in_errors_even_when_requests_quotes_the_url(tmp_path):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    warnings = []
    client = FlashdutyClient(SECRET, base_url="http://127.0.0.1:%d" % port, pacing=False, sleep=Sleeps(),
                             max_retries=1, warn=warnings.append)
    with pytest.raises(TransportError) as info:
        client.post("/schedule/list", {})
    text = str(info.value) + " ".join(warnings)
    assert "app_key=" in text  # requests did quote the URL ...
    for form in (SECRET, "Sup3r%2FSecret%2BKey%26x%3D1", "Sup3r"):
        assert form not in text  # ... but not the key, in any form


def test_key_never_appears_in_api_errors_or_warnings(sim, tmp_path):
    sim.config(app_keys=[sim.app_key, SECRET])
    sim.faults({"kind": "html", "status": 502, "times": 1},
               {"kind": "status", "status": 401, "times": 1, "code": "Unauthorized", "message": SECRET})
    warnings = []
    client = make_client(sim, tmp_path, app_key=SECRET, warn=warnings.append)
    with pytest.raises(ApiError) as info:
        client.post("/schedule/list", {})
    text = str(info.value) + " ".join(warnings)
    assert SECRET not in text and "Sup3r" not in text
    assert "********" in str(info.value)


def test_tls_failure_is_not_retried(sim, tmp_path):
    # Plain HTTP spoken to as HTTPS fails the TLS handshake.
    client = FlashdutyClient(sim.app_key, base_url=sim.url.replace("http://", "https://"), pacing=False,
                             sleep=Sleeps(), max_retries=3)
    with pytest.raises(TransportError) as info:
        client.post("/schedule/list", {})
    assert "TLS" in str(info.value) or "SSL" in str(info.value)
    assert info.value.attempts == 1


def test_urllib3_debug_log_lines_are_redacted(sim, tmp_path):
    import logging
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(self.format(record))
    handler = Keep()
    logger = logging.getLogger("urllib3")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        sim.config(app_keys=[SECRET])
        make_client(sim, tmp_path, app_key=SECRET).post("/schedule/list", {"limit": 1})
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    assert any("/schedule/list?app_key=" in line for line in records)  # urllib3 logged the request line
    assert not any(SECRET in line or "Sup3r" in line for line in records)


def test_proxy_environment_variables_are_honoured(sim, tmp_path, monkeypatch):
    # The simulator doubles as a plain HTTP proxy; the API host itself does not resolve.
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", sim.url)
    client = FlashdutyClient(sim.app_key, base_url="http://api.flashduty.invalid", pacing=False,
                             sleep=Sleeps(), max_retries=0)
    assert client.post("/schedule/list", {"limit": 1}).data["total"] == 300
    monkeypatch.delenv("HTTP_PROXY")  # the test's own admin call goes direct
    (request,) = sim.requests()
    assert request["proxied"] is True and request["host"] == "api.flashduty.invalid"


CREATE = "/channel/silence/rule/create"
RULE = {"channel_id": 1300000000, "rule_name": "deploy",
        "time_filter": {"start_time": 1763000000, "end_time": 1763003600},
        "filters": [[{"key": "alert_severity", "oper": "IN", "vals": ["Critical"]}]]}


def test_every_write_endpoint_is_marked_not_idempotent_and_every_read_is():
    from ansible_collections.flashcat.flashduty.plugins.module_utils import endpoints
    writes = [path for path, endpoint in endpoints.ENDPOINTS.items() if not endpoint.idempotent]
    assert sorted(writes) == sorted("/channel/silence/rule/" + verb
                                    for verb in ("create", "update", "delete", "enable", "disable"))
    assert endpoints.idempotent("/channel/silence/rule/list") and endpoints.idempotent("/channel/list")


@pytest.mark.parametrize("fault", [
    {"kind": "status", "status": 500, "acted": True},
    {"kind": "status", "status": 503, "code": "ServiceUnavailable"},
    {"kind": "drop", "acted": True},
])
def test_a_write_is_not_repeated_after_a_5xx_or_a_broken_connection(sim, tmp_path, fault):
    sim.faults(dict(fault, path=CREATE))
    sleeps = Sleeps()
    client = make_client(sim, tmp_path, sleep=sleeps)
    with pytest.raises((ApiError, TransportError)) as info:
        client.post(CREATE, RULE)
    assert info.value.attempts == 1 and sleeps == []
    assert len(sim.requests(CREATE)) == 1


def test_a_write_is_repeated_after_a_429_which_the_server_did_not_act_on(sim, tmp_path):
    sim.faults({"path": CREATE, "kind": "rate_limit"})
    sleeps = Sleeps()
    client = make_client(sim, tmp_path, sleep=sleeps)
    assert client.post(CREATE, RULE).data["rule_name"] == "deploy"
    assert sleeps == [1.0]
    assert [r["status"] for r in sim.requests(CREATE)] == [429, 200]
    assert len(sim.sim.rules["default"]) == 1
