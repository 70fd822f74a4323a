# -*- coding: utf-8 -*-
"""The role's README, its argument_specs and the fact it publishes agree (read in-process, no role run)."""

from __future__ import absolute_import, division, print_function


def test_the_readme_the_argument_specs_and_the_fact_are_in_step():
    import os
    import re
    import yaml
    role = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "roles", "insight_report")
    with open(os.path.join(role, "README.md")) as handle:
        readme = handle.read()
    with open(os.path.join(role, "meta", "argument_specs.yml")) as handle:
        spec = yaml.safe_load(handle)["argument_specs"]["main"]
    with open(os.path.join(role, "defaults", "main.yml")) as handle:
        defaults = yaml.safe_load(handle)
    with open(os.path.join(role, "tasks", "main.yml")) as handle:
        tasks = yaml.safe_load(handle)
    options = set(spec["options"])
    # Every variable the role takes: in the spec, in the README's table, with a default unless required.
    in_readme = set(re.findall(r"`(insight_report_[a-z_]+)`", readme.split("## Variables", 1)[1].split("##", 1)[0]))
    assert in_readme == options
    assert set(defaults) == set(o for o in options if not spec["options"][o].get("required"))
    # The fact's keys and files: in the README and in the spec's description.
    (publish,) = [t for block in tasks for t in block.get("block", [block])
                  if "flashduty_insight_report" in t.get("ansible.builtin.set_fact", {})]
    fact = publish["ansible.builtin.set_fact"]["flashduty_insight_report"]
    description = " ".join(spec["description"])
    for key in fact:
        assert "| `%s` |" % key in readme, key
        assert "C(%s)" % key in description, key
    for key, path in fact["files"].items():
        name = path.rsplit("/", 1)[1]
        assert "`%s`" % key in readme and "| `%s` |" % name in readme and "C(%s)" % name in description, key
