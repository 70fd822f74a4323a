# -*- coding: utf-8 -*-
"""Time values as users write them, bucket-aligned windows, and the CSV
edge cases the vendor's files have (BOM, CRLF, quoting, non-ASCII)."""

from __future__ import absolute_import, division, print_function

import io
from datetime import datetime, timezone

import pytest

from ansible_collections.flashcat.flashduty.plugins.module_utils import csvio
from ansible_collections.flashcat.flashduty.plugins.module_utils.errors import ResponseFormatError, ValidationError
from ansible_collections.flashcat.flashduty.plugins.plugin_utils.report_format import local_time
from ansible_collections.flashcat.flashduty.plugins.module_utils.timeparse import (
    bucket_floor,
    get_zone,
    is_relative,
    parse_duration,
    parse_time,
    split_range,
)

NOW = 1763856000  # 2025-11-23T00:00:00Z
DAY = 86400


@pytest.mark.parametrize("value,expected", [
    (1700000000, 1700000000),
    (1700000000.9, 1700000000),
    ("1700000000", 1700000000),
    ("now", NOW),
    ("NOW", NOW),
    ("-2h", NOW - 7200),
    ("+7d", NOW + 7 * DAY),
    ("-1w", NOW - 7 * DAY),
    ("-1d12h", NOW - 36 * 3600),
    ("-30m", NOW - 1800),
    ("2025-11-23T08:00:00+08:00", NOW),
    ("2025-11-23T00:00:00Z", NOW),
    ("2025-11-23T00:00:00", NOW),
    ("2025-11-23", NOW),
    ("2025-11-23 01:00:00", NOW + 3600),
    ("now-1h", NOW - 3600),
    ("today", NOW),
    ("today-7d", NOW - 7 * DAY),
])
def test_time_forms(value, expected):
    assert parse_time(value, NOW, "start") == expected
    if isinstance(value, str) and value.startswith("today"):
        # Later the same day still means the same midnight.
        assert parse_time(value, NOW + 5 * 3600, "start") == expected


def test_today_starts_at_midnight_in_the_given_zone():
    shanghai = get_zone("Asia/Shanghai")
    # 2025-11-23T00:00Z is 08:00 in Shanghai: its midnight was 8 hours before.
    assert parse_time("today", NOW, "start_time", shanghai) == NOW - 8 * 3600
    assert parse_time("today-1d", NOW, "start_time", shanghai) == NOW - 8 * 3600 - DAY


@pytest.mark.parametrize("value", ["yesterday", "-2x", "2025-13-01", "", True, None, [1], float("nan")])
def test_unreadable_times_name_the_option(value):
    with pytest.raises(ValidationError) as info:
        parse_time(value, NOW, "end_time")
    assert info.value.param == "end_time"


def test_bucket_floor_in_a_zone():
    shanghai = get_zone("Asia/Shanghai")
    ts = int(datetime(2026, 3, 18, 1, 30, tzinfo=shanghai).timestamp())  # a Wednesday
    assert bucket_floor(ts, "day", shanghai) == int(datetime(2026, 3, 18, tzinfo=shanghai).timestamp())
    assert bucket_floor(ts, "week", shanghai) == int(datetime(2026, 3, 16, tzinfo=shanghai).timestamp())
    assert bucket_floor(ts, "month", shanghai) == int(datetime(2026, 3, 1, tzinfo=shanghai).timestamp())


def test_split_range_cuts_90_days_into_3_windows_at_midnight():
    zone = get_zone("Asia/Shanghai")
    start = int(datetime(2026, 7, 1, tzinfo=zone).timestamp())
    windows = split_range(start, start + 90 * DAY, "day", zone, 31 * DAY)
    assert len(windows) == 3
    assert windows[0][0] == start and windows[-1][1] == start + 90 * DAY
    for (a, b), (c, dummy) in zip(windows, windows[1:]):
        assert b == c and b - a <= 31 * DAY
        assert datetime.fromtimestamp(b, zone).strftime("%H:%M") == "00:00"


def test_split_range_never_leaves_a_window_under_a_day():
    zone = timezone.utc
    start = 1767225600  # 2026-01-01
    windows = split_range(start, start + 31 * DAY + 3600, "day", zone, 31 * DAY)
    assert all(b - a >= DAY for a, b in windows)
    assert windows[-1][1] == start + 31 * DAY + 3600


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


VENDOR_CSV = (u"\ufeffTeam ID,Team Name,MTTA (s),Note\r\n"
              u"1,\"Payments, EU\",95.5,\"said \"\"hi\"\"\r\nnext line\"\r\n"
              u"2,运维团队,,plain\r\n").encode("utf-8")


def test_read_rows_handles_bom_crlf_quotes_newlines_and_non_ascii(tmp_path):
    columns, rows = csvio.read_rows(write(tmp_path, "a.csv", VENDOR_CSV))
    assert columns == ["Team ID", "Team Name", "MTTA (s)", "Note"]
    assert rows == [
        {"Team ID": 1, "Team Name": "Payments, EU", "MTTA (s)": 95.5, "Note": 'said "hi"\r\nnext line'},
        {"Team ID": 2, "Team Name": u"运维团队", "MTTA (s)": None, "Note": "plain"},
    ]
    assert csvio.count_rows(write(tmp_path, "b.csv", VENDOR_CSV)) == (columns, 2)


def test_a_column_with_any_text_stays_text(tmp_path):
    columns, rows = csvio.read_rows(write(tmp_path, "a.csv", b"a,b\n1,x\n2,3\n"))
    assert [r["a"] for r in rows] == [1, 2] and [r["b"] for r in rows] == ["x", "3"]


def test_empty_and_ragged_csv(tmp_path):
    assert csvio.read_rows(write(tmp_path, "e.csv", b"")) == ([], [])
    with pytest.raises(ResponseFormatError):
        csvio.read_rows(write(tmp_path, "r.csv", b"a,b\n1\n"))


def test_merge_keeps_one_header_and_the_first_files_bom(tmp_path):
    second = (u"\ufeffTeam ID,Team Name,MTTA (s),Note\r\n3,\"Data \"\"Lake\"\"\",1,x\r\n").encode("utf-8")
    out = io.BytesIO()
    csvio.merge([write(tmp_path, "1.csv", VENDOR_CSV), write(tmp_path, "2.csv", second)], out)
    merged = write(tmp_path, "m.csv", out.getvalue())
    assert out.getvalue().count(b"\xef\xbb\xbf") == 1
    columns, rows = csvio.read_rows(merged)
    assert [r["Team ID"] for r in rows] == [1, 2, 3]
    assert rows[2]["Team Name"] == 'Data "Lake"'


def test_merge_refuses_different_headers(tmp_path):
    with pytest.raises(ResponseFormatError):
        csvio.merge([write(tmp_path, "1.csv", b"a,b\r\n1,2\r\n"), write(tmp_path, "2.csv", b"a,c\r\n1,2\r\n")],
                    io.BytesIO())


def test_a_window_that_is_not_utf8_fails_the_merge_with_a_format_error(tmp_path):
    with pytest.raises(ResponseFormatError):
        csvio.merge([write(tmp_path, "1.csv", b"a,b\r\n1,2\r\n"), write(tmp_path, "2.csv", b"\xff\xfe,b\r\n")],
                    io.BytesIO())


def test_local_time_reads_seconds_that_older_ansible_core_templated_as_text():
    # Without Jinja2 native types (ansible-core < 2.19) "{{ x | int }}" is a string.
    assert local_time("1779667200", "Asia/Shanghai") == local_time(1779667200, "Asia/Shanghai") == "2026-05-25 08:00"
    assert local_time(1779667200) == "2026-05-25 00:00" and local_time(None) == ""
    with pytest.raises(ValidationError, match="local_time: cannot read 'soon'"):
        local_time("soon")


@pytest.mark.parametrize("value,relative", [
    ("now", True), (" NOW ", True), ("+2h", True), ("-1d12h", True), ("today", True), ("today-7d", True),
    ("2026-05-01T00:00:00Z", False), ("1779667200", False), (1779667200, False), (None, False),
])
def test_is_relative_tells_a_time_from_the_run_from_an_absolute_one(value, relative):
    assert is_relative(value) is relative


@pytest.mark.parametrize("value,seconds", [
    (90, 90), ("90", 90), ("90m", 5400), ("2h", 7200), ("1d12h", 129600), ("1.5h", 5400), ("1w", 604800),
])
def test_parse_duration_reads_seconds_and_units(value, seconds):
    assert parse_duration(value, "duration") == seconds


@pytest.mark.parametrize("value", ["soon", "-1h", "0", 0, 0.4, True, None, float("inf"), "2x"])
def test_parse_duration_refuses_anything_else_naming_the_option(value):
    # As a silence rule's duration does: at least a second.
    with pytest.raises(ValidationError) as info:
        parse_duration(value, "duration", minimum=1)
    assert str(info.value).startswith("duration: ")


@pytest.mark.parametrize("text,width,expected", [
    (u"SRE", 6, u"SRE   "),
    (u"运维团队", 10, u"运维团队  "),  # four wide characters: 8 columns
    (u"Zoë Ångström", 14, u"Zoë Ångström  "),
    (u"Zoe\u0308", 5, u"Zoe\u0308  "),  # a combining mark takes no column
    (u"ＡＢ", 4, u"ＡＢ"),  # full-width letters
    (u"a long name", 4, u"a long name"),
    (None, 2, u"  "),
])
def test_pad_counts_terminal_columns(text, width, expected):
    from ansible_collections.flashcat.flashduty.plugins.plugin_utils.report_format import display_width, pad
    assert pad(text, width) == expected
    assert pad(u"运维", 6, "right") == u"  运维"
    if text and display_width(text) <= width:
        assert display_width(pad(text, width)) == width


@pytest.mark.parametrize("value, expected", [
    (0, 0), (90, 90), (90.7, 90), ("90", 90), ("30m", 1800), ("1h30m", 5400), ("1h 30m", 5400), ("2d", 172800),
    ("1w", 604800), ("0.5h", 1800), ("15M", 900),
])
def test_duration_forms(value, expected):
    assert parse_duration(value, "min_gap") == expected


@pytest.mark.parametrize("value", [-1, "-1h", "soon", "", None, True, float("nan"), "1x", [60]])
def test_a_bad_duration_names_the_option(value):
    with pytest.raises(ValidationError) as err:
        parse_duration(value, "min_gap")
    assert str(err.value).startswith("min_gap: ")
