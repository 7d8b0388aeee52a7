# Deskmate: the two commands are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := run

PY := .venv/bin/python
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export RASA_TELEMETRY_ENABLED := false

.PHONY: run test venvs prepare test-setup lint lock clean

## run: set everything up if needed and start the product on the embedded defaults
run: venvs
	$(PY) -m bot run

## test: run every test (sets up the same way first)
test: venvs test-setup
	$(PY) -m pytest

## venvs: the Python 3.11 app environment and the Python 3.10 Rasa environment
venvs: .venv/.complete .venv-rasa/.complete

.venv/.complete: requirements/app.lock scripts/make-venv.sh
	scripts/make-venv.sh .venv 3.11 requirements/app.lock

.venv-rasa/.complete: requirements/rasa.lock scripts/make-venv.sh
	scripts/make-venv.sh .venv-rasa 3.10 requirements/rasa.lock

## prepare: migrate, index the knowledge base and train Rasa (each only if needed)
prepare: venvs
	$(PY) -m bot prepare

## test-setup: Debian's chromium for the browser tests and PostgreSQL for the database tests
test-setup:
	scripts/test-setup.sh

## lock: re-pin the app environment after changing requirements/app.txt
lock:
	rm -rf /tmp/deskmate-lock && python3.11 -m venv /tmp/deskmate-lock
	/tmp/deskmate-lock/bin/pip install --quiet -r requirements/app.txt
	/tmp/deskmate-lock/bin/pip freeze | sed -e 's/^torch==\(.*\)+cpu/torch==\1/' > requirements/app.lock

clean:
	rm -rf var models .venv .venv-rasa
