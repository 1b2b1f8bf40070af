# One setup command, one main-job command, one test command (see README).
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1

.PHONY: setup synth test test-built lint bench provider-build

setup: $(STAMP)

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	$(VENV)/bin/teams-notify provider install
	touch $(STAMP)

synth: setup
	$(PY) main.py

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

# The self-contained provider (PyInstaller, ~40-50 s on a cold cache, instant when the provider
# sources did not change) is built once here, before the suite, so no test worker waits for it.
provider-build: setup
	$(VENV)/bin/teams-notify provider build --cache .cache/provider-build

test: lint provider-build
	$(VENV)/bin/pytest -q -n 2

# The provider's acceptance tests and the stacks' Terraform tests again, against the self-contained
# provider instead of the venv one (tests/provider is not marked `terraform` test by test).
test-built: provider-build
	TEAMS_NOTIFY_TEST_PROVIDER=built $(VENV)/bin/pytest -q -n 2 tests/provider
	TEAMS_NOTIFY_TEST_PROVIDER=built $(VENV)/bin/pytest -q -n 2 -m terraform tests/constructs tests/teams

bench: setup
	$(PY) bench/provider_bench.py
	$(PY) bench/synth_bench.py
	$(PY) bench/release_bench.py
