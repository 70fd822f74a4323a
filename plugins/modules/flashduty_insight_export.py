#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: flashduty_insight_export
short_description: Export the Flashduty insight report by team, responder or channel as a CSV file and as rows
version_added: 0.1.0
description:
  - Exports insight metrics (incidents, acknowledgements, MTTA, MTTR, interruptions, ...) per team through
    C(POST /insight/team/export), per responder through C(POST /insight/responder/export) or per channel through
    C(POST /insight/channel/export) (O(dimension)); each answers with a CSV file.
  - Writes the CSV to O(dest) atomically, and parses it into RV(rows) a playbook can use.
  - Every rule of the API is checked before anything is sent, with a message that names the option.
  - With O(split_range), a range longer than one request may cover is exported in consecutive windows aligned to
    the time buckets of O(aggregate_unit), merged into one CSV with a single header.
author:
  - Flashduty collection maintainers (@flashcat)
extends_documentation_fragment:
  - flashcat.flashduty.connection
  - flashcat.flashduty.connection.ACTIONGROUP
  - flashcat.flashduty.insight
  - ansible.builtin.action_common_attributes
  - ansible.builtin.files
attributes:
  check_mode:
    support: full
    details:
      - The export is read as in a real run (it changes nothing on the server) and RV(rows) are returned;
        O(dest) is left alone and C(changed) is true only when a real run would write it (its content or its
        file attributes differ).
  diff_mode:
    support: full
    details:
      - When O(dest) would change, a unified diff of it, headed by the line counts before and after. At most
        200 lines of the diff are shown; a file over 8 MiB is compared by its line counts only.
  platform:
    platforms: posix
options:
  dimension:
    description:
      - What one row is about. V(team) (the default), V(responder) (a person, by person id) or V(channel).
      - The responder and channel exports have the dimension's id and name columns in place of the team's; the
        responder export has the responder's subset of the metrics (incidents, acknowledged, escalated and its
        kinds, reassigned, interruptions, notifications, engaged seconds, MTTA, acknowledgement percentage).
      - Read the rows by what each column holds, not by its position, with the
        P(flashcat.flashduty.insight_rows#filter) filter.
    type: str
    choices: [team, responder, channel]
    default: team
    version_added: 0.3.0
  export_fields:
    description:
      - The CSV columns to include, by key (at most 50), for example V(team_name), V(total_incident_cnt),
        V(mean_seconds_to_ack). All when not set.
      - Each O(dimension) takes its own keys; V(responder_id), V(responder_name) with O(dimension=responder) and
        V(channel_id), V(channel_name) with O(dimension=channel) stand for V(team_id), V(team_name). A key the
        dimension does not take fails the task, naming it, before anything is sent.
    type: list
    elements: str
    choices: [team_id, team_name, responder_id, responder_name, channel_id, channel_name, total_incident_cnt,
              total_incidents_acknowledged, total_incidents_closed, total_incidents_auto_closed,
              total_incidents_manually_closed, total_incidents_timeout_closed,
              total_incidents_escalated, total_incidents_manually_escalated, total_incidents_timeout_escalated,
              total_incidents_reassigned, total_interruptions, total_notifications, total_engaged_seconds,
              mean_seconds_to_ack, mean_seconds_to_close, noise_reduction_pct, acknowledgement_pct,
              total_alert_cnt, total_alert_event_cnt, hours]
  description_html_to_text:
    description: Strip HTML from the description column.
    type: bool
  include_ever_muted:
    description:
      - Also count incidents that were ever muted; the server leaves them out unless this is V(true).
    type: bool
    version_added: 0.2.0
  split_range:
    description:
      - With O(aggregate_unit), cut a range longer than one request may cover (31 days for V(day), one year
        otherwise) into consecutive windows aligned to bucket boundaries in O(time_zone) (UTC when not set),
        export each and merge them into one CSV.
      - Without O(aggregate_unit) a range that is too long is an error, since per-window totals would not add up.
    type: bool
    default: false
  dest:
    description:
      - Where to write the CSV. Written atomically, and only when the content differs.
      - When not set, the CSV is only returned as RV(rows).
    type: path
  bom:
    description:
      - The server's CSV starts with a UTF-8 byte order mark (C(EF BB BF)), so that spreadsheet programs read
        non-ASCII team names right. V(true) keeps the file as the server sent it; V(false) writes O(dest) without
        it, for tools that would read it as part of the first column's name.
      - RV(rows) and RV(columns) never include it.
    type: bool
    default: true
    version_added: 0.3.0
  force:
    description:
      - When V(false) and O(dest) exists, nothing is fetched; RV(rows) are read from the existing file.
    type: bool
    default: true
  return_rows:
    description:
      - Parse the CSV into RV(rows). Turn off for large exports that are only written to O(dest).
    type: bool
    default: true
  language:
    description:
      - Sent as C(Accept-Language), for the column names of the CSV (for example V(en-US) or V(zh-CN)).
    type: str
notes:
  - The CSV is written as the server sends it, byte order mark and CRLF line ends included (see O(bom)).
  - The column names are display names in the requested language, not the O(export_fields) keys.
  - Data can lag about one hour behind real time.
  - If the server answers with a JSON envelope and no CSV, the module warns and returns zero rows; O(dest) is
    left as it is.
  - The endpoint allows 1 request per second and 10 per minute per account; the client paces to that, also
    across loop items and forks (see O(pacing)).
seealso:
  - module: flashcat.flashduty.flashduty_schedule_info
"""

EXAMPLES = r"""
# The module only talks to the API: run it on the controller, in a play that starts with
#   hosts: localhost
#   connection: local
#   gather_facts: false
#   vars:
#     ansible_python_interpreter: "{{ ansible_playbook_python }}"
# so that it runs the same with no inventory, -i localhost, or an inventory file.
- name: Last week's insight of two teams, as a file and as rows
  flashcat.flashduty.flashduty_insight_export:
    app_key: "{{ flashduty_app_key }}"
    start_time: -7d
    end_time: now
    team_ids: [4295771902131, 4295771902132]
    time_zone: Asia/Shanghai
    dest: /srv/reports/team_insight.csv
    mode: "0640"
  register: insight

- name: Fail when a team's mean time to acknowledge is over 10 minutes
  ansible.builtin.fail:
    msg: "{{ item['Team Name'] }} needs {{ item['MTTA (s)'] }} s to acknowledge"
  loop: "{{ insight.rows }}"
  when: item['MTTA (s)'] | float > 600

- name: A quarter, by day, in three requests merged into one file
  flashcat.flashduty.flashduty_insight_export:
    start_time: "2026-07-01T00:00:00"
    end_time: "2026-09-29T00:00:00"
    aggregate_unit: day
    split_range: true
    time_zone: UTC
    export_fields: [team_name, total_incident_cnt, mean_seconds_to_ack, mean_seconds_to_close]
    dest: /srv/reports/q3_daily.csv
    return_rows: false
"""

RETURN = r"""
dest:
  description: The path of the CSV file, or null when O(dest) is not set.
  returned: always
  type: str
  sample: /srv/reports/team_insight.csv
columns:
  description: The CSV header, as the server sent it (display names in the requested language).
  returned: success
  type: list
  elements: str
  sample: [Team ID, Team Name, Total Incidents, MTTA (s)]
rows:
  description:
    - One dictionary per CSV row, keyed by RV(columns).
    - A column whose values are all numbers is returned as numbers (empty cells as null); others as text.
  returned: when O(return_rows=true)
  type: list
  elements: dict
  sample: [{"Team ID": 4295771902131, "Team Name": "SRE", "Total Incidents": 12, "MTTA (s)": 95.5}]
row_count:
  description: The number of data rows in the CSV.
  returned: success
  type: int
  sample: 12
checksum:
  description: SHA1 of the CSV, or null when no CSV was received.
  returned: success
  type: str
  sample: 2aae6c35c94fcfb415dbe95f408b9ce91ee846ed
size:
  description: Size of the CSV in bytes.
  returned: success
  type: int
  sample: 2048
truncated:
  description:
    - True when an export (or one window of O(split_range)) came back with 10,000 rows, the most one export
      holds. The server cuts silently, so rows may be missing; a warning says which window.
    - Ask for fewer teams a request, a coarser O(aggregate_unit), or leave O(split_hours) off.
  returned: success
  type: bool
  sample: false
  version_added: 0.2.0
windows:
  description: The C([start, end]) pairs (Unix seconds) exported, one per request.
  returned: always
  type: list
  elements: list
  sample: [[1782864000, 1785542400], [1785542400, 1788220800]]
dimension:
  description: The O(dimension) exported.
  returned: always
  type: str
  sample: responder
  version_added: 0.3.0
export_fields:
  description: The O(export_fields) sent, in the order asked (empty when not set).
  returned: always
  type: list
  elements: str
  sample: [responder_id, responder_name, total_interruptions]
  version_added: 0.3.0
ids:
  description: The ids of the O(dimension) that were asked for (O(team_ids), O(responder_ids) or O(channel_ids)).
  returned: always
  type: list
  elements: int
  sample: [2476123212131]
  version_added: 0.3.0
team_ids:
  description:
    - The team filter that was sent, O(team_ids) and the ids of O(team_names); empty without a team filter.
    - With RV(aggregate_unit), what the P(flashcat.flashduty.insight_summary#filter) filter checks the columns
      against.
  returned: always
  type: list
  elements: int
  sample: [4295771902131]
  version_added: 0.2.0
aggregate_unit:
  description: The O(aggregate_unit) sent, or null without time buckets.
  returned: always
  type: str
  sample: day
  version_added: 0.2.0
request_ids:
  description: The request ids of the calls made.
  returned: success
  type: list
  elements: str
rate_limit_wait:
  description:
    - Seconds the task waited for rate-limit slots (O(pacing)); waits of requests side by side count once.
    - Over 10 seconds, a warning also says so, naming the endpoints and their limits.
  returned: success
  type: float
  sample: 12.2
  version_added: 0.3.0
"""

from ansible_collections.flashcat.flashduty.plugins.module_utils.common import flashduty_module, run_module
from ansible_collections.flashcat.flashduty.plugins.module_utils.insight import filter_options, run
from ansible_collections.flashcat.flashduty.plugins.module_utils.schemas import DIMENSIONS, EXPORT_FIELDS_BY_DIMENSION


def main():
    every_field = ["team_id", "team_name", "responder_id", "responder_name", "channel_id", "channel_name"]
    every_field += [f for f in EXPORT_FIELDS_BY_DIMENSION["team"] if f not in every_field]
    options = filter_options()
    options.update(
        dimension=dict(type="str", choices=DIMENSIONS, default="team"),
        export_fields=dict(type="list", elements="str", choices=every_field),
        description_html_to_text=dict(type="bool"),
        include_ever_muted=dict(type="bool"),
        split_range=dict(type="bool", default=False),
        dest=dict(type="path"),
        force=dict(type="bool", default=True),
        return_rows=dict(type="bool", default=True),
        bom=dict(type="bool", default=True),
        language=dict(type="str"),
    )
    module = flashduty_module(options, supports_check_mode=True, add_file_common_args=True)
    run_module(module, run)


if __name__ == "__main__":
    main()
