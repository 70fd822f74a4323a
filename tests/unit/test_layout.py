# -*- coding: utf-8 -*-
"""Where a file's tests are: the map a reader uses to find them.

A plugin file ``plugins/<folder>/<name>.py`` has its tests in
``tests/unit/plugins/<folder>/test_<name>.py``. A file without such a test
file is tested through another one; ``TESTED_BY`` says which, and this test
keeps the map true as files come and go. The suites that cross files are
``tests/unit/collection/`` (the collection against the API documents and
Ansible's rules), ``tests/unit/roles/`` and ``tests/unit/playbooks/``.
"""

from __future__ import absolute_import, division, print_function

import os
import re

from support import ROOT

UNIT = os.path.join(ROOT, "tests", "unit")

TESTED_BY = {
    "plugins/action/flashduty_insight_export.py": ["playbooks/test_output.py"],
    "plugins/action/flashduty_insight_info.py": ["playbooks/test_output.py"],
    "plugins/action/flashduty_schedule_health.py": ["playbooks/test_output.py"],
    "plugins/action/flashduty_schedule_info.py": ["playbooks/test_output.py"],
    "plugins/action/flashduty_silence_rule.py": ["playbooks/test_output.py"],
    "plugins/action/flashduty_silence_rule_info.py": ["playbooks/test_output.py"],
    "plugins/doc_fragments/connection.py": ["collection/test_conformance.py"],
    "plugins/doc_fragments/insight.py": ["plugins/modules/test_flashduty_insight_info.py",
                                         "plugins/modules/test_flashduty_insight_export.py"],
    "plugins/doc_fragments/schedule.py": ["collection/test_conformance.py"],
    "plugins/filter/report.py": ["roles/test_insight_report_pages.py", "collection/test_fidelity.py"],
    "plugins/module_utils/channels.py": ["plugins/modules/test_flashduty_silence_rule_info.py",
                                         "plugins/modules/test_flashduty_silence_rule.py"],
    "plugins/module_utils/common.py": ["collection/test_conformance.py", "plugins/module_utils/test_pacing_redis.py"],
    "plugins/module_utils/csvio.py": ["plugins/module_utils/test_timeparse_csvio.py"],
    "plugins/module_utils/endpoints.py": ["plugins/module_utils/test_pacing.py"],
    "plugins/module_utils/errors.py": ["plugins/module_utils/test_client.py", "plugins/module_utils/test_schemas.py"],
    "plugins/module_utils/insight.py": ["plugins/modules/test_flashduty_insight_export.py"],
    "plugins/module_utils/insight_info.py": ["plugins/modules/test_flashduty_insight_info.py"],
    "plugins/module_utils/pacing_core.py": ["plugins/module_utils/test_pacing.py",
                                            "plugins/module_utils/test_pacing_redis.py"],
    "plugins/module_utils/pacing_file.py": ["plugins/module_utils/test_pacing.py"],
    "plugins/module_utils/redaction.py": ["plugins/module_utils/test_client.py"],
    "plugins/module_utils/retry.py": ["plugins/module_utils/test_client.py"],
    "plugins/module_utils/schedule_health.py": ["plugins/modules/test_flashduty_schedule_health.py"],
    "plugins/module_utils/schedule.py": ["plugins/modules/test_flashduty_schedule_info.py",
                                         "plugins/module_utils/test_paging.py"],
    "plugins/module_utils/silence_rule.py": ["plugins/modules/test_flashduty_silence_rule.py"],
    "plugins/module_utils/silence_rules.py": ["plugins/modules/test_flashduty_silence_rule.py",
                                              "plugins/modules/test_flashduty_silence_rule_info.py"],
    "plugins/module_utils/timeparse.py": ["plugins/module_utils/test_timeparse_csvio.py"],
    "plugins/plugin_utils/export_columns.py": ["collection/test_fidelity.py"],
    "plugins/plugin_utils/insight_chart.py": ["collection/test_fidelity.py"],
    "plugins/plugin_utils/insight_summary.py": ["collection/test_fidelity.py",
                                                "plugins/modules/test_flashduty_insight_export.py"],
    "plugins/plugin_utils/module_action.py": ["playbooks/test_output.py"],
    "plugins/plugin_utils/oncall_lookup.py": ["plugins/lookup/test_oncall.py"],
    "plugins/plugin_utils/oncall_roster.py": ["collection/test_conformance.py"],
    "plugins/plugin_utils/report_format.py": ["plugins/module_utils/test_timeparse_csvio.py"],
    "plugins/plugin_utils/report_people.py": ["roles/test_insight_report_people.py"],
    "plugins/plugin_utils/report_view.py": ["roles/test_insight_report_pages.py"],
}


def _plugin_files():
    found = []
    for folder, _dirs, files in os.walk(os.path.join(ROOT, "plugins")):
        for name in files:
            if name.endswith(".py") and name != "__init__.py":
                found.append(os.path.relpath(os.path.join(folder, name), ROOT).replace(os.sep, "/"))
    return sorted(found)


def _namesake(path):
    folder, name = os.path.split(path)
    return os.path.join(UNIT, folder, "test_" + name)


def test_every_plugin_file_has_its_namesake_test_file_or_an_entry_in_the_map():
    missing = [p for p in _plugin_files() if not os.path.exists(_namesake(p)) and p not in TESTED_BY]
    assert missing == [], "add tests/unit/<folder>/test_<name>.py or a TESTED_BY entry for: %s" % missing


def test_the_map_names_only_files_that_exist_and_no_file_that_has_its_own_tests():
    plugins = set(_plugin_files())
    stale = [p for p in TESTED_BY if p not in plugins]
    own = [p for p in TESTED_BY if os.path.exists(_namesake(p))]
    absent = [t for tests in TESTED_BY.values() for t in tests if not os.path.exists(os.path.join(UNIT, t))]
    assert (stale, own, absent) == ([], [], [])


def _names(path):
    """The words by which a test reaches a file: its module name, its public functions and classes, the
    filters it registers, and for a doc fragment the option names it documents."""
    with open(os.path.join(ROOT, path), encoding="utf-8") as handle:
        source = handle.read()
    names = [os.path.splitext(os.path.basename(path))[0]]
    names += re.findall(r"^(?:def|class) ([A-Za-z]\w*)", source, re.M)
    names += re.findall(r'"(\w+)": _wrap', source)
    if "/doc_fragments/" in path:
        names += re.findall(r"^  (\w+):$", source, re.M)
    return names


def test_a_test_file_the_map_names_mentions_the_file_it_is_said_to_test():
    # By one of its names, so the map cannot point at a suite that has nothing to do with the file.
    wrong = []
    for path, tests in TESTED_BY.items():
        word = re.compile(r"\b(%s)\b" % "|".join(re.escape(name) for name in _names(path)))
        for test in tests:
            with open(os.path.join(UNIT, test), encoding="utf-8") as handle:
                if not word.search(handle.read()):
                    wrong.append((path, test))
    assert wrong == []


def test_every_test_file_under_plugins_is_named_after_a_plugin_file_or_in_the_map():
    plugins = set(_plugin_files())
    mapped = set(t for tests in TESTED_BY.values() for t in tests)
    orphans = []
    for folder, _dirs, files in os.walk(os.path.join(UNIT, "plugins")):
        for name in files:
            if name.startswith("test_") and name.endswith(".py"):
                test = os.path.relpath(os.path.join(folder, name), UNIT).replace(os.sep, "/")
                tested = os.path.relpath(os.path.join(folder, name[len("test_"):]), UNIT).replace(os.sep, "/")
                if tested not in plugins and test not in mapped:
                    orphans.append(test)
    assert orphans == []


def test_the_integration_guard_sees_a_tool_however_it_is_started():
    # conftest.py fails a test that starts one of these without the mark integration (make check
    # leaves those out): by name, by path, behind env, timeout or bash -c, or as python -m.
    import sys
    from support import tools_in
    assert tools_in(["ansible-playbook", "x.yml"]) == ["ansible-playbook"]
    assert tools_in("/usr/bin/chromium-browser --headless") == ["chromium-browser"]
    assert tools_in(["env", "A=1", "/venv/bin/ansible-doc", "-j"]) == ["ansible-doc"]
    assert tools_in(["timeout", "60", "ansible-galaxy", "collection", "build"]) == ["ansible-galaxy"]
    assert tools_in([sys.executable, "-m", "ansible", "doc"]) == ["ansible"]
    assert tools_in('bash -c "cd x && ANSIBLE_X=1 molecule test"') == ["molecule"]
    assert tools_in(["python", "-c", "import ansible; print(1)"]) == []
    assert tools_in(["redis-server", "--port", "6390"]) == []
    assert tools_in([sys.executable, "-m", "pip", "install", "x"]) == []
