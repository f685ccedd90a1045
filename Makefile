# The two commands of the quick start are `make run` and `make test`; both install
# what they need first. Everything goes into .venv; nothing is installed globally
# except the Debian packages and services that scripts/prepare-machine sets up.

VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
ENV_FILE ?= ticketstock.env

.PHONY: run test install machine lint typecheck module-zip bench e2e clean

# With a settings file, the service uses the RabbitMQ and SMTP server it names, so
# nothing is installed or started on this machine; the sandbox needs a local RabbitMQ.
run: install
	@if [ -f "$(ENV_FILE)" ]; then \
		echo "running against the settings in $(ENV_FILE)"; \
		exec $(BIN)/ticketstock --env-file "$(ENV_FILE)" run; \
	else \
		scripts/prepare-machine; \
		echo "no $(ENV_FILE): running the sandbox (Dolibarr double, local SMTP sink)"; \
		exec $(BIN)/ticketstock sandbox; \
	fi

test: install machine lint typecheck
	$(BIN)/python -m pytest

install: $(VENV)/.deps
	$(BIN)/pip install --quiet --no-deps --force-reinstall .

$(VENV)/.deps: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet '.[test]'
	touch $@

machine:
	scripts/prepare-machine

lint:
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

typecheck:
	$(BIN)/mypy

module-zip:
	publisher_plugin/package

# End to end on a real Dolibarr: make e2e DOLIBARR_URL=... DOLIBARR_API_KEY=... DOLIBARR_HTDOCS=...
# Optional: AMQP_URL=amqp://..., STOP_BROKER=1 (lets the outage case stop the local RabbitMQ).
e2e: install machine
	@test -n "$(DOLIBARR_URL)" -a -n "$(DOLIBARR_API_KEY)" -a -n "$(DOLIBARR_HTDOCS)" || { \
		echo "usage: make e2e DOLIBARR_URL=http://127.0.0.1:8080 DOLIBARR_API_KEY=<admin key> DOLIBARR_HTDOCS=/path/to/htdocs"; \
		exit 2; }
	TICKETSTOCK_E2E_DOLIBARR_URL="$(DOLIBARR_URL)" \
	TICKETSTOCK_E2E_API_KEY="$(DOLIBARR_API_KEY)" \
	TICKETSTOCK_E2E_HTDOCS="$(DOLIBARR_HTDOCS)" \
	TICKETSTOCK_E2E_AMQP_URL="$(AMQP_URL)" \
	TICKETSTOCK_E2E_STOP_BROKER="$(STOP_BROKER)" \
	$(BIN)/python -m pytest tests/e2e -m dolibarr

bench: install machine
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) dist build var
