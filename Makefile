# Two commands matter: `make demo` (install what the demo needs, load and serve the demo
# town) and `make test` (install everything, run the whole suite). The rest are their parts.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test setup system-packages demo-packages assets messages lint bench clean

# The venv with what the demo runs on: the package and its runtime dependencies.
$(BIN)/fengqiao: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

# The development extras on top, in the same venv (pytest, playwright, polib, ruff...);
# redone whenever the runtime install is, so a changed pyproject.toml reaches both.
$(VENV)/.dev-extras: $(BIN)/fengqiao
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	command -v npm >/dev/null || (apt-get update -qq && apt-get install -y -qq nodejs npm)
	npm ci --no-audit --no-fund --loglevel=error

assets: node_modules/.package-lock.json

# Debian packages, each installed only when missing (one apt-get run for all of them).
# The demo's: the Chinese fonts and HarfBuzz's subsetter, for WeasyPrint's PDF documents.
DEMO_PACKAGES_MISSING = \
	fc-list :lang=zh-cn | grep -q "Noto Serif CJK SC" || missing="$$missing fonts-noto-cjk"; \
	ldconfig -p | grep -q libharfbuzz-subset || missing="$$missing libharfbuzz-subset0";
# The suite's on top: Chromium for the browser journeys, gettext for the
# translation-catalogue check.
TEST_PACKAGES_MISSING = \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v xgettext >/dev/null || missing="$$missing gettext";
INSTALL_MISSING = \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

demo-packages:
	@missing=""; $(DEMO_PACKAGES_MISSING) $(INSTALL_MISSING)

# Everything the suite needs: the demo's packages and the suite's own.
system-packages:
	@missing=""; $(DEMO_PACKAGES_MISSING) $(TEST_PACKAGES_MISSING) $(INSTALL_MISSING)

# Everything for development and the suite: the venv with the dev extras, and the assets.
setup: $(VENV)/.dev-extras assets

# The demo needs neither the dev extras nor Chromium and gettext.
demo: $(BIN)/fengqiao assets demo-packages
	$(BIN)/fengqiao migrate --noinput
	$(BIN)/fengqiao seed_demo --if-empty
	$(BIN)/fengqiao collectstatic --noinput --verbosity 0
	@echo "Fengqiao demo town: http://$(HOST):$(PORT)/  (accounts: see README)"
	@# The job worker (deadline sweep, warning rules, outbound notifications) runs beside the
	@# server and is stopped with it, however the server ends (Ctrl-C, a kill, a crash).
	@$(BIN)/fengqiao run_huey --workers 1 & worker=$$!; \
	$(BIN)/fengqiao runserver $(HOST):$(PORT) --noreload & server=$$!; \
	trap 'kill $$worker $$server 2>/dev/null; wait 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	wait $$server

test: setup system-packages
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# Regenerate the zh_Hans catalogue from the code (needs gettext); translate new entries,
# then `make messages` again to compile.
messages: setup
	cd fengqiao && ../$(BIN)/fengqiao makemessages --locale zh_Hans --no-location --no-obsolete \
	  --ignore 'node_modules/*' --ignore 'static/*'
	$(BIN)/python -m fengqiao.core.catalogue compile

# Figures of the case engine at scale (100,000 registrations through the service, the
# work queue at 1,000,000 cases), on a database of its own: SQLite under var/bench/, or
# fengqiao_bench when DATABASE_URL points to PostgreSQL. Prints one JSON object.
# Then the deadline sweep and the warning rules at 100,000 open cases (bench.rules).
# Then the daily log of a district: 2,000 grid workers, a year of logs (bench.gridops).
bench: setup
	$(BIN)/python -m bench.cases
	$(BIN)/python -m bench.rules
	$(BIN)/python -m bench.gridops

clean:
	rm -rf $(VENV) node_modules var
