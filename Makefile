# Two commands matter: `make build` and `make test` (see README).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
SITE_DEPS := $(VENV)/.site-deps
DEV_DEPS  := $(VENV)/.dev-deps
export NO_MKDOCS_2_WARNING := 1

.PHONY: build serve test lint check check-online translated browser clean

# Site dependencies: pinned, reinstalled whenever a pin or the package changes.
$(SITE_DEPS): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@# Editable: code changes apply without reinstalling (setuptools warns about that; expected).
	PYTHONWARNINGS=ignore $(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
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

## browser: a Chromium and a Firefox for the browser tests (system packages first)
browser: $(DEV_DEPS)
	$(PY) scripts/setup_browser.py

## check: the editors' checks (seconds, no browser); all run, every problem is listed
check: $(SITE_DEPS)
	@status=0; \
	$(PY) scripts/check_translations.py || status=1; \
	$(PY) scripts/check_glossary.py || status=1; \
	$(PY) scripts/check_registry.py || status=1; \
	$(PY) scripts/check_links.py || status=1; \
	out=$$(mktemp -d); \
	$(PY) scripts/build_site.py --site-dir $$out/site > $$out/log 2>&1 \
	  || { grep -v '^INFO' $$out/log; status=1; }; \
	rm -rf $$out; \
	if [ $$status -eq 0 ]; then echo "build: OK (strict: internal links, anchors, translations)"; fi; \
	exit $$status

## check-online: also fetch every external page (vendors' opt-out pages); needs internet
check-online: $(SITE_DEPS)
	$(PY) scripts/check_links.py --online

## translated PAGE=privacy.md: record that the English page now translates the current Japanese one
translated: $(SITE_DEPS)
	@test -n "$(PAGE)" || { echo "usage: make translated PAGE=privacy.md"; exit 2; }
	$(PY) scripts/check_translations.py --record $(PAGE)

lint: $(DEV_DEPS)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## test: lint, then the whole suite (unit, build, browser)
test: $(DEV_DEPS) browser lint check
	$(PY) -m pytest

clean:
	rm -rf site site.* test-artifacts .pytest_cache .ruff_cache
