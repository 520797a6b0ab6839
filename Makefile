# Two entry points that work on a fresh machine: `make app` and `make test`.
# `make check` is the fast loop: lint and every test that needs no camera model, no shared data,
# no browser and no long run (tests/conftest.py lists the markers).
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium

.PHONY: app test check lint

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# Debian's Chromium drives the browser tests (Playwright's own browser download is not used).
$(CHROMIUM):
	apt-get update -qq && apt-get install -y -qq chromium

app: $(STAMP)
	$(BIN)/streamlit run streamlit_app.py --server.address 127.0.0.1 --server.headless true --browser.gatherUsageStats false

test: $(STAMP) $(CHROMIUM)
	$(BIN)/ruff check .
	$(BIN)/pytest

check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest -q -m "not (model or shared or browser or slow)"

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
