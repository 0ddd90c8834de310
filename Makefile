# Guanjia: `make run` serves the demo, `make test` runs every check. Both start from a fresh clone.
SHELL := /bin/bash
# The newest Python from 3.13 down to 3.11 that runs here (a pyenv shim that exists but is not active does not).
PYTHON ?= $(firstword $(foreach p,python3.13 python3.12 python3.11,$(shell $(p) -c "import sys; assert (3, 11) <= sys.version_info[:2] <= (3, 13)" >/dev/null 2>&1 && echo $(p))))
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/guanjia
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15
PYTEST_ARGS ?=

.PHONY: worker sweeper run serve install install-dev migrate demo test lint typecheck pytest pytest-sqlite pytest-postgres pytest-moved-clock production-recipe bench bench-scale vendor clean

# `make run` installs the runtime lock only; the checks add the development lock on top of it.
$(VENV)/.installed: requirements.lock
	@[ -n "$(PYTHON)" ] || { echo "需要 Python 3.11–3.13 · Python 3.11–3.13 is required (none found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.lock
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo --if-empty --host $(HOST) --port $(PORT)

run: demo
	$(PY) manage.py serve --host $(HOST) --port $(PORT)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install-dev
	$(VENV)/bin/mypy .

pytest-sqlite: install-dev
	@bash scripts/ensure-chromium.sh
	env -u DATABASE_URL -u REDIS_URL $(VENV)/bin/pytest -n 2 $(PYTEST_ARGS)

# PostgreSQL (and Redis when it answers) run the same suite again. CI sets REQUIRE_POSTGRES=1 so that a
# missing PostgreSQL fails the run instead of being skipped.
pytest-postgres: install-dev
	@if $(PY) scripts/service_up.py postgres "$(PG_URL)"; then \
	  redis=""; if $(PY) scripts/service_up.py redis "$(REDIS_TEST_URL)"; then redis="$(REDIS_TEST_URL)"; \
	    echo "== Redis answers: cache and worker queue through $$redis"; else echo "== Redis not reachable: skipped"; fi; \
	  echo "== PostgreSQL answers: running the suite on $(PG_URL)"; \
	  DATABASE_URL="$(PG_URL)" REDIS_URL="$$redis" $(VENV)/bin/pytest -n 2 $(PYTEST_ARGS); \
	elif [ "$${REQUIRE_POSTGRES:-0}" = "1" ]; then \
	  echo "PostgreSQL is required (REQUIRE_POSTGRES=1) but $(PG_URL) cannot be reached"; exit 1; \
	else echo "== PostgreSQL not reachable: the PostgreSQL run is skipped"; fi

# The suite again on SQLite with the clock moved: the run starts two minutes before midnight at a month end just
# after the 2028 Spring Festival, a year and more ahead, so a test that depends on the day it runs fails here.
MOVED_CLOCK ?= 2028-01-31T23:58:00+08:00
pytest-moved-clock: install-dev
	GUANJIA_TEST_CLOCK=$(MOVED_CLOCK) env -u DATABASE_URL -u REDIS_URL $(VENV)/bin/pytest -n 2 $(PYTEST_ARGS)

# The README's production recipe, exactly as written, on a fresh copy against PostgreSQL and Redis (CI runs it).
production-recipe: install
	bash scripts/production-recipe.sh

test: lint typecheck pytest-sqlite pytest-postgres
	@echo "== make test: all checks passed"

worker: install
	$(VENV)/bin/celery -A config worker -B -Q celery,exports -l info

# Without Redis, next to gunicorn: the deadline sweep and the other periodic jobs as one process (SIGTERM stops it).
sweeper: install
	$(PY) manage.py sweeper

bench: install-dev
	$(PY) -m bench

comma := ,
# Issue 14's table at scale (PostgreSQL via DATABASE_URL; CASES=100000,1000000 by default, 10000000 for 10M).
bench-scale: install-dev
	$(PY) -m bench scale --cases $(or $(CASES),100000$(comma)1000000)

vendor:
	bash scripts/vendor-assets.sh

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
