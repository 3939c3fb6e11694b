# The commands the README names. Everything installs into .venv from requirements.lock.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: install run test e2e bench load lint audit format messages screenshots

$(VENV)/.installed: requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

install: $(VENV)/.installed

# `make run PORT=8001` serves there. Honcho hands PORT to the web process (the worker
# gets PORT+100), so the address e-mails link to is fixed here, once for both and for
# seed_demo's message, unless SITE_URL is set.
PORT ?= 8000
run: export PORT := $(PORT)
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	honcho start

test: install
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest -n 2 --dist loadfile

e2e: install
	$(PY) -m pytest -m e2e tests/e2e

# The README's pictures: the screenshot tour, written optimised to docs/screenshots/.
screenshots: install
	SCREENSHOTS=docs $(PY) -m pytest -q -m e2e tests/e2e/test_screenshots.py

# `make bench SCALE=10000` for the small end; SCALE=1000000 runs on PostgreSQL only.
SCALE ?= 100000
bench: install
	$(PY) bench/run.py --contacts $(SCALE)

# Two app servers and two task workers on PostgreSQL and Redis, under concurrent clients
# (bench/load.py): DATABASE_URL names the PostgreSQL server, CACHE_URL the Redis one.
load: install
	$(PY) bench/load.py $(if $(LOAD_SECONDS),--seconds $(LOAD_SECONDS))

lint: install
	ruff check .
	ruff format --check .
	lint-imports
	mypy

# Known vulnerabilities in exactly the locked pins (no resolving, no installing), from
# PyPI's advisory data. --strict: a pin that could not be checked fails the audit rather
# than passing unseen; `make audit AUDIT_FLAGS=` lists such pins and passes.
AUDIT_FLAGS ?= --strict
audit: install
	pip-audit -r requirements.lock --no-deps --disable-pip -s pypi --progress-spinner off $(AUDIT_FLAGS)

format: install
	ruff format .
	ruff check --fix .

messages: install
	$(PY) manage.py makemessages -l fr --ignore=.venv --ignore=static/vendor
	$(PY) manage.py makemessages -d djangojs -l fr --ignore=.venv --ignore=static/vendor
	$(PY) manage.py compilemessages --ignore=.venv
