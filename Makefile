# Chợ 4.0. `make demo` and `make test` work from nothing: they build .venv first.
# With DATABASE_URL unset they run on PostgreSQL embedded under var/postgres
# (market40/database.py), started on demand and stopped when the last user exits.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# mypy's Django plugin loads the settings, which only read this URL: no
# server is started or reached for a type check.
TYPECHECK_DATABASE_URL := postgres://127.0.0.1/typecheck

# Where `make demo` serves: `make demo PORT=8001 HOST=0.0.0.0`. The stall
# screens' stream process (uvicorn on market40.asgi) takes the next port.
HOST ?= 127.0.0.1
PORT ?= 8000
STREAM_PORT ?= $(shell echo $$(( $(PORT) + 1 )))
# Bound to every interface, the demo is opened from this machine at 127.0.0.1
# (another device uses the machine's address: set PUBLIC_BASE_URL and
# STALL_STREAM_URL to it) and accepts any host name.
DEMO_HOST := $(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST))
DEMO_ALLOWED_HOSTS := $(if $(filter 0.0.0.0,$(HOST)),*,$(HOST),127.0.0.1,localhost)
DEMO_URL := http://$(DEMO_HOST):$(PORT)
DEMO_STREAM_URL := http://$(DEMO_HOST):$(STREAM_PORT)
DEMO_ENV := PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-$(DEMO_URL)} ALLOWED_HOSTS="$${ALLOWED_HOSTS:-$(DEMO_ALLOWED_HOSTS)}" \
	STALL_STREAM_URL=$${STALL_STREAM_URL:-$(DEMO_STREAM_URL)}

.PHONY: demo test bench proof lint messages clean

$(STAMP): requirements.txt requirements-dev.txt requirements-datasets.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps --ignore-requires-python -r requirements-datasets.txt
	touch $(STAMP)

demo: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py load_demo
	$(PY) manage.py collectstatic --noinput >/dev/null
	$(DEMO_ENV) $(PY) manage.py demo_banner
	# The stall screens' stream runs beside the web app and stops with it.
	$(DEMO_ENV) $(VENV)/bin/uvicorn market40.asgi:application --host $(HOST) --port $(STREAM_PORT) --no-access-log & stream=$$!; \
	trap 'kill $$stream' EXIT INT TERM; \
	$(DEMO_ENV) $(PY) manage.py runserver --insecure $(HOST):$(PORT)

test: $(STAMP)
	scripts/ensure-browser.sh
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) -m bench

proof: $(STAMP)
	$(PY) -m proof $(PROOF_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/bandit -c pyproject.toml -r . -q
	DATABASE_URL=$(TYPECHECK_DATABASE_URL) $(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-logo

messages: $(STAMP)
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=var
	$(PY) manage.py compilemessages --ignore=.venv

# Stops the embedded PostgreSQL first: its data goes with var/.
clean:
	if [ -x $(PY) ]; then $(PY) -m market40.database stop var/postgres; fi
	rm -rf var
