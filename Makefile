# nearhome: the verbs. `make demo` shows the product end to end; `make test` is what CI runs.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO := demo
DEMO_WAREHOUSE := duckdb:///$(abspath $(DEMO))/nearhome.duckdb

.PHONY: demo test test-fast lint fix static bench serve clean

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv
	$(BIN)/uv pip install -q --no-cache --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install -q --no-cache --python $(BIN)/python --no-deps -e .
	@touch $(STAMP)

static: $(STAMP)
	@if [ -x scripts/build-static.sh ]; then scripts/build-static.sh; fi

demo: $(STAMP) static
	$(BIN)/nearhome demo --out $(DEMO) --plan examples/plan.toml

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

test: $(STAMP) static lint
	$(BIN)/pytest -q

test-fast: $(STAMP)
	$(BIN)/pytest -q -m "not spark and not browser and not postgres"

fix: $(STAMP)
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks

bench: $(STAMP)
	for script in benchmarks/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

serve: $(STAMP) static
	$(BIN)/nearhome serve --warehouse $(DEMO_WAREHOUSE) --db sqlite:///$(abspath $(DEMO))/board.sqlite

clean:
	rm -rf $(DEMO) .pytest_cache .mypy_cache .ruff_cache test-artifacts
