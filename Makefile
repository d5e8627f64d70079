# Cuesketch: `make run` sets everything up and opens the demo; `make test` runs every test;
# `make bench` prints the benchmark figures as one JSON object (`make bench ONLY="name ..."`).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run setup system venv test bench clean

run: setup
	$(VENV)/bin/cuesketch --demo

setup: system venv

system:
	@bash packaging/system-deps.sh

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

test: setup
	$(PY) -m mypy
	$(PY) -m pytest

bench: setup
	$(PY) tests/bench/run.py $(ONLY)

clean:
	rm -rf $(VENV) build *.egg-info app/*.egg-info
