# CRM Analytics: `make run` serves the demo, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
WAREHOUSE ?= $(or $(CRM_WAREHOUSE),data/warehouse.duckdb)

.PHONY: run serve test lint load demo large browser-deps node-deps locales clean

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

$(WAREHOUSE): | $(VENV)/.runtime
	$(PY) -m data.generate --scale demo --out $(WAREHOUSE)

run: $(VENV)/.runtime $(WAREHOUSE)
	CRM_WAREHOUSE=$(WAREHOUSE) $(PY) app.py

# production serving: gunicorn with gunicorn.conf.py (GUNICORN_BIND, GUNICORN_WORKERS, ... override it)
serve: $(VENV)/.runtime $(WAREHOUSE)
	CRM_WAREHOUSE=$(WAREHOUSE) $(VENV)/bin/gunicorn -c gunicorn.conf.py app:server

demo: $(VENV)/.runtime
	$(PY) -m data.generate --scale demo --out $(WAREHOUSE)

large: $(VENV)/.runtime
	$(PY) -m data.generate --scale large --out $(WAREHOUSE)

load: $(VENV)/.runtime
	@test -n "$(DIR)" || (echo "usage: make load DIR=folder" && exit 2)
	$(PY) -m data.load "$(DIR)" --out $(WAREHOUSE)

# Debian's Chromium and its driver for the browser tests, and CJK fonts for exported charts.
browser-deps:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null \
	    || ! fc-list 2>/dev/null | grep -qi "noto.*cjk"; then \
	  if command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      chromium chromium-driver fonts-noto-cjk >/dev/null; \
	  else echo "chromium/chromedriver missing and no apt-get: browser tests will be skipped"; fi; \
	fi

# The pinned npm packages of package-lock.json: axe-core for the accessibility browser tests and
# the sources of the self-hosted locale files in assets/ (nothing from node_modules is served).
node-deps:
	@if command -v npm >/dev/null; then \
	  test -f node_modules/axe-core/axe.min.js || npm ci --ignore-scripts --no-audit --no-fund --silent; \
	else echo "npm missing: the accessibility browser tests will be skipped"; fi

# Rewrite assets/plotly-locale-zh-cn.js and assets/ag-grid-locale-zh-cn.js from the pinned packages.
locales: node-deps
	node tools/vendor_locales.js

test: $(VENV)/.dev browser-deps node-deps
	$(PY) -m pytest -q

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
