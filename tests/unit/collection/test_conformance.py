# -*- coding: utf-8 -*-
"""Ansible ecosystem conformance: the docs ansible-doc renders agree with the
argument specs, the changelog is generated, the AWX credential type injects
what the modules read, and the execution-environment metadata is found."""

from __future__ import absolute_import, division, print_function

import functools
import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml

from support import COLLECTIONS, ROOT
from ansible_collections.flashcat.flashduty.plugins.module_utils import common
from ansible_collections.flashcat.flashduty.plugins.modules import (
    flashduty_insight_export,
    flashduty_insight_info,
    flashduty_schedule_info,
    flashduty_silence_rule,
    flashduty_silence_rule_info,
)

BIN = os.path.dirname(sys.executable)
MODULES = {"flashduty_schedule_info": flashduty_schedule_info, "flashduty_insight_export": flashduty_insight_export,
           "flashduty_insight_info": flashduty_insight_info,
           "flashduty_silence_rule": flashduty_silence_rule, "flashduty_silence_rule_info": flashduty_silence_rule_info}
FILTERS = ["insight_summary", "insight_rows", "insight_chart", "to_csv", "oncall_roster", "to_unix", "local_time",
           "export_batch_size", "insight_view", "oncall_load", "pad", "insight_people"]


def tool(name, *args, **kwargs):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_NOCOLOR="1", NO_COLOR="1")
    return subprocess.run([os.path.join(BIN, name)] + list(args), capture_output=True, text=True, env=env,
                          timeout=300, check=False, **kwargs)


@functools.lru_cache(maxsize=None)
def ansible_docs_json(kind, names):
    """ansible-doc's JSON of several plugins, from one run (each run starts Ansible anew)."""
    run = tool("ansible-doc", "-t", kind, "--json", *names)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def ansible_doc_json(kind, name):
    return ansible_docs_json(kind, (name,))[name]


class _Captured(Exception):
    pass


def argument_spec_of(module, monkeypatch):
    """The argument spec a module builds, taken where it constructs its AnsibleModule."""
    seen = {}

    def capture(**kwargs):
        seen.update(kwargs)
        raise _Captured()
    monkeypatch.setattr(common, "FlashdutyModule", capture)
    with pytest.raises(_Captured):
        module.main()
    spec = dict(seen["argument_spec"])
    if seen.get("add_file_common_args"):
        from ansible.module_utils.basic import FILE_COMMON_ARGUMENTS
        spec.update(FILE_COMMON_ARGUMENTS)
    return spec, seen


@pytest.mark.integration
@pytest.mark.matrix
@pytest.mark.parametrize("name", sorted(MODULES))
def test_documented_options_match_the_argument_spec(name, monkeypatch):
    doc = ansible_docs_json("module", tuple("flashcat.flashduty." + n for n in sorted(MODULES)))[
        "flashcat.flashduty." + name]["doc"]
    spec, seen = argument_spec_of(MODULES[name], monkeypatch)
    assert seen["supports_check_mode"] is True
    documented = doc["options"]
    assert sorted(documented) == sorted(spec)
    for option, rules in spec.items():
        docs = documented[option]
        assert docs.get("type", "str") == rules.get("type", "str"), option
        assert docs.get("elements") == rules.get("elements"), option
        assert bool(docs.get("required")) == bool(rules.get("required")), option
        assert docs.get("default") == rules.get("default"), option
        assert sorted(docs.get("choices") or []) == sorted(rules.get("choices") or []), option
    assert spec["app_key"]["no_log"] is True


@pytest.mark.integration
@pytest.mark.matrix
@pytest.mark.parametrize("name", sorted(MODULES))
def test_ansible_doc_renders_the_module_with_the_fragment(name):
    run = tool("ansible-doc", "flashcat.flashduty." + name)
    assert run.returncode == 0, run.stderr
    for words in ("app_key", "FLASHDUTY_APP_KEY", "pacing_dir", "max_retries", "EXAMPLES", "RETURN VALUES",
                  "check_mode", "group/flashcat.flashduty.flashduty"):
        assert words in run.stdout, words
    assert "ERROR" not in run.stderr and "WARNING" not in run.stderr


@pytest.mark.integration
@pytest.mark.matrix
def test_ansible_doc_renders_the_role_argument_spec():
    run = tool("ansible-doc", "-t", "role", "flashcat.flashduty.insight_report")
    assert run.returncode == 0, run.stderr
    for words in ("insight_report_dir", "insight_report_time_zone", "today-7d", "insight_report_app_key"):
        assert words in run.stdout, words


@pytest.mark.integration
@pytest.mark.matrix
def test_ansible_doc_renders_every_filter():
    # One ansible-doc run for all of them (each run starts Ansible anew).
    names = ["flashcat.flashduty." + name for name in FILTERS]
    run = tool("ansible-doc", "-t", "filter", "--json", *names)
    assert run.returncode == 0, run.stderr
    docs = json.loads(run.stdout)
    for name in FILTERS:
        doc = docs["flashcat.flashduty." + name]["doc"]
        assert doc["name"] == name and doc["short_description"]


@pytest.mark.integration
@pytest.mark.matrix
def test_ansible_doc_renders_the_lookup_with_the_connection_fragment():
    run = tool("ansible-doc", "-t", "lookup", "flashcat.flashduty.oncall")
    assert run.returncode == 0, run.stderr
    for words in ("app_key", "FLASHDUTY_APP_KEY", "pacing_dir", "max_retries", "cache_ttl", "shift", "EXAMPLES",
                  "RETURN VALUES", "person_name", "start_iso"):
        assert words in run.stdout, words
    assert "ERROR" not in run.stderr and "WARNING" not in run.stderr
    doc = ansible_doc_json("lookup", "flashcat.flashduty.oncall")["doc"]
    # Every connection option the modules take, with the lookup's own.
    assert set(common.connection_argument_spec()) | {"_terms", "at", "shift", "team_ids", "team_names",
                                                     "time_zone", "cache_ttl"} == set(doc["options"])


def test_every_module_is_in_the_action_group():
    with open(os.path.join(ROOT, "meta", "runtime.yml")) as handle:
        runtime = yaml.safe_load(handle)
    modules = sorted(n[:-3] for n in os.listdir(os.path.join(ROOT, "plugins", "modules")) if n.endswith(".py"))
    assert sorted(runtime["action_groups"]["flashduty"]) == modules
    assert runtime["requires_ansible"] == ">=2.16.0"


def test_collection_version_is_the_same_everywhere():
    with open(os.path.join(ROOT, "galaxy.yml")) as handle:
        galaxy = yaml.safe_load(handle)
    from ansible_collections.flashcat.flashduty.plugins.module_utils.client import COLLECTION_VERSION, USER_AGENT
    assert galaxy["version"] == COLLECTION_VERSION and COLLECTION_VERSION in USER_AGENT
    with open(os.path.join(ROOT, "changelogs", "changelog.yaml")) as handle:
        assert galaxy["version"] in yaml.safe_load(handle)["releases"]


def test_awx_credential_type_injects_what_the_modules_read():
    with open(os.path.join(ROOT, "extensions", "awx", "flashduty_credential_type.yml")) as handle:
        credential = yaml.safe_load(handle)
    spec = common.connection_argument_spec()
    read = dict((name, rules["fallback"][1][0]) for name, rules in spec.items() if "fallback" in rules)
    injected = credential["injectors"]["env"]
    fields = dict((f["id"], f) for f in credential["inputs"]["fields"])
    assert injected == {read["app_key"]: "{{ app_key }}", read["base_url"]: "{{ base_url }}",
                        read["pacing_url"]: "{{ pacing_url | default('') }}"}
    assert fields["app_key"]["secret"] is True and "app_key" in credential["inputs"]["required"]
    assert fields["pacing_url"]["secret"] is True and "pacing_url" not in credential["inputs"]["required"]


@pytest.mark.integration
def test_changelog_lints_and_is_generated(tmp_path):
    copy = tmp_path / "collection"
    shutil.copytree(ROOT, str(copy), ignore=shutil.ignore_patterns(".venv*", ".build", ".git", "__pycache__"))
    run = tool("antsibull-changelog", "lint", cwd=str(copy))
    assert run.returncode == 0 and run.stdout.strip() == "", run.stdout + run.stderr
    run = tool("antsibull-changelog", "generate", cwd=str(copy))
    assert run.returncode == 0, run.stderr
    with open(os.path.join(ROOT, "CHANGELOG.rst")) as committed:
        assert (copy / "CHANGELOG.rst").read_text() == committed.read(), "run antsibull-changelog generate"


@pytest.mark.integration
def test_ee_metadata_names_the_python_and_system_dependencies():
    run = tool("ansible-builder", "introspect", COLLECTIONS)
    assert run.returncode == 0, run.stderr
    for words in ("requests", "redis", "tzdata", "flashcat.flashduty"):
        assert words in run.stdout, words


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_module_documents_the_keys_run_module_adds_to_its_result(name):
    # common.run_module puts rate_limit_wait in every result.
    returned = yaml.safe_load(MODULES[name].RETURN)
    assert "rate_limit_wait" in returned and returned["rate_limit_wait"]["type"] == "float", name
