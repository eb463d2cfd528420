# verifier — the two commands: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python

.PHONY: run test faults lint bench bench-differential clean

$(VENV)/.runtime: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "verifier needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

## run: web + worker + cron on embedded defaults (SQLite, embedded Redis, sandbox payer)
run: $(VENV)/.runtime
	$(PY) -m verifier.supervisor

## test: the whole suite (PostgreSQL/Chromium tests skip, saying why, where absent)
test: $(VENV)/.dev
	$(PY) -m pytest $(PYTEST_ARGS)

## faults: the fault drills on real processes (tests/faults; private Redis/PostgreSQL)
faults: $(VENV)/.dev
	$(PY) -m pytest -m faults tests/faults $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

bench: $(VENV)/.dev
	$(PY) -m pip install --quiet -r bench/requirements.txt
	$(PY) bench/intake.py
	$(PY) bench/x12_read.py
	$(PY) bench/refresh.py
	$(PY) bench/webhooks.py

# Our 271 reader vs linuxforhealth-x12 (its own venv in var/.venv-lfh: it needs pydantic<2).
bench-differential: $(VENV)/.dev
	$(PY) bench/x12_differential.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
