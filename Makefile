# Two commands matter: `make demo` (build everything, serve the demo town) and
# `make test` (build everything, run the whole suite). The rest are their parts.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test setup system-packages assets messages lint bench clean

$(BIN)/fengqiao: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	command -v npm >/dev/null || (apt-get update -qq && apt-get install -y -qq nodejs npm)
	npm ci --no-audit --no-fund --loglevel=error

assets: node_modules/.package-lock.json

# Debian packages the suite needs: Chromium for the browser journeys, gettext for the
# translation-catalogue check. Installed only when missing.
system-packages:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v xgettext >/dev/null || missing="$$missing gettext"; \
	fc-list :lang=zh-cn | grep -q "Noto Serif CJK SC" || missing="$$missing fonts-noto-cjk"; \
	ldconfig -p | grep -q libharfbuzz-subset || missing="$$missing libharfbuzz-subset0"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

setup: $(BIN)/fengqiao assets

demo: setup system-packages
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
bench: setup
	$(BIN)/python -m bench.cases
	$(BIN)/python -m bench.rules

clean:
	rm -rf $(VENV) node_modules var
