# Portail Famille — `make run` (demo) and `make test` (the whole suite).
# Paths are quoted so the checkout may live in a folder whose name has spaces.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
WORKERS ?= 2
STAMP := $(VENV)/.installed
export FLASK_APP := webapp

.PHONY: run test setup test-sqlite test-postgres browser-deps bench migrate demo translations clean

$(STAMP): pyproject.toml
	"$(PYTHON)" -m venv "$(VENV)"
	"$(BIN)/pip" install --quiet --upgrade pip
	"$(BIN)/pip" install --quiet -e ".[test]"
	touch "$(STAMP)"

setup: $(STAMP) translations

translations: $(STAMP)
	"$(BIN)/pybabel" compile --use-fuzzy -d webapp/translations --statistics 2>&1 | tail -n 1

migrate: setup
	"$(BIN)/flask" tenants migrate

demo: migrate
	DEMO=1 "$(BIN)/flask" demo load

run: demo
	@echo "Serveur sur http://localhost:$(PORT)/ (Ctrl+C pour arrêter)"
	DEMO=1 PORT=$(PORT) "$(BIN)/gunicorn" --workers $(WORKERS) --bind "127.0.0.1:$(PORT)" \
	  --access-logfile - "webapp:create_app()"

browser-deps:
	./scripts/ensure-chromium

# SQLite always; PostgreSQL too when TEST_POSTGRES_URL is set (or a server answers on 127.0.0.1:5432).
test: setup browser-deps
	./scripts/run-tests

bench: setup
	"$(BIN)/python" bench/run.py

clean:
	rm -rf "$(VENV)" instance/data instance/secret_key
