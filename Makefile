# One command each: make run, make test, make lint, make bench, make messages.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
export DJANGO_SETTINGS_MODULE := interviewmaker.settings

.PHONY: run test lint bench messages lock clean venv venv-dev

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

# Runtime dependencies only (pinned in requirements.lock).
$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(PY) -m pip install -q -r requirements.lock
	touch $@

# Runtime plus test and lint tools (requirements-dev.lock).
$(VENV)/.installed-dev: requirements-dev.lock | $(BIN)/python
	$(PY) -m pip install -q -r requirements-dev.lock
	touch $(VENV)/.installed $@

venv: $(VENV)/.installed
venv-dev: $(VENV)/.installed-dev

## run: the app on embedded defaults (embedded PostgreSQL, local media, filesystem broker) with a worker,
## beat and demo data. The embedded server (data in var/pgdata) stops when the app does.
run: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runall

## test: the whole suite, on PostgreSQL (DATABASE_URL, or the embedded server when it is unset) and Redis
## (REDIS_URL, or a redis-server from a wheel when it is unset); browser tests need Debian's chromium,
## the accessibility tests also axe-core from npm (package-lock.json; installed here when npm exists).
test: venv-dev
	@command -v npm >/dev/null && [ ! -f node_modules/axe-core/axe.min.js ] && npm ci --silent --no-audit --no-fund || true
	$(PY) manage.py makemigrations --check --dry-run >/dev/null || (echo "Missing migrations: run manage.py makemigrations" && exit 1)
	$(PY) -m tests.redisrun $(BIN)/pytest $(PYTEST_ARGS)

## lint: ruff, mypy, the import contracts between the apps, and the Japanese catalogue complete.
lint: venv-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports
	$(PY) -m interviewmaker.checks.catalog

## bench: the benchmarks of docs/product.md §11 (PostgreSQL via DATABASE_URL).
bench: venv-dev
	@for b in bench/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

## messages: refresh and compile the translation catalogues (one per app, plus templates/ at the root).
APPS := applicants imports interviews messaging webhooks bulk sharing
messages: venv-dev
	@for app in $(APPS); do \
	  (cd $$app && PYTHONPATH=$(CURDIR) ../$(BIN)/django-admin makemessages -l ja -l en --ignore='tests/*' && \
	   if [ -d static ]; then PYTHONPATH=$(CURDIR) ../$(BIN)/django-admin makemessages -d djangojs -l ja -l en --ignore='tests/*'; fi) || exit 1; \
	done
	PYTHONPATH=$(CURDIR) $(PY) -m django makemessages -l ja -l en $(foreach d,$(APPS) .venv var tests bench test-artifacts node_modules,--ignore=$(d))
	$(PY) -m django compilemessages --ignore=.venv --ignore=node_modules
	$(PY) -m interviewmaker.checks.catalog

## lock: re-pin requirements*.lock from pyproject.toml (uv, installed into the venv for this).
lock: venv-dev
	$(PY) -m pip install -q uv
	$(BIN)/uv pip compile pyproject.toml -o requirements.lock -q
	$(BIN)/uv pip compile pyproject.toml --extra dev -o requirements-dev.lock -q

clean:
	rm -rf var test-artifacts
