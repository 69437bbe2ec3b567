# Two entry points (see README): `make run` and `make test`. Both bootstrap uv and
# the .venv from the committed uv.lock, so they work on a machine with only
# Python 3.11+, make and git, and are safe to run again.

# The first Python 3.11 or 3.12 that actually runs (a pyenv shim may exist without
# its interpreter being selected).
PYTHON ?= $(shell for p in python3.12 python3.11 python3; do \
	$$p -c 'import sys; assert (3, 11) <= sys.version_info[:2] < (3, 13)' >/dev/null 2>&1 \
	&& command -v $$p && break; done)
ifeq ($(PYTHON),)
$(error handoff needs Python 3.11 or 3.12 on the PATH (python3.12, python3.11 or python3))
endif
UV ?= $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)
# the wheel test (tests/e2e/test_wheel.py) builds and installs with the same uv
export UV
VENV := $(CURDIR)/.venv
export UV_COMPILE_BYTECODE := 1
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

# Two pytest-xdist workers, a test file at a time each (the shared builds of
# tests/conftest.py are made once per run), handed out in the order of
# tests/conftest.py's FIRST, longest first: --no-loadscope-reorder keeps xdist from
# reordering the files by their number of tests, which sent the one-test Spark file
# last. PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= 2
PYTEST_PARALLEL := $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder)

.PHONY: setup run test test-fast lint format docs dagster clean

$(CURDIR)/.tools/bin/uv:
	$(PYTHON) -m venv $(CURDIR)/.tools
	$(CURDIR)/.tools/bin/pip install --quiet --disable-pip-version-check uv

$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --locked --python $(PYTHON)
	@touch $@

setup: $(VENV)/.synced ## install everything into .venv

run: setup ## the whole pipeline on the embedded default (DuckDB + generated sample)
	$(VENV)/bin/handoff run $(ARGS)

test: setup ## the whole test suite
	$(VENV)/bin/python -m pytest $(PYTEST_PARALLEL) --durations=25 $(PYTEST_ARGS)

test-fast: setup ## the edit loop: unit tests, dbt unit tests, small integration tests
	$(VENV)/bin/python -m pytest $(PYTEST_PARALLEL) -m "not slow and not spark and not postgres" $(PYTEST_ARGS)

lint: setup ## ruff + sqlfluff (dbt templater)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	mkdir -p $(CURDIR)/.handoff/lint
	HANDOFF_HOME=$(CURDIR)/.handoff/lint $(VENV)/bin/sqlfluff lint models macros tests/dbt

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

dagster: setup ## the Dagster UI on this project and the instance `make run` records into
	$(VENV)/bin/handoff dagster $(ARGS)

clean:
	rm -rf .handoff target logs .pytest_cache
