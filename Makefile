# One setup command, one main-job command, one test command (see README).
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1

.PHONY: setup synth demo test lint bench

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

test: lint
	$(VENV)/bin/pytest -q -n 2

bench: setup
	$(PY) bench/provider_bench.py
	$(PY) bench/synth_bench.py
	$(PY) bench/demo_bench.py
