# The verbs a newcomer needs. Every target creates .venv first if it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help run test unit lint typecheck bench package mail clean

help:
	@echo "make run      local stack: embedded AWS on :4566, API on :8000, event pump"
	@echo "make test     the whole suite (lint, types, unit, api, integration)"
	@echo "make lint     ruff check + format check"
	@echo "make bench    benchmarks (figures reported in README.md)"
	@echo "make package  CloudFormation package for AWS (chalice package + infra merge)"
	@echo "make mail     what the local stack has sent (email, SMS)"

$(STAMP): pyproject.toml requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1,<26.3"  # --group; chalice wants <26.3
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --group dev
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m devstack

test: $(STAMP) lint typecheck
	$(BIN)/python -m pytest -n 2 --dist loadgroup

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy chalicelib app.py

bench: $(STAMP)
	$(BIN)/python -m benchmarks

package: $(STAMP)
	AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-eu-central-1} $(BIN)/chalice package --stage prod --merge-template infra/resources.json build/
	$(BIN)/cfn-lint build/sam.json

mail: $(STAMP)
	$(BIN)/python -m devstack.mailbox

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache .hypothesis
