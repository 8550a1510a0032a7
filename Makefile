# The two commands of the quick start are `make demo` and `make test`; the rest supports them.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin

# Python 3.12 or newer: pyenv's (selected by .python-version) or whichever is on the PATH.
PYTHON := $(shell for p in python3.13 python3.12 python3 python; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	command -v $$p; break; fi; done)

.PHONY: setup demo test lint ci chromium serve worker clean

$(BIN)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Bluelamp needs Python 3.12 or newer (pyenv install 3.12)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@

setup: $(BIN)/.installed

# Set everything up and run the demonstration force on SQLite at http://127.0.0.1:8000
demo: setup
	$(BIN)/bluelamp demo

# Set everything up and run the whole test suite (SQLite; DATABASE_URL for PostgreSQL).
test: setup chromium
	$(BIN)/pytest

# Debian's Chromium for the browser tests (Playwright drives it; no browser download).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy bluelamp
	$(BIN)/lint-imports
	$(BIN)/bluelamp makemigrations --check --dry-run

serve: setup
	$(BIN)/bluelamp serve

worker: setup
	$(BIN)/bluelamp worker

clean:
	rm -rf $(VENV) var
