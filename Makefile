# Cuesketch: `make run` sets everything up and opens the demo; `make test` runs every test;
# `make bench` prints the benchmark figures as one JSON object (`make bench ONLY="name ..."`).
# `make package` builds the installed app (Linux: a bundle, an AppImage and a .deb in
# build/package/); `make package-test` runs it where the system has none of what it carries.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run setup system venv test bench clean package package-test

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

PACKAGE_STAMP := $(VENV)/.package-installed

$(PACKAGE_STAMP): pyproject.toml $(STAMP)
	$(PY) -m pip install -q -e '.[test,package]'
	touch $(PACKAGE_STAMP)

package: setup $(PACKAGE_STAMP)
	@bash packaging/system-deps.sh --package
	PY=$(abspath $(PY)) bash packaging/linux/build.sh all

package-test: setup
	@bash packaging/system-deps.sh --package
	$(PY) tests/packaging/package_check.py

clean:
	rm -rf $(VENV) build *.egg-info app/*.egg-info
