# `make run` — set up and run on the embedded defaults (SQLite, database task queue).
# `make test` — install what the tests drive, lint, and run the suite on SQLite and PostgreSQL.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export CHINHTHONG_VAR_DIR ?= $(CURDIR)/var
PYTEST_ARGS ?=

.PHONY: run setup test test-sqlite test-postgres lint format messages makemessages lock bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.base: requirements/base.lock pyproject.toml | $(BIN)/python
	scripts/install-system-deps build
	$(BIN)/pip install -q --disable-pip-version-check -r requirements/base.lock
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	touch $@

$(VENV)/.dev: requirements/dev.lock pyproject.toml | $(BIN)/python
	scripts/install-system-deps build
	$(BIN)/pip install -q --disable-pip-version-check -r requirements/dev.lock
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	touch $@ $(VENV)/.base

messages:
	@command -v msgfmt >/dev/null || scripts/install-system-deps run
	cd src/chinhthong && ../../$(BIN)/python -m django compilemessages --settings=chinhthong.config.settings -v 0

makemessages: $(VENV)/.dev
	cd src/chinhthong && ../../$(BIN)/python -m django makemessages -l vi --no-obsolete \
	  --settings=chinhthong.config.settings -v 0

setup: $(VENV)/.base
	scripts/install-system-deps run
	$(MAKE) --no-print-directory messages
	$(BIN)/chinhthong setup

run: setup
	$(BIN)/chinhthong serve

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: $(VENV)/.dev
	scripts/install-system-deps test
	$(MAKE) --no-print-directory messages lint test-sqlite test-postgres

test-sqlite:
	@echo "== tests on SQLite"
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres:
	@echo "== tests on PostgreSQL"
	scripts/with-postgres $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.dev
	@for script in startup url_batch http_check email_batch blocklist_load attack dashboard bulletin_email report_matching report_intake gateway; do \
	  echo "== bench/$$script.py"; $(BIN)/python bench/$$script.py || exit 1; done

# Regenerate the lock files after changing pyproject.toml (needs network access to PyPI).
lock: | $(BIN)/python
	$(BIN)/pip install -q uv
	$(BIN)/uv pip compile -q pyproject.toml -o requirements/base.lock --python-version 3.11
	$(BIN)/uv pip compile -q pyproject.toml --extra dev -o requirements/dev.lock --python-version 3.11

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache
