# The two commands of the quick start are `make run` and `make test`; both install
# what they need first. Everything goes into .venv; nothing is installed globally
# except the Debian packages and services that scripts/prepare-machine sets up.

VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
ENV_FILE ?= ticketstock.env

.PHONY: run test install machine lint typecheck unit module-zip bench clean

run: install machine
	@if [ -f "$(ENV_FILE)" ]; then \
		echo "running against the settings in $(ENV_FILE)"; \
		$(BIN)/ticketstock --env-file "$(ENV_FILE)" run; \
	else \
		echo "no $(ENV_FILE): running the sandbox (Dolibarr double, local SMTP sink)"; \
		$(BIN)/ticketstock sandbox; \
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

bench: install machine
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) dist build var
