# The verbs a newcomer needs. Every target creates .venv first if it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
STAGE ?= prod
# checkov pins its own boto3 (and more) against this project's pins: it gets a venv of its own.
CHECKOV_VENV := $(VENV)/checkov
CHECKOV := $(CHECKOV_VENV)/bin/checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.DEFAULT_GOAL := help
.PHONY: help run test unit lint typecheck bench load package mail clean browser

help:
	@echo "make run      local stack: embedded AWS on :4566, API on :8000, event pump"
	@echo "make test     the whole suite (lint, types, unit, api, integration)"
	@echo "make lint     ruff check + format check"
	@echo "make bench    benchmarks (figures reported in docs/performance.md)"
	@echo "make load     Locust on a local stack, 8 users for 60 s (docs/performance.md)"
	@echo "make package  CloudFormation package for AWS: STAGE=prod (default) or dev, in dist/STAGE"
	@echo "make mail     what the local stack has sent (email, SMS)"

$(STAMP): pyproject.toml requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1,<26.3"  # --group; chalice wants <26.3
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --group dev
	touch $(STAMP)

$(CHECKOV_STAMP): pyproject.toml $(STAMP)
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --upgrade "pip>=25.1,<26.3"
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --group checkov
	touch $(CHECKOV_STAMP)

run: $(STAMP)
	$(BIN)/python -m devstack

# The browser tests drive Debian's chromium; installed here when missing (root, or sudo).
browser:
	command -v chromium >/dev/null || { $(SUDO) apt-get update && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; }

test: $(STAMP) $(CHECKOV_STAMP) lint typecheck browser
	$(BIN)/python -m pytest -n 2 --dist loadgroup

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy chalicelib app.py devstack infra scripts tests benchmarks

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# A storefront's load on a local stack of its own (127.0.0.1 only), bounded in users and time.
load: $(STAMP)
	$(BIN)/python -m benchmarks.storefront_load

# STAGE=dev|prod → dist/$(STAGE)/: sam.json and the deployment zip (docs/deploy.md).
package: $(STAMP) $(CHECKOV_STAMP)
	rm -rf build/$(STAGE) dist/$(STAGE)
	AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-eu-central-1} $(BIN)/chalice package --stage $(STAGE) --merge-template infra/resources.json build/$(STAGE)
	$(BIN)/python -m infra.build $(STAGE) build/$(STAGE) dist/$(STAGE)
	$(BIN)/cfn-lint dist/$(STAGE)/sam.json
	$(CHECKOV) --quiet --compact --skip-download --config-file infra/checkov.yaml -f dist/$(STAGE)/sam.json

mail: $(STAMP)
	$(BIN)/python -m devstack.mailbox

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache .hypothesis
