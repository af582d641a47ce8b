# himdesk — one Makefile: demo, test, lint, type, bench, serve.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO_DB := sqlite:///var/himdesk.db
DEMO_ENV := HIMDESK_DEMO_MODE=1 HIMDESK_DATABASE_URL=$(DEMO_DB)
# Official code-set files; without this directory only the packaged ICD-10-CM tabular loads.
CODESET_DIR ?= ../shared/data/codesets

.PHONY: demo serve test lint type bench install install-test system-packages clean

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/pip || scripts/make-venv $(PYTHON) $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## make demo: install, migrate SQLite under var/, load the demo hospital, serve on :8000
demo: install
	$(DEMO_ENV) $(BIN)/himdesk db upgrade
	$(DEMO_ENV) $(BIN)/himdesk codesets load $(if $(wildcard $(CODESET_DIR)),"$(CODESET_DIR)")
	$(DEMO_ENV) $(BIN)/himdesk demo load --if-empty
	@echo "himdesk is serving on http://127.0.0.1:8000 (Ctrl-C to stop)"
	$(DEMO_ENV) $(BIN)/himdesk serve --host 127.0.0.1 --port 8000

serve: install
	$(DEMO_ENV) $(BIN)/himdesk serve

system-packages:
	scripts/ensure-system-packages

## make test: lint, types, then the whole suite on SQLite and a throwaway PostgreSQL
test: install-test system-packages
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	scripts/with-postgres $(BIN)/pytest -n 2 --dist loadgroup -q

lint: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

type: install-test
	$(BIN)/mypy

bench: install-test
	$(BIN)/python bench/run.py
	$(BIN)/python bench/audit_cost.py
	$(BIN)/python bench/chart_analysis.py
	$(BIN)/python bench/audit_verify.py
	$(BIN)/python bench/fhir_import.py
	$(BIN)/python bench/hl7_mllp.py
	$(BIN)/python bench/code_lookup.py
	$(BIN)/python bench/drg_grouping.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
