# The two commands of the README:
#   make demo   run a reporting playbook against the local Flashduty simulator
#   make test   install what the tests need and run all of them
# Both create their own virtualenv (.venv) and install into it; the demo needs
# nothing else but python3 (3.11) with venv and pip. The tests also install
# Chromium, shellcheck and redis-server from Debian when missing (as root, or
# say how), galaxy-importer into .venv-galaxy, and build a CPython 3.13 once
# into ~/.cache/flashcat.flashduty for ansible-core 2.20 and 2.21
# (tests/tools/build_python.sh, from Debian's source archive).
# A cold `make test` (no pip cache, no CPython cache) takes about 57 minutes
# on a 2-core machine, about 45 with them; CI allows 90.

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
# The newest ansible-core that installs on this Python; test-matrix runs others.
ANSIBLE_CORE ?= ansible-core>=2.16
BUILD := $(CURDIR)/.build
COLLECTIONS := $(BUILD)/collections
COLLECTION_LINK := $(COLLECTIONS)/ansible_collections/flashcat/flashduty
SIM := tests/simulator/flashduty_simulator.py

export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH := false
export ANSIBLE_LOCALHOST_WARNING := false
export ANSIBLE_INVENTORY_UNPARSED_WARNING := false
export ANSIBLE_NOCOLOR := true
export PYTHONPATH := $(COLLECTIONS)
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# The virtualenv's tools (ansible-playbook, molecule, ansible-lint, ...) first.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: bench demo runtime screenshots test unit molecule lint galaxy system-packages sanity test-matrix schemas venv clean

# The demo needs only what the collection needs; the tests add their tools.
$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q "$(ANSIBLE_CORE)" -r requirements.txt
	touch $@

$(VENV)/.installed: $(VENV)/.runtime requirements-dev.txt
	$(VENV)/bin/pip install -q "$(ANSIBLE_CORE)" -r requirements-dev.txt
	touch $@

runtime: $(VENV)/.runtime $(COLLECTION_LINK)

venv: $(VENV)/.installed $(COLLECTION_LINK)

$(COLLECTION_LINK):
	mkdir -p $(dir $@)
	ln -sfn $(CURDIR) $@

demo: runtime
	@$(VENV)/bin/python $(SIM) run -- \
	  ansible-playbook flashcat.flashduty.demo -e insight_report_dir=$(BUILD)/demo-report
	@echo "The report: $(BUILD)/demo-report/report.html (and report.md, team_insight.csv, oncall.csv, oncall_load.csv)"

# Screenshots of the report at desktop and phone width (100 teams, 1,000
# schedules), taken by the Chromium test, for a person to look at.
screenshots: venv system-packages
	mkdir -p $(BUILD)/screenshots
	FLASHDUTY_SCREENSHOT_DIR=$(BUILD)/screenshots $(VENV)/bin/python -m pytest tests/unit/test_report.py \
	  -q -p no:cacheprovider -k lays_out
	@echo "Screenshots: $(BUILD)/screenshots/report-1280.png, $(BUILD)/screenshots/report-390.png"

# Debian packages the tests use: headless Chromium opens the HTML report,
# shellcheck is one of ansible-test's sanity tests, redis-server is the real
# Redis the shared-pacing tests start on a loopback port.
SYSTEM_PACKAGES := chromium shellcheck redis-server
system-packages:
	@missing=""; for p in $(SYSTEM_PACKAGES); do command -v $$p >/dev/null || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "missing:$$missing (sudo apt-get install$$missing)"; exit 1; fi; fi

unit: venv system-packages
	$(VENV)/bin/python -m pytest tests/unit -q -p no:cacheprovider

molecule: venv
	cd roles/insight_report && NO_COLOR=1 molecule test

# ansible-lint at the collection root, as users and Galaxy run it.
# antsibull-docs checks the plugin docs as the Ansible docs site builds them.
lint: venv
	NO_COLOR=1 ansible-lint --profile production
	antsibull-changelog lint
	cd $(COLLECTION_LINK) && antsibull-docs lint-collection-docs --plugin-docs .

# galaxy-importer, the checker Galaxy and Automation Hub run on every upload,
# on the tarball ansible-galaxy builds, in a virtualenv of its own (it pins
# its own ansible-core and ansible-lint). Its ansible-test step needs a
# container engine and stays off, as its default is; sanity runs anyway.
GALAXY_VENV := .venv-galaxy
$(GALAXY_VENV)/.installed:
	$(PYTHON) -m venv $(GALAXY_VENV)
	$(GALAXY_VENV)/bin/pip install -q --upgrade pip
	$(GALAXY_VENV)/bin/pip install -q galaxy-importer
	touch $@

galaxy: venv $(GALAXY_VENV)/.installed
	rm -rf $(BUILD)/galaxy && mkdir -p $(BUILD)/galaxy
	ansible-galaxy collection build . --output-path $(BUILD)/galaxy --force >/dev/null
	cd $(BUILD)/galaxy && env -u ANSIBLE_COLLECTIONS_PATH -u PYTHONPATH PATH=$(CURDIR)/$(GALAXY_VENV)/bin:$$PATH \
	  GALAXY_IMPORTER_CONFIG=$(CURDIR)/tests/galaxy-importer.cfg \
	  $(CURDIR)/$(GALAXY_VENV)/bin/python -m galaxy_importer.main flashcat-flashduty-*.tar.gz > importer.log 2>&1 \
	  || { cat importer.log; exit 1; }
	@if grep -E '^(WARNING|ERROR)' $(BUILD)/galaxy/importer.log; then echo "galaxy-importer: warnings or errors (above)"; exit 1; fi
	@tail -n 1 $(BUILD)/galaxy/importer.log

# ansible-test sanity, with no entries in tests/sanity/ignore-*.txt, and
# ansible-test units on the suites that fit its layout (the others need
# ansible-playbook, molecule or a browser beside them, which make unit has).
ANSIBLE_TEST_UNITS := tests/unit/test_client.py tests/unit/test_pacing.py tests/unit/test_schemas.py \
  tests/unit/test_timeparse_csv.py tests/unit/test_property.py
sanity: venv system-packages
	tests/tools/ansible_test.sh $(CURDIR)/$(VENV) sanity --venv --python 3.11
	tests/tools/ansible_test.sh $(CURDIR)/$(VENV) units --venv --python 3.11 $(ANSIBLE_TEST_UNITS)

# The other ansible-core versions: sanity, and the client, paging, schema,
# module and playbook suites on each. 2.16 to 2.18 run on this Python (3.11);
# 2.20 and 2.21 need 3.12 or later and run on a CPython 3.13 that
# tests/tools/build_python.sh builds once from Debian's source archive into
# ~/.cache/flashcat.flashduty (about 3 minutes cold, nothing after).
MATRIX_VERSIONS ?= 2.16 2.17 2.18 2.20 2.21
NEW_CORE_VERSIONS := 2.20 2.21
MATRIX_TESTS := tests/unit/test_client.py tests/unit/test_pacing.py tests/unit/test_schemas.py \
  tests/unit/test_timeparse_csv.py tests/unit/test_schedule_info.py tests/unit/test_insight_export.py \
  tests/unit/test_property.py tests/unit/test_paging.py tests/unit/test_fidelity.py tests/unit/test_playbooks.py
# Tests marked `extended` (more inventory shapes, column layouts and large data
# sets of behaviours whose main case runs everywhere) run in make unit (2.19)
# and on the newest ansible-core; the other legs leave them out, which halves
# their time. Every leg runs sanity.
MATRIX_FULL ?= 2.21
matrix_marks = $(if $(filter $(1),$(MATRIX_FULL)),,-m "not extended")
# Evaluated only where used: the path of the cached (or freshly built) 3.13.
PYTHON313 = $(shell tests/tools/build_python.sh)
matrix_python = $(if $(filter $(1),$(NEW_CORE_VERSIONS)),$(PYTHON313),$(PYTHON))
matrix_version = $(if $(filter $(1),$(NEW_CORE_VERSIONS)),3.13,3.11)

.PRECIOUS: .venv-%/.installed
.venv-%/.installed: requirements.txt
	$(call matrix_python,$*) -m venv .venv-$*
	.venv-$*/bin/pip install -q --upgrade pip
	.venv-$*/bin/pip install -q "ansible-core==$*.*" -r requirements.txt pytest hypothesis jsonschema
	touch $@

matrix-%: .venv-%/.installed $(COLLECTION_LINK) system-packages
	@echo "== ansible-core $* on Python $(call matrix_version,$*)"
	PATH=$(CURDIR)/.venv-$*/bin:$$PATH .venv-$*/bin/python -m pytest $(MATRIX_TESTS) -q -p no:cacheprovider \
	  $(call matrix_marks,$*)
	tests/tools/ansible_test.sh $(CURDIR)/.venv-$* sanity --venv --python $(call matrix_version,$*)

test-matrix: $(foreach v,$(MATRIX_VERSIONS),matrix-$(v))

test: unit molecule lint galaxy sanity test-matrix

schemas: venv
	$(VENV)/bin/python tests/tools/write_schemas.py docs/schemas

# Benchmarks (not tests): prints a table and writes docs/performance.md.
bench: venv
	$(VENV)/bin/python benchmarks/run.py

clean:
	rm -rf $(VENV) .venv-* $(BUILD) .pytest_cache
# (The CPython 3.13 build stays in ~/.cache/flashcat.flashduty; remove it there to rebuild.)
