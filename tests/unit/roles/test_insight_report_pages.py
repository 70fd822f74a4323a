# -*- coding: utf-8 -*-
"""The report a team lead forwards: every figure it shows (headline, teams,
changes against the period before, hour split, on-call load) checked against
the simulator's own rows, and the HTML as real headless Chromium lays it out
at 1280 px and, by device emulation, 390 and 360 px with 100 teams and 1,000
schedules (full-page screenshots, print to A4, the CJK font checked)."""

from __future__ import absolute_import, division, print_function

import csv
import html as htmllib
import io
import json
import os
import re
from datetime import datetime, timezone

import pytest

from browser import Browser, find_chromium
from support import SimHandle, Simulator, role_play, run_playbook, scenario_gaps, sim_figures
from flashduty_simulator import DataSet
from ansible_collections.flashcat.flashduty.plugins.plugin_utils import export_columns as layout
from ansible_collections.flashcat.flashduty.plugins.plugin_utils.report_view import duration

# Every test here runs the role with ansible-playbook, or reads a run that did.
pytestmark = pytest.mark.integration

NOW = 1779667200  # 2026-05-25 00:00 UTC
START, END = NOW - 7 * 86400, NOW


def run_report(sim, folder, **role_vars):
    """Run the role for the 7 days before NOW into ``folder``/report: ``(report dir, fact)``."""
    sim.config(now=NOW)
    report = folder / "report"
    play = role_play(report, insight_report_start=START, insight_report_end=END, **role_vars)
    run = run_playbook(sim, folder, play)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return report, json.loads((report / "fact.json").read_text())


@pytest.fixture(scope="module")
def weekly(module_sim, tmp_path_factory):
    """One run of the role with its defaults on the simulator's 12 teams and 300 schedules, which
    several tests of this file read (and none changes): ``(sim, report dir, fact)``. The server
    writes its columns in its own order with the day bucket last, as Unix seconds: one of the
    layouts the documents leave open (test_fidelity.py has them all)."""
    module_sim.config(column_order="vendor", bucket_position="last", bucket_format="unix")
    report, fact = run_report(module_sim, tmp_path_factory.mktemp("weekly"))
    return module_sim, report, fact


def cell_texts(html, table_id):
    """{team id: [cell texts]} of a table of the report, as text."""
    body = html.split('id="%s"' % table_id, 1)[1].split("</table>", 1)[0]
    rows = {}
    for team_id, cells in re.findall(r'<tr data-team-id="(\d+)">(.*?)</tr>', body):
        rows[int(team_id)] = [htmllib.unescape(re.sub(r"<[^>]+>", " ", c)).split()
                              for c in re.findall(r"<td[^>]*>(.*?)</td>", cells)]
    return rows


RISE_IS_BAD = ("incidents", "mtta", "mttr", "interruptions")


def expected_change(key, now, then, kind, base):
    """The change a reader should see, worked out here: its text, and a tone and arrow only when it is news
    (10 % or more, 2 pp for a percentage, on 10 incidents or more in one of the two periods)."""
    delta = round(now - then, 1) if kind == "pct" else round(100.0 * (now - then) / then, 1)
    text = ("%+.1f pp" % delta) if kind == "pct" else ("0%" if round(delta) == 0 else "%+.0f%%" % delta)
    visible = delta if kind == "pct" else round(delta)
    news = visible != 0 and abs(delta) >= (2 if kind == "pct" else 10) and base >= 10
    if not news:
        return text, "same", ""
    up = visible > 0
    return text, ("worse" if up == (key in RISE_IS_BAD) else "better"), (u"\u25b2" if up else u"\u25bc")


def test_every_figure_matches_the_simulators_rows_with_changes_and_hour_split(weekly):
    sim, report, fact = weekly
    teams, totals = sim_figures(sim, START, END)
    before_teams, before = sim_figures(sim, START - 7 * 86400, START)
    assert len(teams) == len(before_teams) == 12
    # The fact
    assert fact["totals"]["incidents"] == totals["incidents"]
    assert fact["totals"]["mtta_seconds"] == totals["mtta"] and fact["totals"]["mttr_seconds"] == totals["mttr"]
    assert fact["previous"]["totals"]["interruptions"] == before["interruptions"]
    html = (report / "report.html").read_text()
    # The headline: value and change of each figure, computed here from the rows.
    base = max(totals["incidents"], before["incidents"])
    for key, name, kind in (("incidents", "incidents", "count"), ("interruptions", "interruptions", "count"),
                            ("mtta_seconds", "mtta", "seconds"), ("acknowledgement_pct", "ack_pct", "pct")):
        now, then = totals[name], before[name]
        card = html.split('data-metric="%s"' % key, 1)[1].split("\n", 1)[0]  # a card is one line
        expected = {"count": "{:,}".format(now), "seconds": duration(now), "pct": "%.1f %%" % now}[kind]
        assert '<div class="value">%s</div>' % expected in card, (key, card)
        text, tone, arrow = expected_change(name, now, then, kind, max(now, then) if name == "interruptions" else base)
        assert '<span class="delta %s"' % tone in card and card.endswith("%s</span></div>" % text), (key, card, text)
        assert (u'<span class="arrow">%s</span>' % arrow in card) if arrow else "arrow" not in card
    # The teams table: sorted by incidents, with each team's change and its true share; the hour split per team.
    rows = cell_texts(html, "team-totals")
    assert list(rows) == sorted(teams, key=lambda t: (-teams[t]["incidents"], DataSet().teams[t - 4295771902131]
                                                      ["team_name"].lower()))
    everyone = sum(t["incidents"] for t in teams.values())
    news = []
    for team_id, cells in rows.items():
        now, then = teams[team_id], before_teams[team_id]
        team_base = max(now["incidents"], then["incidents"])
        for index, key, kind in ((1, "incidents", "count"), (5, "interruptions", "count"), (2, "mtta", "seconds"),
                                 (3, "mttr", "seconds"), (4, "ack_pct", "pct")):
            value = {"count": "{:,}".format(now[key]) if kind == "count" else None, "seconds": duration(now[key]),
                     "pct": "%.1f %%" % now[key]}[kind]
            width = 1 if kind == "count" else 2
            assert " ".join(cells[index][:width]) == value, (team_id, key)
            text, tone, arrow = expected_change(
                key, now[key], then[key], kind, max(now[key], then[key]) if key == "interruptions" else team_base)
            assert cells[index][width:] == ([arrow] if arrow else []) + text.split(), (team_id, key, cells[index])
            if key == "incidents" and arrow:
                news.append((team_id, abs(round(100.0 * (now[key] - then[key]) / then[key], 1))))
        assert cells[6] == ["%.1f" % round(100.0 * now["incidents"] / everyone, 1), "%"], (team_id, cells[6])
    # "0%" is never coloured, whatever the unrounded difference.
    assert not re.search(r'class="delta (worse|better)"[^>]*>(<span class="arrow">.</span> )?0%<', html)
    # What changed: the headline's news first, then the teams' incident changes that are news, largest first.
    block = html.split('id="changes"', 1)[1].split("</section>", 1)[0]
    listed = re.findall(r"<li><b>(.*?)</b>, (\w+): <span class=\"num\">(.*?) &rarr; (.*?)</span>", block)
    headline_news = [label for label, key in (("Incidents", "incidents"), ("Interruptions", "interruptions"))
                     if expected_change(key, totals[key], before[key], "count",
                                        max(totals[key], before[key]) if key == "interruptions" else base)[2]]
    team_names = dict((t, DataSet().teams[t - 4295771902131]["team_name"]) for t in teams)
    news.sort(key=lambda n: -n[1])
    wanted = [("All teams", label) for label in headline_news] + [(team_names[t], "Incidents") for t, dummy in news]
    assert [(htmllib.unescape(scope), label) for scope, label, dummy, dummy2 in listed][:len(wanted[:6])] == wanted[:6]
    for scope, label, old, new in listed:
        if label == "Incidents" and scope != "All teams":
            (team_id,) = [t for t, n in team_names.items() if n == htmllib.unescape(scope)]
            assert (old, new) == ("{:,}".format(before_teams[team_id]["incidents"]),
                                  "{:,}".format(teams[team_id]["incidents"]))
    first_day = datetime.fromtimestamp(START, timezone.utc)
    assert ">%s %s<" % (("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[first_day.weekday()],
                        first_day.strftime("%Y-%m-%d")) in html  # the chart's first day, with its weekday
    # The trend: this period's total, and the period before's drawn behind it bucket by bucket.
    chart = html.split('id="incidents-chart"', 1)[1].split("</svg>", 1)[0]
    now_line = re.search(r'<polyline class="series" data-name="This period, all teams"[^>]*points="([^"]+)"', chart)
    before_line = re.search(r'<polyline stroke-dasharray="5 4" class="series before"[^>]*points="([^"]+)"', chart)
    assert now_line and before_line and len(now_line.group(1).split()) == len(before_line.group(1).split()) == 7
    assert "Incidents per day</text>" in chart  # the y-axis says what it counts
    assert not re.search(r">1[0-9]{9}<", html)  # date labels, never Unix seconds
    assert "the end not included" in html and "<dt>Interruptions</dt>" in html and "Hours in UTC." in html
    hours = cell_texts(html, "hours")
    for team_id, cells in hours.items():
        expected = [teams[team_id]["hours"].get(h, 0) for h in ("work", "off", "sleep")]
        assert [int(c[0].replace(",", "")) for c in cells[1:4]] == expected
    # The chat summary: short, with the headline as the HTML has it.
    summary = (report / "summary.md").read_text(encoding="utf-8")
    assert len(summary.strip().splitlines()) <= 20 and fact["files"]["summary_md"].endswith("summary.md")
    assert "Incidents **%s**" % "{:,}".format(totals["incidents"]) in summary and "On call now:" in summary
    assert re.search(u"^Incidents per day: [\u2581-\u2588]{7}$", summary, re.M), summary  # the trend, as text


def oncall_oracle(data, count, start, end):
    """Per person, from the simulator's own rotation, hour by hour (every shift starts and ends on a whole
    hour): the set of hours on call (wall clock), the schedule-hours, the shifts, and the UTC sleep
    (23:00-08:00) and weekend hours among the wall-clock ones."""
    people = {}
    for index in range(count):
        sched = data.schedule(index)
        if not sched["groups"]:
            continue
        seen = set()
        for hour in range(start, end, 3600):
            s, dummy, group = DataSet.shift_at(sched, hour)
            for pid in dict.fromkeys(p for m in group["members"] for p in m["person_ids"]):
                entry = people.setdefault(pid, {"hours": set(), "schedule_hours": 0, "shifts": 0})
                entry["hours"].add(hour)
                entry["schedule_hours"] += 1
                if (s, pid) not in seen:
                    seen.add((s, pid))
                    entry["shifts"] += 1
    out = {}
    for pid, entry in people.items():
        at = [datetime.fromtimestamp(h, timezone.utc) for h in entry["hours"]]
        out[pid] = {"hours": float(len(entry["hours"])), "schedule_hours": float(entry["schedule_hours"]),
                    "sleep_hours": float(sum(1 for t in at if t.hour >= 23 or t.hour < 8)),
                    "weekend_hours": float(sum(1 for t in at if t.weekday() >= 5)), "shifts": entry["shifts"]}
    return out


def test_oncall_load_is_wall_clock_hours_with_overlapping_schedules_merged(weekly):
    dummy, report, fact = weekly
    expected = oncall_oracle(DataSet(), 300, START, END)
    keys = ("hours", "schedule_hours", "sleep_hours", "weekend_hours", "shifts")
    load = dict((r["person_id"], dict((k, r[k]) for k in keys)) for r in fact["oncall_load"])
    assert load == expected
    # The people of this data set are on call in several schedules at once: the old sum (schedule-hours)
    # is far above the week, the wall-clock hours never are.
    assert max(r["schedule_hours"] for r in expected.values()) > 7 * 24
    assert all(r["hours"] <= 7 * 24 for r in fact["oncall_load"])
    assert [r["hours"] for r in fact["oncall_load"]] == sorted((r["hours"] for r in fact["oncall_load"]), reverse=True)
    lines = (report / "oncall_load.csv").read_text().splitlines()
    assert lines[0] == "person_id,person_name,hours,schedule_hours,sleep_hours,weekend_hours,shifts"
    assert len(lines) == 1 + len(expected)
    html = (report / "report.html").read_text()
    top = fact["oncall_load"][0]
    row = html.split('<tr data-person-id="%s">' % top["person_id"], 1)[1].split("</tr>", 1)[0]
    assert '<td data-load="hours">%s</td>' % top["hours"] in row
    assert '<td data-load="schedule_hours">%s</td>' % top["schedule_hours"] in row
    md = (report / "report.md").read_text()
    assert "| %s | %s | %s |" % (top["hours"], top["schedule_hours"], top["sleep_hours"]) in md


def test_every_schedule_with_nobody_on_call_is_in_the_html_the_markdown_and_oncall_csv(weekly):
    dummy, report, fact = weekly
    data = DataSet()
    # The simulator's every tenth schedule has no layers: no shift, nobody now or next.
    empty = dict((data.schedule(i)["id"], data.schedule(i)["name"]) for i in range(300) if not data.schedule(i)["groups"])
    assert len(empty) == 30
    assert set(e["schedule_id"] for e in fact["oncall"] if not e["current"]) == set(empty)
    html = (report / "report.html").read_text()
    table = html.split('id="coverage"', 1)[1].split("</table>", 1)[0]
    assert set(int(x) for x in re.findall(r'data-schedule-id="(\d+)"', table)) == set(empty)
    assert all(htmllib.escape(name) in table for name in empty.values())
    assert "270 of 300 schedules have someone on call now; 30 have nobody on call now or next" in html
    # The on-call table: every schedule, in its team, those with nobody first, "now" dated by the server's clock
    # (its Date header: the simulator's frozen NOW), so the same data gives the same report.
    roster = html.split('id="oncall"', 1)[1].split("<h2>", 1)[0]
    assert roster.count("<details") == 12 and roster.count("<tr><td>") == 300 and "more" not in roster
    for team in roster.split("<details")[1:]:
        rows = re.findall(r"<tr><td>([^<]*)<td>(.*?)<td>", team)
        nobody = [n for n, now in rows if "nobody" in now]
        assert [n for n, dummy in rows[:len(nobody)]] == nobody  # the ones that matter first
        assert all(htmllib.unescape(n) in empty.values() for n in nobody)
    at = re.search(r'id="oncall-at">Now is (\d{4})‑(\d\d)‑(\d\d) (\d\d):(\d\d) \(UTC\), when the schedules were read', html)
    assert at, "the time of 'now' is not said"
    read = datetime(*(int(x) for x in at.groups()), tzinfo=timezone.utc).timestamp()
    assert read == NOW
    md = (report / "report.md").read_text()
    assert "270 of 300 schedules have someone on call now; 30 have nobody" in md.split("## Coverage", 1)[1]
    section = md.split("## On call now and next", 1)[1].split("## On-call load", 1)[0]
    assert "Now is %s-%s-%s %s:%s (UTC)" % at.groups() in section
    for name in empty.values():
        assert section.count(name) == 1, name
    rows = list(csv.DictReader(io.StringIO((report / "oncall.csv").read_text())))
    flagged = dict((r["schedule"], r["coverage"]) for r in rows if r["coverage"])
    assert set(flagged) == set(empty.values())
    assert all(v == "no shift in the period; nobody on call now; nobody on call next" for v in flagged.values())


def test_the_coverage_section_lists_the_coming_gaps_and_the_night_load(sim, tmp_path):
    # The simulator's health scenarios: time-restricted layers, overrides, groups with nobody, no shifts.
    sim.config(health_scenarios=True)
    team = 1  # "Payments, EU": schedules 1, 13, 25, ... (each scenario among them)
    report, fact = run_report(sim, tmp_path, insight_report_team_ids=[4295771902131 + team],
                              insight_report_compare=False)  # the look-ahead starts at the period's end
    indexes = [i for i in range(300) if i % 12 == team]
    # A schedule with no shift at all is listed as such, not as a gap.
    # By start, then schedule name, as the report lists them.
    expected = [(a, b, sid) for a, name, b, sid in sorted(
        (a, DataSet().schedule(i)["name"], b, DataSet().schedule(i)["id"]) for i in indexes
        if DataSet().schedule(i)["groups"] for a, b, x, y in scenario_gaps(i, END, END + 14 * 86400))]
    assert len(expected) > 25
    ahead = fact["coverage"]["ahead"]
    assert ahead["start"] == "2026-05-25 00:00" and ahead["end"] == "2026-06-08 00:00"
    assert ahead["gap_count"] == len(expected) and ahead["more_gaps"] == len(expected) - 25
    shown = [(g["schedule_id"], g["start"], g["end"]) for g in ahead["gaps"]]

    def fmt(ts):
        return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d %H:%M")
    assert shown == [(sid, fmt(a), fmt(b)) for a, b, sid in expected[:25]]
    empty = [DataSet().schedule(i)["name"] for i in indexes if not DataSet().schedule(i)["groups"]]
    assert ahead["empty"] == sorted(empty) and empty
    html = (report / "report.html").read_text()
    table = html.split('id="gaps"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr data-schedule-id=") == 25 and "and %d more gaps" % (len(expected) - 25) in html
    assert "%d gaps with nobody on call in" % len(expected) in html
    night = ahead["night"]
    assert night and [p["sleep_hours"] for p in night] == sorted((p["sleep_hours"] for p in night), reverse=True)
    assert 'id="night">Most on call at night' in html
    roster = html.split('id="oncall"', 1)[1].split("<h2>", 1)[0]
    gap_count = {}
    for dummy, dummy2, sid in expected:
        gap_count[sid] = gap_count.get(sid, 0) + 1
    names = dict((DataSet().schedule(i)["id"], DataSet().schedule(i)["name"]) for i in indexes)
    rows = [[htmllib.unescape(c) for c in r] for r in re.findall(
        r"<tr><td>(.*?)<td>(.*?)<td>(.*?)<td>(.*?)\n?(?=<tr>|</tbody>)", roster)]
    assert len(rows) == len(indexes)  # every schedule of the team, none cut
    for sid, count in gap_count.items():
        assert '%s <span class="worse">(%d gaps ahead)</span>' % (names[sid], count) in [r[0] for r in rows]
    # Nobody now, nobody next, gaps ahead, then the rest.
    ranks = [0 if "nobody" in now else 1 if "nobody" in nxt else 2 if "gaps ahead" in name else 3
             for name, now, dummy, nxt in rows]
    assert ranks == sorted(ranks) and 2 in ranks and 3 in ranks, ranks
    md = (report / "report.md").read_text()
    assert all("%s (%d)" % (names[sid], count) in md for sid, count in gap_count.items())
    assert "%d gaps with nobody on call in" % len(expected) in md and "| %s |" % fmt(expected[0][0]) in md


def test_the_role_asks_for_its_fields_in_the_vendors_order(weekly):
    sim = weekly[0]
    for export in sim.requests("/insight/team/export"):
        fields = export["body"]["export_fields"]
        assert fields == layout.vendor_order(fields) and fields[-1] == "hours"


def test_compare_off_makes_one_export_per_batch_and_shows_no_changes(sim, tmp_path):
    report, fact = run_report(sim, tmp_path, insight_report_compare=False)
    assert len(sim.requests("/insight/team/export")) == 1
    html = (report / "report.html").read_text()
    assert 'class="delta' not in html and fact["previous"]["totals"] is None


MEASURE = """
(function () {
  // Every team of the on-call part opened, as a reader would, to lay out its schedules too.
  Array.prototype.forEach.call(document.querySelectorAll('#oncall details'), function (d) { d.open = true; });
  function box(e) { var r = e.getBoundingClientRect(); return [r.left, r.right, r.width, r.height]; }
  // A word (a name, a figure with its unit, a date) drawn on more than one line: broken mid-word.
  function broken(cell, whole) {
    var out = [], walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT), node;
    while ((node = walker.nextNode())) {
      var re = whole ? /\\S(.*\\S)?/g : /\\S+/g, m;
      while ((m = re.exec(node.data))) {
        var range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        var lines = {};
        Array.prototype.forEach.call(range.getClientRects(), function (r) { if (r.width) { lines[Math.round(r.top)] = 1; } });
        if (Object.keys(lines).length > 1) { out.push(m[0]); }
      }
    }
    return out;
  }
  var midword = [];
  Array.prototype.forEach.call(document.querySelectorAll(
    'tbody td:first-child, summary b, #headline .value, #oncall td:nth-child(2), #oncall td:nth-child(4)'),
    function (c) { midword = midword.concat(broken(c, false)); });
  // A figure and its unit ("32.3 min", "81.6 %"), a change ("+1.9 pp") stay on one line.
  Array.prototype.forEach.call(document.querySelectorAll('table.n td:not(:first-child), .delta, .num'),
    function (c) { if (c.getBoundingClientRect().width) { midword = midword.concat(broken(c, true)); } });
  var body = document.body.getBoundingClientRect();
  var over = [];
  Array.prototype.forEach.call(document.querySelectorAll('body *'), function (e) {
    var r = e.getBoundingClientRect();
    if (!r.width && !r.height) { return; }
    var p = e.parentElement.getBoundingClientRect();
    if (r.right > body.right + 1 || r.left < body.left - 1 ||
        (e.tagName !== 'svg' && e.closest('svg') === null && r.right > p.right + 1)) {
      over.push(e.tagName + '.' + e.className + ': ' + (e.textContent || '').slice(0, 40));
    }
  });
  var charts = Array.prototype.filter.call(document.querySelectorAll('svg.chart'),
    function (s) { return s.getBoundingClientRect().width > 0; }).map(function (s) {
      return {id: s.id, box: box(s), viewbox: s.viewBox.baseVal.width,
        font: parseFloat(s.querySelector('text.x-label').getAttribute('font-size')),
        labels: Array.prototype.map.call(s.querySelectorAll('text.x-label'),
        function (t) { return t.textContent; }),
        lines: s.querySelectorAll('polyline.series').length,
        legend: Array.prototype.map.call(s.querySelectorAll('text.legend'), function (t) { return t.textContent; })};
    });
  return {
    width: window.innerWidth, scroll: document.documentElement.scrollWidth, over: over, charts: charts,
    sparklines: Array.prototype.filter.call(document.querySelectorAll('#team-totals svg.spark'),
      function (s) { return s.getBoundingClientRect().width > 0; }).length,
    teams: Array.prototype.map.call(document.querySelectorAll('#team-totals tbody tr'),
      function (r) { return r.cells[0].textContent; }),
    oncall: document.getElementById('oncall').textContent,
    midword: midword,
    teams_oncall: document.querySelectorAll('#oncall details').length,
    schedules_oncall: document.querySelectorAll('#oncall tbody tr').length,
    dates: Array.prototype.map.call(document.querySelectorAll('#oncall tbody td:nth-child(3)'),
      function (c) { return broken(c, false).length; }).reduce(function (a, b) { return a + b; }, 0),
    load: Array.prototype.map.call(document.querySelectorAll('#load tbody tr'),
      function (r) { return r.cells[0].textContent; })
  };
})()
"""


def chromium():
    path = find_chromium()
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail("no Chromium: make test installs it (apt-get install chromium)")
    pytest.skip("no Chromium on this machine")
    return None


# Widths as a person sees the report: a laptop, and two phones laid out by device emulation (a headless
# window is never narrower than 500 px, so a window of 390 would really be 500).
WIDTHS = [1280, 390, 360]


def lay_out(report, width, tmp_path):
    """The report laid out ``width`` CSS px wide: its measures, the fonts of the CJK team name's cell, and a
    full-page screenshot (into FLASHDUTY_SCREENSHOT_DIR when set)."""
    shots = os.environ.get("FLASHDUTY_SCREENSHOT_DIR") or str(tmp_path)
    with Browser(chromium(), str(tmp_path / "profile")) as browser:
        page = browser.page()
        page.emulate(width, 900, mobile=width < 600)
        page.load(report.as_uri())
        figures = page.evaluate(MEASURE)
        page.call("DOM.enable")
        page.call("CSS.enable")
        root = page.call("DOM.getDocument")["root"]["nodeId"]
        cells = page.call("DOM.querySelectorAll", nodeId=root, selector="#team-totals tbody td")["nodeIds"]
        fonts = []
        for node in cells:
            html = page.call("DOM.getOuterHTML", nodeId=node)["outerHTML"]
            if u"\u8fd0\u7ef4\u56e2\u961f" in html:
                fonts = [f["familyName"] for f in page.call("CSS.getPlatformFontsForNode", nodeId=node)["fonts"]]
                break
        figures["cjk_fonts"] = fonts
        figures["page"] = page.screenshot(os.path.join(shots, "report-%d.png" % width))
        figures["height"] = page.evaluate("document.documentElement.scrollHeight")
    return figures


def is_day(text):
    """A day label as the chart prints it: ``Mon 2026-05-18``, the weekday right for the date."""
    try:
        return datetime.strptime(text, "%a %Y-%m-%d").strftime("%a %Y-%m-%d") == text
    except ValueError:
        return False


@pytest.fixture(scope="module")
def big_report(tmp_path_factory):
    """The role's report of 100 teams and 1,000 schedules, which the browser tests look at."""
    server = Simulator(limits="off", teams=100, schedules=1000).start()
    try:
        report, fact = run_report(SimHandle(server), tmp_path_factory.mktemp("big"))
    finally:
        server.stop()
    return report / "report.html", fact


@pytest.mark.parametrize("width", WIDTHS)
def test_the_report_lays_out_at_desktop_and_phone_width_with_100_teams(big_report, tmp_path, width):
    report, fact = big_report
    html = report.read_text()
    assert "<script" not in html and not re.search(r'(src|href)="?https?://', html)
    # Light enough to mail with every one of the 1,000 schedules in it.
    assert len(html.encode("utf-8")) < 350 * 1024, "too heavy to mail"
    m = lay_out(report, width, tmp_path)
    assert m["width"] == width and m["scroll"] <= width, "the page scrolls sideways"
    assert m["over"] == [], m["over"][:10]
    charts = [c for c in m["charts"] if c["id"].startswith("incidents-chart")]
    (chart,) = charts  # one chart for each width, the other is hidden
    assert chart["id"] == ("incidents-chart" if width > 600 else "incidents-chart-narrow")
    assert chart["labels"] and all(is_day(label) for label in chart["labels"]), chart["labels"]
    assert chart["lines"] == 2 and chart["legend"] == ["This period, all teams", "The period before"]
    assert chart["font"] * chart["box"][2] / chart["viewbox"] >= 11, chart  # text of 11 px or more on screen
    assert m["sparklines"] == (100 if width > 600 else 0)  # a trend per team in the table, on wide screens
    assert len(m["teams"]) == 100
    assert u"运维团队" in m["teams"] and 'Data "Lake"' in m["teams"] and "Payments, EU" in m["teams"]
    assert "<b>Kim</b> & Co" in m["oncall"] + "".join(m["load"])
    assert m["midword"] == [], m["midword"][:20]  # no name, figure or date broken mid-word
    # On call: every schedule of every team (a team is collapsed, never cut), until-dates whole.
    assert m["teams_oncall"] == 100 and m["schedules_oncall"] == 1000 and " more " not in m["oncall"]
    assert m["dates"] == 0 and "2026\u201105\u201125" in m["oncall"]
    assert len(m["load"]) == 25
    # The CJK name is drawn with a font that has its glyphs (make test installs fonts-noto-cjk), not boxes.
    assert any("CJK" in family for family in m["cjk_fonts"]), m["cjk_fonts"]
    # The screenshot is the whole page, to its last line, at the width asked.
    assert m["page"]["width"] == width and m["page"]["height"] >= m["height"] > 2400


def test_the_markdown_at_100_teams_is_short_enough_for_a_wiki_with_trends_and_cues(big_report):
    report, fact = big_report
    md = (report.parent / "report.md").read_text(encoding="utf-8")
    lines = md.splitlines()
    assert len(lines) <= 250 and len(md.encode("utf-8")) <= 30 * 1024, (len(lines), len(md.encode("utf-8")))
    table = md.split("## Teams", 1)[1].split("## Coverage", 1)[0]
    rows = [r for r in table.splitlines() if r.startswith("| ") and not r.startswith("| Team |")]
    assert len(rows) == 100  # every team, with its trend in block characters and the hour split beside it
    assert all(re.search(u"\\| [\u2581-\u2588]{7} \\|", r) for r in rows), rows[:3]
    # Good and bad news told apart, not only by the arrow's direction.
    assert u"\u25b2 +" in table and u"\U0001F534" in table and u"\U0001F7E2" in table
    incidents = [r.split(" | ")[1] for r in rows]
    assert all(u"\U0001F7E2" not in c for c in incidents if u"\u25b2" in c)  # more incidents is never good news
    assert all(u"\U0001F534" not in c for c in incidents if u"\u25bc" in c)
    # Every schedule with nobody on call now or next is named once, in its team's row; no team is cut.
    section = md.split("## On call now and next", 1)[1].split("## On-call load", 1)[0]
    for entry in fact["oncall"]:
        if not (entry["current"] or {}).get("person_ids") or not (entry["next"] or {}).get("person_ids"):
            assert section.count(entry["schedule_name"]) == 1, entry["schedule_name"]
    assert " more teams" not in md and "Now is " in section


def test_the_report_prints_on_a4(big_report, tmp_path):
    report, dummy = big_report
    with Browser(chromium(), str(tmp_path / "profile")) as browser:
        page = browser.page()
        page.load(report.as_uri())
        raw = page.pdf()
    shots = os.environ.get("FLASHDUTY_SCREENSHOT_DIR")
    if shots:
        with open(os.path.join(shots, "report.pdf"), "wb") as handle:
            handle.write(raw)
    assert raw.startswith(b"%PDF")
    # Laid out as printed (A4 less 12 mm margins: 703 x 1033 CSS px): the chart leaves no blank third of
    # page 1, the Teams table starts there; no name, figure or date is broken mid-word on paper either.
    with Browser(chromium(), str(tmp_path / "profile-print")) as browser:
        page = browser.page()
        page.emulate(703, 1033, mobile=False)
        page.call("Emulation.setEmulatedMedia", media="print")
        page.load(report.as_uri())
        # Paper cannot open a team: every team's schedules are laid out in print, the teams closed as on screen
        # (before MEASURE, which opens them).
        closed = page.evaluate("document.querySelectorAll('#oncall details:not([open])').length")
        rows = page.evaluate("Array.from(document.querySelectorAll('#oncall details tbody tr'))"
                             ".map(function (r) { return r.checkVisibility(); })")
        m = page.evaluate(MEASURE)
        first_row = page.evaluate("document.querySelector('#team-totals tbody tr').getBoundingClientRect().bottom")
    assert closed == 100 and len(rows) >= 1000 and all(rows), (closed, len(rows), rows.count(False))
    assert first_row < 1033, first_row
    assert m["midword"] == [] and m["over"] == [], (m["midword"][:20], m["over"][:10])
    sizes = set(re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", raw))
    assert sizes and all(abs(float(w) - 595.92) < 2 and abs(float(h) - 842.88) < 2 for w, h in sizes), sizes
