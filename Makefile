# Two commands do everything on a fresh machine with Python 3.11:
#   make run   install what is needed and start the app on the embedded sample data
#   make test  install what is needed (Python packages, Chromium, PostgreSQL) and run every test
#   make serve the same app served to a team: sign-in required (see README)
#   make flake every browser-test module 3 times in a row, then once on each other Chromium
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run serve test flake lint bench screenshots system-deps clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m streamlit run app.py

# For a shared server: sign-in required, a stated address, safe settings (scripts/serve.sh)
serve: $(STAMP)
	PY=$(PY) bash scripts/serve.sh

system-deps:
	bash scripts/system_deps.sh

test: $(STAMP) system-deps
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports
	$(PY) -m pytest

# A browser test that fails once in three runs is a failing test (CI runs this after `test`)
flake: $(STAMP) system-deps
	PY=$(PY) bash scripts/flake_check.sh

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

screenshots: $(STAMP) system-deps
	SOP_UPDATE_SCREENSHOTS=1 $(PY) -m pytest -q -m e2e tests

bench: $(STAMP)
	$(PY) benchmarks/plan_speed.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis artifacts
