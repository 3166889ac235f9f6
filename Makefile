# Two commands for a newcomer: `make run` (API with demo data on SQLite) and `make test`.
# Tool settings live in pyproject.toml (ruff) and setup.cfg (pytest, coverage, mypy), not here.
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 8000
APP_ENV ?= development
export PORT APP_ENV

.PHONY: run test lint openapi translations clean

$(STAMP): setup.cfg pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/flask --app services_api init-db
	$(BIN)/flask --app services_api seed --if-empty
	$(BIN)/gunicorn -c python:services_api.gunicorn_config wsgi:app

# Coverage for the whole run only (settings and floor: setup.cfg [coverage:*]).
test: $(STAMP) lint
	$(BIN)/pytest --cov --numprocesses=auto --dist=loadfile

lint: $(STAMP)
	$(BIN)/ruff check
	$(BIN)/ruff format --check
	$(BIN)/mypy

openapi: $(STAMP)
	$(BIN)/flask --app services_api openapi

# The search page's interface texts: collect them from the code, merge them into each language's
# catalogue (new texts come out untranslated), and compile the catalogues the app reads (committed).
TRANSLATIONS := services_api/web/translations
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext --no-location --omit-header -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --ignore-obsolete --width 100
	$(BIN)/pybabel compile -d $(TRANSLATIONS)

clean:
	rm -rf $(VENV) build *.egg-info
