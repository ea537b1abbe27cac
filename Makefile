# Two commands matter: `make build` and `make test` (see README).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
SITE_DEPS := $(VENV)/.site-deps
DEV_DEPS  := $(VENV)/.dev-deps
export NO_MKDOCS_2_WARNING := 1

.PHONY: build serve test lint browser clean

# Site dependencies: pinned, reinstalled whenever a pin or the package changes.
$(SITE_DEPS): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

$(DEV_DEPS): $(SITE_DEPS) requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

## build: the site, strictly, into site/ (replaced only when the build succeeds)
build: $(SITE_DEPS)
	$(PY) scripts/build_site.py

## serve: live preview for editors at http://127.0.0.1:8000/
serve: $(SITE_DEPS)
	SITE_URL=http://127.0.0.1:8000/ $(PY) -m mkdocs serve --strict --dev-addr 127.0.0.1:8000

## browser: a Chromium for the browser tests (system package first)
browser: $(DEV_DEPS)
	$(PY) scripts/setup_browser.py

lint: $(DEV_DEPS)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## test: lint, then the whole suite (unit, build, browser)
test: $(DEV_DEPS) browser lint
	$(PY) -m pytest

clean:
	rm -rf site site.* test-artifacts .pytest_cache .ruff_cache
