# vnemis — the commands a developer and CI use. `make run` and `make test` are the two a new user needs.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
SEED ?= 2022


.PHONY: setup setup-dev run demo test test-sqlite test-postgres lint fmt types layers check \
        messages bench bench-import bench-load clean

# The virtual environment, rebuilt when pyproject.toml or the constraints change.
$(VENV)/.installed: pyproject.toml constraints.txt
	@PYBIN=$$(scripts/find_python.sh) && echo "Using $$PYBIN" && \
	  ([ -x $(PY) ] || $$PYBIN -m venv $(VENV))
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PIP) install --quiet -c constraints.txt -e '.[dev]'
	touch $@

# Browser libraries (ECharts) from the npm registry, pinned by package-lock.json and rebuilt
# when it changes. Only the built file the pages load is copied under static/vendor/
# (git-ignored), where WhiteNoise serves it: pointing STATICFILES_DIRS at the package's dist/
# would make every `vnemis serve` collect and compress 50 MB of bundles no page uses.
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

static/vendor/echarts/echarts.min.js: node_modules/.installed
	mkdir -p $(@D)
	cp node_modules/echarts/dist/echarts.min.js node_modules/echarts/LICENSE \
	  node_modules/echarts/NOTICE $(@D)/
	touch $@

setup: $(VENV)/.installed static/vendor/echarts/echarts.min.js

setup-dev: $(VENV)/.installed-dev static/vendor/echarts/echarts.min.js

# Migrate the embedded SQLite database, load the Lào Cai 2022 demo (a no-op when it is
# already loaded), print the demo accounts and serve the site.
run: setup
	$(VENV)/bin/vnemis migrate
	$(VENV)/bin/vnemis demo laocai-2022 --seed $(SEED)
	$(VENV)/bin/vnemis transcripts ca --demo
	$(VENV)/bin/vnemis demo accounts --host $(HOST) --port $(PORT)
	$(VENV)/bin/vnemis serve --host $(HOST) --port $(PORT)

demo: setup
	$(VENV)/bin/vnemis migrate
	$(VENV)/bin/vnemis demo laocai-2022 --seed $(SEED)
	$(VENV)/bin/vnemis transcripts ca --demo

# The whole suite on SQLite, then on a PostgreSQL cluster started from the installed server
# binaries in a temporary folder. Under CI=true nothing may be skipped for lack of a server or
# a browser.
test: setup-dev
	$(PY) scripts/run_tests.py

test-sqlite: setup-dev
	$(PY) scripts/run_tests.py --sqlite-only

test-postgres: setup-dev
	$(PY) scripts/run_tests.py --postgres-only

lint: setup-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: setup-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

types: setup-dev
	$(VENV)/bin/mypy .

messages: setup-dev
	$(PY) manage.py makemessages -l vi --no-obsolete --ignore '.venv/*' --ignore 'var/*' \
	  --ignore 'scripts/*' --ignore 'bench/*' --ignore '*/tests/*' --ignore 'vnemis/testing/*' \
	  --ignore 'build/*' --ignore 'node_modules/*'
	$(PY) manage.py compilemessages -l vi --ignore '.venv'

# The layer order of docs/architecture.md (contracts in .importlinter).
layers: setup-dev
	$(VENV)/bin/lint-imports

check: lint types layers
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	scripts/check_messages.sh

bench: setup-dev
	$(PY) bench/demo_load.py

# A million students from CSV through the import pipeline, against PostgreSQL COPY (and the
# same on SQLite); about 10 minutes.
bench-import: setup-dev
	$(PY) bench/import.py --twice

# The officers' page mix against `vnemis serve` on a throwaway PostgreSQL with the province
# demo, at 10, 25 and 50 users, against /health/ as the baseline; about 7 minutes.
bench-load: setup-dev
	$(PY) bench/load.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache node_modules static/vendor
