# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# Filters behind the insight_report role, each documented in a .yml file
# beside this one: insight_summary, insight_chart, to_csv, oncall_roster,
# to_unix, local_time, export_batch_size, insight_view, oncall_load, pad.

from ansible.errors import AnsibleFilterError

from ansible_collections.flashcat.flashduty.plugins.module_utils.errors import FlashdutyError
from ansible_collections.flashcat.flashduty.plugins.plugin_utils import (
    insight_chart,
    insight_summary,
    oncall_roster,
    report_format,
    report_people,
    report_view,
)


def _wrap(func):
    def filter_func(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except FlashdutyError as err:
            raise AnsibleFilterError(str(err))
    filter_func.__name__ = func.__name__
    return filter_func


class FilterModule(object):
    def filters(self):
        return {
            "insight_summary": _wrap(insight_summary.summarize),
            "insight_rows": _wrap(insight_summary.export_rows),
            "insight_chart": _wrap(insight_chart.chart_svg),
            "to_csv": _wrap(report_format.to_csv),
            "oncall_roster": _wrap(oncall_roster.roster),
            "to_unix": _wrap(report_format.to_unix),
            "local_time": _wrap(report_format.local_time),
            "export_batch_size": _wrap(insight_summary.export_batch_size),
            "insight_view": _wrap(report_view.build_view),
            "oncall_load": _wrap(report_view.oncall_load),
            "pad": _wrap(report_format.pad),
            "insight_people": _wrap(report_people.people),
        }
