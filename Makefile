# Pacts — every target creates .venv (Python >= 3.12, found automatically) and installs what it needs.
#   make app    the browser app at http://127.0.0.1:8765 (HOST=0.0.0.0 for a classroom, PORT=...)
#   make test   the test suite, browser tests included (`make test-all` adds the slow ones)
#   make run    the default scenario on the command line: summary + out/run/cooperation.png
#   make bench  benchmarks (one JSON line each)
#   make sweep  the headline experiment: shadow-of-the-future (figures + summary in out/sweep)
#   make lint   ruff
SHELL := /bin/bash
VENV  := .venv
BIN   := $(VENV)/bin

# The first interpreter >= 3.12 among: $(PYTHON) if given, python3.12, python3.13, python3,
# python, then pyenv's installed versions (pyenv shims for versions that are not selected fail
# and are skipped).
FIND_PYTHON := for c in $(PYTHON) python3.12 python3.13 python3.14 python3 python \
	$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null); do \
	  if command -v "$$c" >/dev/null 2>&1 && \
	     "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
	    command -v "$$c"; break; fi; done

.PHONY: app run test test-all test-slow bench sweep lint clean help
help:
	@sed -n '1,8p' Makefile | sed 's/^# \{0,1\}//'

$(BIN)/python:
	@py="$$($(FIND_PYTHON))"; \
	if [ -z "$$py" ]; then \
	  echo "error: Pacts needs Python >= 3.12 (Mesa 3.5 does), and none was found on PATH" >&2; \
	  echo "       (tried python3.12, python3.13, python3, python and pyenv versions)." >&2; \
	  echo "       Install one (e.g. 'apt-get install python3.12' or 'pyenv install 3.12')" >&2; \
	  echo "       or name it: make $(MAKECMDGOALS) PYTHON=/path/to/python3.12" >&2; \
	  exit 1; fi; \
	echo "creating $(VENV) with $$py ($$($$py --version))"; \
	"$$py" -m venv $(VENV)

$(VENV)/.installed: pyproject.toml Makefile | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,dist,sensitivity,app,discovery]"
	@touch $@

HOST ?= 127.0.0.1
PORT ?= 8765
app: $(VENV)/.installed
	$(BIN)/pacts app --host $(HOST) --port $(PORT)

run: $(VENV)/.installed
	$(BIN)/pacts run

test: $(VENV)/.installed
	$(BIN)/pytest

test-slow: $(VENV)/.installed
	$(BIN)/pytest -m slow

test-all: $(VENV)/.installed
	$(BIN)/pytest -m ""

bench: $(VENV)/.installed
	$(BIN)/pacts bench

sweep: $(VENV)/.installed
	$(BIN)/pacts sweep shadow-of-the-future

lint: $(VENV)/.installed
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache .hypothesis *.egg-info
