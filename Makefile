# The two commands a newcomer needs. Both set up the toolchain first (Node 22, dependencies), idempotently.
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help setup start test test-unit test-e2e

help:
	@echo "make start   run the portal on http://localhost:3000 (backend on :7007) with the embedded defaults"
	@echo "make test    type check, lint and run every test suite; ends with 'N passed, N failed'"

setup:
	@bash scripts/bootstrap.sh

start: setup
	@bash scripts/start.sh

test: setup
	@bash scripts/test.sh

test-unit: setup
	@bash scripts/test.sh --only unit

test-e2e: setup
	@bash scripts/test.sh --only e2e
