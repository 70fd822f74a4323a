# The two commands of the README:
#   make demo   run a reporting playbook against the local Flashduty simulator
#   make test   install what the tests need and run all of them
# Both create their own virtualenv (.venv) and install into it; the demo needs
# nothing else but python3 (3.11) with venv and pip. The tests also install
# Chromium, shellcheck and redis-server from Debian when missing (as
# root, or say how), galaxy-importer into .venv-galaxy, and build a CPython
# 3.13 once into ~/.cache/flashcat.flashduty for ansible-core 2.20 and 2.21
# (tests/tools/build_python.sh, from Debian's source archive).
# make test runs its stages side by side (JOBS, default: the cores) and ends
# with one line per stage and its seconds. On a 2-core machine with the pip
# cache, the CPython build and the Debian packages in place (as on CI): 19 to
# 26 minutes at 842 tests (2026-12-03, fresh clones: 19.8, 25.6, 21.9, 19.1;
# 17.7 at 410 tests), about 30 from nothing (projected); CI allows 90. The
# README's Development section has the table of stages.
# make check is the inner loop: lint and the in-process tests (those not marked
# integration), 2.1 minutes warm (2026-12-03, 761 of 842 tests).

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

.PHONY: bench check coverage demo runtime screenshots test test-stages unit unit-inprocess molecule lint galaxy system-packages sanity \
  test-matrix schemas venv clean

# Stages run side by side, as many as there are cores; each notes its seconds
# (tests/tools/stage) and make test prints them at its end.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
export STAGE_LOG := $(BUILD)/stages.tsv
STAGE := tests/tools/stage
# pytest spreads a suite over the cores (pytest-xdist), a test file to a worker,
# so that the tests of a file can share one run of the role (a module fixture).
PYTEST_WORKERS ?= auto
PYTEST_ARGS = -q -p no:cacheprovider -n $(PYTEST_WORKERS) --dist loadfile

# The demo needs only what the collection needs; the tests add their tools.
$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q "$(ANSIBLE_CORE)" -r requirements.txt
	touch $@

$(VENV)/.installed: $(VENV)/.runtime requirements-dev.txt
	@mkdir -p $(BUILD)
	$(STAGE) venv $(VENV)/bin/pip install -q "$(ANSIBLE_CORE)" -r requirements-dev.txt
	touch $@

runtime: $(VENV)/.runtime $(COLLECTION_LINK)

venv: $(VENV)/.installed $(COLLECTION_LINK)

$(COLLECTION_LINK):
	mkdir -p $(dir $@)
	ln -sfn $(CURDIR) $@

demo: runtime
	@$(VENV)/bin/python $(SIM) run \
	  ansible-playbook flashcat.flashduty.demo -e insight_report_dir=$(BUILD)/demo-report
	@echo "The report: $(BUILD)/demo-report/report.html (and report.md, summary.md, team_insight.csv, oncall.csv, oncall_load.csv, people.csv)"
	@echo "Next, on your account: FLASHDUTY_APP_KEY=<your app key> $(VENV)/bin/ansible-playbook flashcat.flashduty.insight_report -e insight_report_dir=<a folder>"

# Screenshots of the report at desktop and phone width (100 teams, 1,000
# schedules), taken by the Chromium test, for a person to look at.
screenshots: venv system-packages
	mkdir -p $(BUILD)/screenshots
	FLASHDUTY_SCREENSHOT_DIR=$(BUILD)/screenshots $(VENV)/bin/python -m pytest tests/unit/roles/test_insight_report_pages.py \
	  -q -p no:cacheprovider -k "lays_out or prints"
	@echo "Full pages: $(BUILD)/screenshots/report-1280.png, report-390.png, report-360.png; print: report.pdf"

# Debian packages the tests use: headless Chromium opens the HTML report (with
# a CJK font, so that team names such as 运维团队 are drawn, not boxes),
# shellcheck is one of ansible-test's sanity tests, redis-server is the real
# Redis the shared-pacing tests start on a loopback port.
SYSTEM_PACKAGES := chromium shellcheck redis-server
system-packages:
	@missing=""; for p in $(SYSTEM_PACKAGES); do command -v $$p >/dev/null || missing="$$missing $$p"; done; \
	fc-list :lang=zh 2>/dev/null | grep -q . || missing="$$missing fonts-noto-cjk"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "missing:$$missing (sudo apt-get install$$missing)"; exit 1; fi; fi

unit: venv system-packages
	$(STAGE) unit $(VENV)/bin/python -m pytest tests/unit $(PYTEST_ARGS)

# The inner loop: lint beside the suite's in-process tests on this Python (those not marked
# integration: no ansible-playbook, ansible-doc, ansible-galaxy, molecule or browser), and their seconds.
# make test runs the whole suite. (-m here replaces a -m given in PYTEST_ARGS.)
unit-inprocess: venv system-packages
	$(STAGE) unit-inprocess $(VENV)/bin/python -m pytest tests/unit $(PYTEST_ARGS) -m "not integration"

check:
	@mkdir -p $(BUILD) && rm -f $(STAGE_LOG)
	@$(MAKE) --no-print-directory venv system-packages && \
	  $(MAKE) --no-print-directory -j$(JOBS) --output-sync=target lint unit-inprocess; rc=$$?; $(STAGE) --report; exit $$rc

molecule: venv
	cd roles/insight_report && NO_COLOR=1 $(CURDIR)/$(STAGE) molecule molecule test

# ansible-lint at the collection root, as users and Galaxy run it.
# antsibull-docs checks the plugin docs as the Ansible docs site builds them.
lint: venv
	$(STAGE) lint bash -c 'NO_COLOR=1 ansible-lint --profile production && antsibull-changelog lint && \
	  cd $(COLLECTION_LINK) && antsibull-docs lint-collection-docs --plugin-docs .'

# galaxy-importer, the checker Galaxy and Automation Hub run on every upload,
# on the tarball ansible-galaxy builds, in a virtualenv of its own (it pins
# its own ansible-core and ansible-lint). Its ansible-test step needs a
# container engine and stays off, as its default is; sanity runs anyway.
GALAXY_VENV := .venv-galaxy
$(GALAXY_VENV)/.installed:
	@mkdir -p $(BUILD)
	$(STAGE) venv-galaxy bash -c '$(PYTHON) -m venv $(GALAXY_VENV) && $(GALAXY_VENV)/bin/pip install -q --upgrade pip \
	  && $(GALAXY_VENV)/bin/pip install -q galaxy-importer'
	touch $@

galaxy: venv $(GALAXY_VENV)/.installed
	$(STAGE) galaxy tests/tools/galaxy_import.sh $(CURDIR)/$(GALAXY_VENV) $(BUILD)/galaxy

# ansible-test sanity, with no entries in tests/sanity/ignore-*.txt, and
# ansible-test units on the suites that fit its layout (the others need
# ansible-playbook, molecule or a browser beside them, which make unit has).
ANSIBLE_TEST_UNITS := tests/unit/plugins/module_utils/test_client.py tests/unit/plugins/module_utils/test_pacing.py tests/unit/plugins/module_utils/test_schemas.py \
  tests/unit/plugins/module_utils/test_timeparse_csvio.py tests/unit/collection/test_property.py
sanity: venv system-packages
	$(STAGE) sanity-2.19 tests/tools/ansible_test.sh $(CURDIR)/$(VENV) sanity --venv --python 3.11
	$(STAGE) units-2.19 tests/tools/ansible_test.sh $(CURDIR)/$(VENV) units --venv --python 3.11 \
	  $(ANSIBLE_TEST_UNITS)

# The other ansible-core versions. 2.16 to 2.18 run on this Python (3.11);
# 2.20 and 2.21 need 3.12 or later and run on a CPython 3.13 that
# tests/tools/build_python.sh builds once from Debian's source archive into
# ~/.cache/flashcat.flashduty (about 3 minutes cold, nothing after). On the
# older cores a leg runs the tests marked `matrix` (what can differ between
# ansible-core versions: module runs with their argument specs, warnings and
# results, ansible-playbook, templating and data tagging, the role, ansible-doc)
# and sanity; the newest core (MATRIX_FULL) runs the whole suite, as make unit
# does on the default core.
MATRIX_VERSIONS ?= 2.21 2.16 2.17 2.18 2.20
NEW_CORE_VERSIONS := 2.20 2.21
MATRIX_FULL ?= 2.21
matrix_marks = $(if $(filter $(1),$(MATRIX_FULL)),,-m matrix)
# The whole suite also checks the changelog and the execution environment's build context.
matrix_full_tools = $(if $(filter $(1),$(MATRIX_FULL)),antsibull-changelog ansible-builder)
matrix_version = $(if $(filter $(1),$(NEW_CORE_VERSIONS)),3.13,3.11)
PYTHON313_PATH := $(BUILD)/python3.13.path

# Built once (make runs this recipe once, however many legs need it).
$(PYTHON313_PATH):
	@mkdir -p $(BUILD)
	$(STAGE) python-3.13 bash -c 'tests/tools/build_python.sh > $@.tmp' && mv $@.tmp $@

matrix_python_dep = $(if $(filter $(1),$(NEW_CORE_VERSIONS)),$(PYTHON313_PATH))
matrix_python = $(if $(filter $(1),$(NEW_CORE_VERSIONS)),$$(cat $(PYTHON313_PATH)),$(PYTHON))

.PRECIOUS: .venv-%/.installed
.SECONDEXPANSION:
.venv-%/.installed: requirements.txt $$(call matrix_python_dep,$$*)
	@mkdir -p $(BUILD)
	$(STAGE) venv-$* bash -c '$(call matrix_python,$*) -m venv .venv-$* && .venv-$*/bin/pip install -q --upgrade pip \
	  && .venv-$*/bin/pip install -q "ansible-core==$*.*" -r requirements.txt pytest pytest-xdist hypothesis jsonschema \
	  $(call matrix_full_tools,$*)'
	touch $@

matrix-%: .venv-%/.installed $(COLLECTION_LINK) system-packages
	@echo "== ansible-core $* on Python $(call matrix_version,$*)"
	$(STAGE) tests-$* env PATH=$(CURDIR)/.venv-$*/bin:$$PATH .venv-$*/bin/python -m pytest tests/unit $(PYTEST_ARGS) \
	  $(call matrix_marks,$*)
	$(STAGE) sanity-$* tests/tools/ansible_test.sh $(CURDIR)/.venv-$* sanity --venv \
	  --python $(call matrix_version,$*)

test-matrix: $(foreach v,$(MATRIX_VERSIONS),matrix-$(v))

# Every stage, side by side where the cores allow; the seconds of each at the end.
test:
	@mkdir -p $(BUILD) && rm -f $(STAGE_LOG)
	@$(MAKE) --no-print-directory -j$(JOBS) --output-sync=target test-stages; rc=$$?; $(STAGE) --report; exit $$rc

# The long chains first: the CPython build, the unit suite, the newest core (first in MATRIX_VERSIONS).
test-stages: $(PYTHON313_PATH) unit test-matrix sanity molecule lint galaxy

schemas: venv
	$(VENV)/bin/python tests/tools/write_schemas.py docs/schemas

# Line and branch coverage of plugins/ from the unit suite on this Python,
# module processes that ansible-playbook starts included (not part of make test).
COVERAGE_ENV = COVERAGE_RCFILE=$(CURDIR)/tests/coverage/coveragerc COVERAGE_DATA_DIR=$(BUILD)/coverage
coverage: venv system-packages
	rm -rf $(BUILD)/coverage && mkdir -p $(BUILD)/coverage
	$(COVERAGE_ENV) $(VENV)/bin/python -m coverage run -m pytest tests/unit $(PYTEST_ARGS)
	$(COVERAGE_ENV) $(VENV)/bin/python -m coverage combine -q $(BUILD)/coverage
	$(COVERAGE_ENV) $(VENV)/bin/python -m coverage report --skip-covered | tail -n 25

# Benchmarks (not tests): prints a table and rewrites docs/performance.md between its markers.
bench: venv
	$(VENV)/bin/python benchmarks/run.py

clean:
	rm -rf $(VENV) .venv-* $(BUILD) .pytest_cache
# (The CPython 3.13 build stays in ~/.cache/flashcat.flashduty; remove it there to rebuild.)
