# Veriga: `make demo` runs the main job on the embedded default, `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_HOME ?= .veriga-demo

.PHONY: demo test test-fast bench fuzz lint install install-dev system-deps clean web-assets web-deps

system-deps:
	@scripts/system-deps.sh

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	@scripts/system-deps.sh
	$(BIN)/pip install -q -c constraints.txt -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml constraints.txt | $(BIN)/python
	@scripts/system-deps.sh
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	@touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

demo: install web-assets
	rm -rf $(DEMO_HOME)
	VERIGA_HOME=$(DEMO_HOME) $(BIN)/veriga demo

test: install-dev web-assets
	$(BIN)/python -m pytest

test-fast: install-dev web-assets
	$(BIN)/python -m pytest -m "not slow and not spark and not postgres"

bench: install-dev web-assets
	$(BIN)/python -m benchmarks

# Property-based fuzzing of every importer: FUZZ_EXAMPLES generated inputs per importer read
# as an import would read them (no store), and FUZZ_STORE_EXAMPLES imported into a store (which
# must stay unchanged when one is refused); the importers are shared out to FUZZ_JOBS processes.
FUZZ_EXAMPLES ?= 100000
FUZZ_STORE_EXAMPLES ?= 2000
FUZZ_JOBS ?= 2
fuzz: install-dev
	@status=0; pids=""; \
	for i in $$(seq 0 $$(($(FUZZ_JOBS) - 1))); do \
		VERIGA_FUZZ_SHARD=$$i/$(FUZZ_JOBS) VERIGA_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) \
		VERIGA_FUZZ_STORE_EXAMPLES=$(FUZZ_STORE_EXAMPLES) \
		$(BIN)/python -m pytest tests/ingest/test_fuzz.py -s -q -p no:cacheprovider & \
		pids="$$pids $$!"; \
	done; \
	for pid in $$pids; do wait $$pid || status=1; done; exit $$status

# ruff; mypy (strict on model, store, findings, engine, access, analysis, plugins; the default
# level elsewhere, see pyproject.toml); tsc --noEmit on the browser modules.
lint: install-dev web-deps
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	cd web/frontend && npm run --silent typecheck

# Browser modules (network explorer) and htmx into src/veriga/web/static/dist/, from the npm registry via
# web/frontend/package-lock.json; `npm ci` is skipped while node_modules is newer than the lock file.
web-deps:
	@cd web/frontend && if [ ! -f node_modules/.veriga-npm-ci ] || [ package-lock.json -nt node_modules/.veriga-npm-ci ]; then \
		npm ci --no-audit --no-fund && touch node_modules/.veriga-npm-ci; fi

web-assets: web-deps
	cd web/frontend && npm run build

clean:
	rm -rf $(DEMO_HOME) build dist .pytest_cache .ruff_cache

# Re-extract the web interface's messages and merge them into the bg, lv, et and fi catalogs.
messages:
	$(BIN)/pybabel extract -F babel.cfg -k N_ --project=Veriga --no-wrap -o src/veriga/web/locale/messages.pot .
	$(BIN)/pybabel update -i src/veriga/web/locale/messages.pot -d src/veriga/web/locale --no-wrap
