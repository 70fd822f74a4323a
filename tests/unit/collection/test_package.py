# -*- coding: utf-8 -*-
"""The collection as users get it: the tarball ansible-galaxy builds holds no
test output, caches or virtualenvs, installs into a fresh virtualenv and
collections path, and runs a playbook by its fully qualified name."""

from __future__ import absolute_import, division, print_function

import os
import subprocess
import sys
import tarfile

import ansible
import pytest
import yaml

from support import ROOT

# Every test here builds the tarball or the build context, and installs and runs it with ansible-galaxy,
# ansible-builder and ansible-playbook.
pytestmark = pytest.mark.integration

with open(os.path.join(ROOT, "galaxy.yml")) as _handle:
    VERSION = yaml.safe_load(_handle)["version"]

BIN = os.path.dirname(sys.executable)
FORBIDDEN = (".venv", ".build", ".git/", ".pytest_cache", "tests/output", "__pycache__", ".pyc", "flashduty-report",
             "benchmarks/results")


def run(cmd, **kwargs):
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False, **kwargs)
    assert result.returncode == 0, " ".join(cmd) + "\n" + result.stdout[-3000:] + result.stderr[-3000:]
    return result


def build(tmp_path):
    run([os.path.join(BIN, "ansible-galaxy"), "collection", "build", ROOT, "--output-path", str(tmp_path), "--force"])
    (tarball,) = [str(tmp_path / n) for n in os.listdir(str(tmp_path)) if n.endswith(".tar.gz")]
    return tarball


def test_execution_environment_build_context_includes_the_collection(tmp_path):
    tarball = build(tmp_path)
    definition = tmp_path / "ee"
    definition.mkdir()
    with open(os.path.join(ROOT, "tests", "ee", "execution-environment.yml")) as handle:
        (definition / "execution-environment.yml").write_text(handle.read())
    (definition / "requirements.yml").write_text(
        "---\ncollections:\n  - name: %s\n    type: file\n" % tarball)
    context = tmp_path / "context"
    run([os.path.join(BIN, "ansible-builder"), "create", "-f", str(definition / "execution-environment.yml"),
         "-c", str(context)], cwd=str(definition))
    # Containerfile for podman, Dockerfile when ansible-builder finds docker.
    (containerfile,) = [(context / n).read_text() for n in ("Containerfile", "Dockerfile") if (context / n).exists()]
    assert "ansible-galaxy" in containerfile and "introspect" in containerfile
    requirements = (context / "_build" / "requirements.yml").read_text()
    assert "flashcat-flashduty-%s.tar.gz" % VERSION in requirements


# In a fresh virtualenv with only requirements.txt on the default and newest ansible-core; on the older
# legs (make test-matrix) with that leg's ansible-core, whose virtualenv holds requirements.txt and the test
# tools only: what differs between cores is ansible-galaxy's install and the run by name.
@pytest.mark.parametrize("fresh", [True, pytest.param(False, marks=pytest.mark.matrix)], ids=["fresh-venv", "this-core"])
def test_tarball_installs_into_a_fresh_virtualenv_and_runs_by_fqcn(sim, tmp_path, fresh):
    tarball = build(tmp_path)
    assert os.path.basename(tarball) == "flashcat-flashduty-%s.tar.gz" % VERSION
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
    assert not [n for n in names if any(bad in n for bad in FORBIDDEN)]
    for needed in ("MANIFEST.json", "plugins/modules/flashduty_insight_export.py", "meta/runtime.yml",
                   "roles/insight_report/meta/argument_specs.yml", "playbooks/insight_report.yml",
                   "extensions/awx/flashduty_credential_type.yml", "meta/execution-environment.yml",
                   "requirements.txt", "bindep.txt", "COPYING", "CHANGELOG.rst"):
        assert needed in names, needed

    bin_dir = BIN
    if fresh:
        venv = tmp_path / "venv"
        run([sys.executable, "-m", "venv", str(venv)])
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        run(pip + ["ansible-core==%s" % ansible.__version__, "-r", os.path.join(ROOT, "requirements.txt")])
        bin_dir = str(venv / "bin")
    # Nothing of the development tree may help: no ANSIBLE_* or PYTHONPATH from it.
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "PYTHONPATH")))
    collections = tmp_path / "collections"
    run([os.path.join(bin_dir, "ansible-galaxy"), "collection", "install", "--force", tarball, "-p", str(collections)], env=env)
    assert (collections / "ansible_collections" / "flashcat" / "flashduty" / "MANIFEST.json").exists()

    env.update(ANSIBLE_COLLECTIONS_PATH=str(collections), ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
               FLASHDUTY_BASE_URL=sim.url, FLASHDUTY_APP_KEY=sim.app_key,
               FLASHDUTY_PACING_DIR=str(tmp_path / "pacing"), ANSIBLE_LOCALHOST_WARNING="false",
               ANSIBLE_INVENTORY_UNPARSED_WARNING="false", ANSIBLE_NOCOLOR="1")
    result = run([os.path.join(bin_dir, "ansible-playbook"), "flashcat.flashduty.oncall_now",
                  "-e", '{"oncall_team_ids": [4295771902131]}'], env=env, cwd=str(tmp_path))
    assert "of 25 schedules have someone on call" in result.stdout
    # The listing, then the names of the people on call and of the teams (at the same time).
    log = [(r["path"], r["status"]) for r in sim.requests()]
    assert log[0] == ("/schedule/list", 200) and sorted(log[1:]) == [("/person/infos", 200), ("/team/infos", 200)]
