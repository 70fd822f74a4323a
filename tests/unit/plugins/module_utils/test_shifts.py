# -*- coding: utf-8 -*-
"""Shift arithmetic, every figure worked out by hand in the comments."""

from __future__ import absolute_import, division, print_function

import itertools
import random
from datetime import datetime, timezone

import pytest

from ansible_collections.flashcat.flashduty.plugins.module_utils import shifts as sh
from ansible_collections.flashcat.flashduty.plugins.module_utils.timeparse import get_zone

H = 3600
T = 1767571200  # 2026-01-05 00:00 UTC, a Monday
UTC = timezone.utc


def shift(start, end, *persons, **kw):
    return {"start": start, "end": end, "group_name": kw.get("group", "G"), "person_ids": tuple(persons)}


def test_t_is_a_monday():
    assert datetime.fromtimestamp(T, UTC).strftime("%A %H:%M") == "Monday 00:00"


def test_merge_joins_overlaps_and_touching_intervals():
    assert sh.merge([(0, 10), (10, 20), (5, 7), (30, 40), (41, 41)]) == [(0, 20), (30, 40)]
    assert sh.seconds([(0, 10), (10, 20), (5, 7), (30, 40)]) == 30


def test_shifts_of_reads_the_final_schedule_clipped_with_empty_groups_kept():
    item = {"final_schedule": {"schedules": [
        {"start": T + 8 * H, "end": T + 16 * H, "group": {"group_name": "empty", "members": [{"person_ids": None}]}},
        {"start": T - 4 * H, "end": T + 8 * H, "group": {"group_name": "A", "members": [
            {"role_id": 0, "person_ids": [1, 2]}, {"role_id": 1, "person_ids": [1]}]}},
        {"start": T + 30 * H, "end": T + 40 * H, "group": None},
        {"start": None, "end": T},
    ]}}
    got = sh.shifts_of(item, T, T + 24 * H)
    assert got == [shift(T, T + 8 * H, 1, 2, group="A"), shift(T + 8 * H, T + 16 * H, group="empty")]
    assert sh.shifts_of({"final_schedule": {"schedules": None}}) == []
    assert sh.shifts_of({"final_schedule": None}) == []


def test_touching_shifts_leave_no_gap():
    shifts = [shift(T, T + 8 * H, 1), shift(T + 8 * H, T + 24 * H, 2)]
    assert sh.gaps(shifts, T, T + 24 * H) == []
    assert sh.coverage_pct(shifts, T, T + 24 * H) == 100.0


def test_a_shift_whose_group_has_nobody_is_a_gap_with_who_is_on_call_around_it():
    shifts = [shift(T, T + 8 * H, 1), shift(T + 8 * H, T + 16 * H), shift(T + 16 * H, T + 24 * H, 2, 3)]
    assert sh.gaps(shifts, T, T + 24 * H) == [
        {"start": T + 8 * H, "end": T + 16 * H, "seconds": 8 * H, "before": [1], "after": [2, 3]}]
    assert sh.coverage_pct(shifts, T, T + 24 * H) == 66.7  # 16 of 24 h


def test_gaps_at_the_windows_edges_have_nobody_before_or_after():
    shifts = [shift(T + 2 * H, T + 20 * H, 1)]
    assert sh.gaps(shifts, T, T + 24 * H) == [
        {"start": T, "end": T + 2 * H, "seconds": 2 * H, "before": [], "after": [1]},
        {"start": T + 20 * H, "end": T + 24 * H, "seconds": 4 * H, "before": [1], "after": []}]
    assert sh.gaps([], T, T + H) == [{"start": T, "end": T + H, "seconds": H, "before": [], "after": []}]


def test_min_gap_ignores_shorter_gaps_and_keeps_one_exactly_as_long():
    # gaps: 30 min (08:00-08:30) and 2 h (12:00-14:00)
    shifts = [shift(T, T + 8 * H, 1), shift(T + 8 * H + 1800, T + 12 * H, 2), shift(T + 14 * H, T + 24 * H, 3)]
    assert [g["seconds"] for g in sh.gaps(shifts, T, T + 24 * H)] == [1800, 2 * H]
    assert [g["seconds"] for g in sh.gaps(shifts, T, T + 24 * H, min_gap=1800)] == [1800, 2 * H]
    assert [g["seconds"] for g in sh.gaps(shifts, T, T + 24 * H, min_gap=1801)] == [2 * H]
    assert sh.gaps(shifts, T, T + 24 * H, min_gap=3 * H) == []


def test_overlapping_shifts_of_one_schedule_cover_once():
    shifts = [shift(T, T + 10 * H, 1), shift(T + 5 * H, T + 12 * H, 2)]
    assert sh.coverage_pct(shifts, T, T + 24 * H) == 50.0  # 12 of 24 h
    assert [(g["start"], g["before"]) for g in sh.gaps(shifts, T, T + 24 * H)] == [(T + 12 * H, [2])]


def test_join_shifts_makes_one_shift_of_a_stretch_however_the_server_cut_it():
    edge = T + 44 * 24 * H
    first = [shift(edge - 24 * H, edge, 1, group="A")]            # cut by the first window
    second = [shift(edge, edge + 12 * H, 1, group="A"),           # its rest, in the next window, cut again inside
              shift(edge + 12 * H, edge + 24 * H, 1, group="A"),  # (where a layer or an override begins)
              shift(edge + 24 * H, edge + 48 * H, 2, group="B")]  # the next shift: other people
    joined = sh.join_shifts(first + second, edges=[edge])
    assert [(s["start"], s["end"]) for s in joined] == [(edge - 24 * H, edge + 24 * H), (edge + 24 * H, edge + 48 * H)]
    # The cuts are not documented, so the answer does not depend on which were windows' edges.
    assert sh.join_shifts(first + second) == joined
    # One item's pieces are joined the same way.
    item = {"final_schedule": {"schedules": [
        {"start": s["start"], "end": s["end"], "group": {"group_name": s["group_name"], "members": [
            {"role_id": 0, "person_ids": list(s["person_ids"])}]}} for s in first + second]}}
    assert [(s["start"], s["end"]) for s in sh.shifts_of(item)] == [(s["start"], s["end"]) for s in joined]
    # The same shift returned whole by two windows (a server that does not clip) is kept once.
    twice = [shift(edge - H, edge + H, 2), shift(edge - H, edge + H, 2)]
    assert sh.join_shifts(twice, edges=[edge]) == [shift(edge - H, edge + H, 2)]
    # A different group on the other side of the edge is another shift.
    assert len(sh.join_shifts([shift(edge - H, edge, 1, group="A"), shift(edge, edge + H, 1, group="B")],
                              edges=[edge])) == 2


def test_a_gap_across_a_window_edge_is_one_gap():
    edge = T + 44 * 24 * H
    joined = sh.join_shifts([shift(T, edge - H, 1)] + [shift(edge + 2 * H, edge + 10 * H, 2)], edges=[edge])
    assert sh.gaps(joined, T, edge + 10 * H) == [
        {"start": edge - H, "end": edge + 2 * H, "seconds": 3 * H, "before": [1], "after": [2]}]


def test_sleep_hours_are_23_to_08_in_the_zone():
    # Monday 20:00 to Tuesday 10:00 UTC: 23:00-08:00 is 9 h asleep.
    night = [(T + 20 * H, T + 34 * H)]
    assert sh.sleep_seconds(night, UTC) == 9 * H
    # In Shanghai (UTC+8) that is Tuesday 04:00 to 18:00 local: 04:00-08:00, 4 h.
    assert sh.sleep_seconds(night, get_zone("Asia/Shanghai")) == 4 * H
    # Overlapping intervals count once.
    assert sh.sleep_seconds(night + [(T + 22 * H, T + 26 * H)], UTC) == 9 * H


def test_weekend_and_sleep_hours_over_a_weekend_in_two_zones():
    # Friday 12:00 UTC to Monday 06:00 UTC: 66 h.
    weekend = [(T + 4 * 24 * H + 12 * H, T + 7 * 24 * H + 6 * H)]
    assert sh.seconds(weekend) == 66 * H
    assert sh.weekend_seconds(weekend, UTC) == 48 * H
    # UTC nights: Fri 23-Sat 08 (9), Sat 23-Sun 08 (9), Sun 23-Mon 06 (7).
    assert sh.sleep_seconds(weekend, UTC) == 25 * H
    # New York (UTC-5 in January): Friday 07:00 to Monday 01:00 local; the weekend is still whole,
    # nights: the end of Thursday's, Fri 07-08 (1), Fri 23-Sat 08 (9), Sat 23-Sun 08 (9), Sun 23-Mon 01 (2).
    york = get_zone("America/New_York")
    assert sh.weekend_seconds(weekend, york) == 48 * H
    assert sh.sleep_seconds(weekend, york) == 21 * H


def test_a_night_with_the_clocks_going_forward_is_an_hour_shorter():
    # Berlin, Sunday 2026-03-29: 02:00 becomes 03:00. Saturday 12:00 to Sunday 12:00 UTC holds the whole
    # night Saturday 23:00 to Sunday 08:00 local, which lasts 8 real hours.
    sat = int(datetime(2026, 3, 28, 12, tzinfo=UTC).timestamp())
    assert sh.sleep_seconds([(sat, sat + 24 * H)], get_zone("Europe/Berlin")) == 8 * H
    assert sh.weekend_seconds([(sat, sat + 24 * H)], get_zone("Europe/Berlin")) == 24 * H  # all of it is Saturday or Sunday


def test_person_load_merges_overlapping_schedules():
    # Person 1 in S1 Monday 00:00-24:00 and in S2 Monday 12:00 to Tuesday 12:00: 36 h on call, 48 schedule-hours.
    by_schedule = {"S1": [shift(T, T + 24 * H, 1, 2)], "S2": [shift(T + 12 * H, T + 36 * H, 1)]}
    load = sh.person_load(by_schedule, UTC)
    assert load[1] == {"person_id": 1, "seconds": 36 * H, "schedule_seconds": 48 * H,
                       "sleep_seconds": 9 * H + 8 * H,  # Mon 00-08 and Mon 23-Tue 08
                       "weekend_seconds": 0, "shifts": 2}
    assert load[2]["seconds"] == load[2]["schedule_seconds"] == 24 * H and load[2]["shifts"] == 1


def test_overlaps_across_schedules_one_entry_per_unbroken_stretch():
    by_schedule = {
        "S1": [shift(T, T + 24 * H, 1, 2)],
        "S2": [shift(T + 12 * H, T + 36 * H, 1)],
        "S3": [shift(T + 18 * H, T + 20 * H, 1), shift(T + 18 * H, T + 20 * H, 3)],
    }
    got = sh.overlaps(by_schedule)
    # Person 1: S1 and S2 from 12:00 to 24:00, S3 joining from 18:00 to 20:00: one stretch of 12 h. Person 3 is
    # only in S3, person 2 only in S1.
    assert [(o["person_id"], o["schedule_ids"], o["start"] - T, o["end"] - T, o["seconds"]) for o in got] == [
        (1, ["S1", "S2", "S3"], 12 * H, 24 * H, 12 * H)]
    # Two stretches with a break between them are two entries.
    two = sh.overlaps({"A": [shift(T, T + 10 * H, 1)], "B": [shift(T + H, T + 2 * H, 1), shift(T + 5 * H, T + 6 * H, 1)]})
    found = [(o["start"] - T, o["end"] - T, o["schedule_ids"]) for o in two]
    assert found == [(H, 2 * H, ["A", "B"]), (5 * H, 6 * H, ["A", "B"])]
    # Touching across schedules is no overlap.
    assert sh.overlaps({"A": [shift(T, T + H, 1)], "B": [shift(T + H, T + 2 * H, 1)]}) == []


def test_balance_on_hand_checked_cases():
    # 10/20 = .5, 10/40 = .25, 20/40 = .5: 1.25 / 3 pairs
    assert sh.balance([40, 10, 20]) == round(1.25 / 3, 3) == 0.417
    # (0, 0) is an even pair, (0, 10) twice is not: 1 / 3
    assert sh.balance([0, 10, 0]) == 0.333
    assert sh.balance([5, 5]) == 1.0
    assert sh.balance([7]) is None and sh.balance([]) is None


@pytest.mark.parametrize("seed", range(5))
def test_balance_equals_the_mean_over_every_pair(seed):
    rnd = random.Random(seed)
    values = [rnd.choice([0, 0, 1, 2.5, 7, 40, rnd.uniform(0, 100)]) for dummy in range(rnd.randint(2, 30))]
    ratios = [1.0 if max(a, b) == 0 else min(a, b) / max(a, b) for a, b in itertools.combinations(values, 2)]
    assert sh.balance(values) == pytest.approx(sum(ratios) / len(ratios), abs=0.0006)


def test_above_mean_by_more_than_a_share():
    hours = {"a": 10, "b": 20, "c": 60}  # mean 30
    assert sh.above_mean(hours, 0.25) == ["c"]  # over 37.5
    assert sh.above_mean(hours, 1.0) == []  # 60 is not over 60
    assert sh.above_mean({}, 0.25) == []


def test_windows_of_at_most_a_span():
    day = 24 * H
    assert sh.windows(T, T + 90 * day, 44 * day) == [[T, T + 44 * day], [T + 44 * day, T + 88 * day],
                                                     [T + 88 * day, T + 90 * day]]
    assert sh.windows(T, T + day, 44 * day) == [[T, T + day]]
