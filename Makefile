# Heron — `make run` to try it, `make test` to check it. `make help` lists every target.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help run demo test check format bench docs screenshots clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml clients/flask/pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Heron needs Python 3.11 ($(PYTHON) not found)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]' -e clients/flask
	touch $(STAMP)

run: $(STAMP) ## Install, migrate, create the admin and a demo project, and serve Heron on SQLite at :8000
	$(BIN)/heron bootstrap
	$(BIN)/heron serve

DEMO_SECONDS ?= 60
demo: $(STAMP) ## Send a minute (DEMO_SECONDS) of traffic from examples/fieldsprout to the Heron of `make run`
	$(BIN)/python examples/fieldsprout/demo.py --duration $(DEMO_SECONDS)

test: $(STAMP) check ## Install, run the static checks, then the whole test suite
	tests/setup.sh
	$(BIN)/pytest

check: $(STAMP) ## ruff format --check, ruff check, mypy
	$(BIN)/ruff format --check src tests bench clients/flask examples
	$(BIN)/ruff check src tests bench clients/flask examples
	$(BIN)/mypy

format: $(STAMP) ## Format and autofix the code
	$(BIN)/ruff format src tests bench clients/flask examples
	$(BIN)/ruff check --fix src tests bench clients/flask examples

bench: $(STAMP) ## Run the ingest benchmark (prints events/s, latency percentiles, RSS)
	$(BIN)/python bench/ingest.py

docs: $(STAMP) ## Regenerate docs/settings.md and docs/cli.md from the code
	$(BIN)/python -m heron.docs

screenshots: $(STAMP) ## Retake the README's PNGs in docs/screenshots/ (stream and issue, light and dark) in Chromium
	$(BIN)/python docs/screenshots/take.py

clean: ## Remove the virtualenv and caches (not your data in heron-data/)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis tests/node/node_modules
