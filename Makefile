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

.PHONY: run test setup test-sqlite test-postgres browser-deps bench migrate demo translations extract-messages clean

$(STAMP): pyproject.toml
	"$(PYTHON)" -m venv "$(VENV)"
	"$(BIN)/pip" install --quiet --upgrade pip
	"$(BIN)/pip" install --quiet -e ".[test]"
	touch "$(STAMP)"

setup: $(STAMP) translations

# Compiles webapp/translations/*/LC_MESSAGES/messages.po to .mo (git-ignored). Fuzzy entries
# are left out: tests/web/test_i18n.py refuses them anyway.
translations: $(STAMP)
	@"$(BIN)/pybabel" --quiet compile --directory "webapp/translations"

# After adding or changing a text in webapp/ (Python or template): refreshes messages.pot,
# adds the new texts to fr (msgstr = msgid, French being the source language) and to en
# (empty msgstr: translate them, tests/web/test_i18n.py fails until you do).
extract-messages: $(STAMP)
	@"$(BIN)/pybabel" --quiet extract --mapping-file "babel.cfg" \
	  --keywords "_l lazy_gettext lazy_ngettext:1,2 lazy_pgettext:1c,2" --add-comments "TRANSLATORS:" \
	  --project "Portail Famille" --version 0.1.0 --copyright-holder "Portail Famille" \
	  --output-file "webapp/translations/messages.pot" .
	@for lang in fr en; do \
	  "$(BIN)/pybabel" --quiet update --no-fuzzy-matching --input-file "webapp/translations/messages.pot" \
	    --output-dir "webapp/translations" --locale "$$lang" || exit 1; \
	done
	@"$(BIN)/python" -c 'import sys; from babel.messages.pofile import read_po, write_po; \
	  path = sys.argv[1]; catalog = read_po(open(path, "rb")); \
	  [setattr(m, "string", m.id) for m in catalog if m.id and not any(m.string if m.pluralizable else [m.string])]; \
	  write_po(open(path, "wb"), catalog)' "webapp/translations/fr/LC_MESSAGES/messages.po"

migrate: setup
	"$(BIN)/flask" tenants migrate

demo: migrate
	DEMO=1 "$(BIN)/flask" demo load

# The e-mail worker runs beside gunicorn (without its control socket, which would live in the home
# folder and be shared, then removed, by a second demo on the same machine); the demo's e-mails land in /dev/courriels. Online payment
# goes to the local PayFiP stand-in (no real payment), with the reconciliation job every minute.
PAYFIP_PORT ?= 5099
run: export PAYFIP_WS_URL ?= http://127.0.0.1:$(PAYFIP_PORT)/tpa/services/securite
run: export PAYFIP_PAYMENT_URL ?= http://127.0.0.1:$(PAYFIP_PORT)/tpa/paiementws.web
run: demo
	@echo "Serveur sur http://localhost:$(PORT)/ (Ctrl+C pour arrêter)"
	DEMO=1 "$(BIN)/flask" mail worker --interval 5 & worker=$$!; \
	"$(BIN)/flask" payfip standin --port $(PAYFIP_PORT) & standin=$$!; \
	DEMO=1 "$(BIN)/flask" payfip reconcile --every 60 & reconcile=$$!; \
	trap 'kill $$worker $$standin $$reconcile 2>/dev/null' EXIT INT TERM; \
	DEMO=1 PORT=$(PORT) "$(BIN)/gunicorn" --workers $(WORKERS) --bind "127.0.0.1:$(PORT)" \
	  --no-control-socket --access-logfile - "webapp:create_app()"

browser-deps:
	./scripts/ensure-chromium

# SQLite always; PostgreSQL too when TEST_POSTGRES_URL is set (or a server answers on 127.0.0.1:5432).
test: setup browser-deps
	./scripts/run-tests

bench: setup
	"$(BIN)/python" bench/run.py

clean:
	rm -rf "$(VENV)" instance/data instance/secret_key
