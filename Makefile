# One entry point on a fresh machine (Python 3.11, Node/npm, git, make):
#   make run    set up, migrate, start everything (Ctrl-C stops it all)
#   make dev    the same, with the portal reloading on every saved file
#   make test   set up, then the whole test suite (browser tests included)
#   make bench  every benchmark under bench/, figures in bench/results/
# Each set-up step is skipped when a stamp keyed on its inputs' hash exists.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

ROOT := $(CURDIR)
PYTHON ?= python3
VENV := $(ROOT)/.venv
STAMPS := $(ROOT)/.cache/stamps

# The offline Reflex environment: Node 22 and bun from tools/js first on PATH,
# no telemetry, no version check, one npm registry, caches inside the checkout.
export PATH := $(ROOT)/tools/js/node_modules/.bin:$(VENV)/bin:$(PATH)
export VIRTUAL_ENV := $(VENV)
export REFLEX_USE_SYSTEM_BUN := 1
export REFLEX_TELEMETRY_ENABLED := false
export REFLEX_CHECK_LATEST_VERSION := 0
export DO_NOT_TRACK := 1
export NPM_CONFIG_REGISTRY := https://registry.npmjs.org
export REFLEX_DIR := $(ROOT)/.cache/reflex
export BUN_INSTALL_CACHE_DIR := $(ROOT)/.cache/bun

hash = $(shell cat $(1) | sha256sum | cut -c1-16)

.PHONY: run dev test bench setup setup-dev venv python-deps python-dev-deps js-tools chromium migrate

run: setup migrate
	exec python -m runtime.launcher

dev: setup migrate
	exec python -m runtime.launcher --dev

test: setup-dev chromium migrate
	python -m pytest -q

bench: setup-dev migrate
	@set -e; for file in bench/bench_*.py; do \
		name=$$(basename $$file .py); \
		echo "== $$name"; \
		python -m bench.$$name; \
	done

setup: python-deps js-tools
setup-dev: python-dev-deps js-tools

venv:
	@[ -x $(VENV)/bin/python ] || $(PYTHON) -m venv $(VENV)

python-deps: venv
	@stamp=$(STAMPS)/pip-$(call hash,requirements.txt); \
	if [ ! -f $$stamp ]; then \
		$(VENV)/bin/python -m pip install -q -r requirements.txt; \
		mkdir -p $(STAMPS) && touch $$stamp; \
	fi

python-dev-deps: venv
	@stamp=$(STAMPS)/pip-dev-$(call hash,requirements.txt requirements-dev.txt); \
	if [ ! -f $$stamp ]; then \
		$(VENV)/bin/python -m pip install -q -r requirements-dev.txt; \
		mkdir -p $(STAMPS) && touch $$stamp; \
	fi

js-tools:
	@stamp=$(STAMPS)/npm-$(call hash,tools/js/package-lock.json); \
	if [ ! -f $$stamp ] || [ ! -x tools/js/node_modules/.bin/bun ]; then \
		npm ci --prefix tools/js --no-audit --no-fund --loglevel=error; \
		mkdir -p $(STAMPS) && touch $$stamp; \
	fi

# Debian's chromium drives the browser tests; never a browser build of its own.
chromium:
	@if ! command -v chromium >/dev/null; then \
		sudo_cmd=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$sudo_cmd apt-get update -qq; \
		$$sudo_cmd apt-get install -y -qq chromium; \
	fi

migrate:
	alembic upgrade head
