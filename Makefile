# Two commands matter: `make build` and `make test` (see README).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
SITE_DEPS := $(VENV)/.site-deps
DEV_DEPS  := $(VENV)/.dev-deps
export NO_MKDOCS_2_WARNING := 1

.PHONY: help build serve test lint check check-online translated approve release browser servers scan clean

## help: list these commands (from their `## target: what it does` lines)
help:
	@awk '/^## /{l=substr($$0,4); i=index(l,": "); printf "  make %-27s %s\n", substr(l,1,i-1), substr(l,i+2)}' $(MAKEFILE_LIST)

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

## servers: nginx and Caddy for the hosting tests, PostgreSQL for the receiver's (system packages)
servers: $(DEV_DEPS)
	$(PY) scripts/setup_servers.py

## check: the editors' checks and a strict build (seconds, no browser); every problem once
check: $(SITE_DEPS)
	@$(PY) scripts/check_all.py

## check-online: also fetch every external page (vendors' opt-out pages); needs internet
check-online: $(SITE_DEPS)
	$(PY) scripts/check_links.py --online

## translated PAGE=privacy.md: record that the English page now translates the current Japanese one
translated: $(SITE_DEPS)
	@test -n "$(PAGE)" || { echo "usage: make translated PAGE=privacy.md"; exit 2; }
	$(PY) scripts/check_translations.py --record $(PAGE)

## approve PAGE=privacy.md: record the English page's wording as approved by legal (its record in tests/fixtures/)
approve: $(SITE_DEPS)
	@test -n "$(PAGE)" || { echo "usage: make approve PAGE=privacy.md"; exit 2; }
	@$(PY) scripts/check_approved_text.py --approve "$(PAGE)"

## release DATE=YYYY-MM-DD [SUMMARY_JA=… SUMMARY_EN=…] [RAISE_REVISION=1]: publish the current policy as a version
release: $(SITE_DEPS)
	@test -n "$(DATE)" || { echo "usage: make release DATE=YYYY-MM-DD [SUMMARY_JA=… SUMMARY_EN=…] [RAISE_REVISION=1]"; exit 2; }
	@# SUMMARY_JA, SUMMARY_EN and RAISE_REVISION reach the script in its environment (any quotes).
	@$(PY) scripts/release.py "$(DATE)"

## lint: ruff lint and format check of the code; the GitHub workflows against GitHub's schema
lint: $(DEV_DEPS)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@# GitHub runs the workflows only once pushed: check them against GitHub's schema first.
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml

## scan: the built site in a real Chromium in every consent state; fails on anything
## consent.yml does not declare (report: site-scan.md, site-scan.json)
scan: $(DEV_DEPS) browser build
	$(PY) -m consent_widget scan site --registry consent.yml

## test: lint, then the whole suite (unit, build, browser, hosting behind nginx and Caddy)
test: $(DEV_DEPS) browser servers lint check scan
	$(PY) -m pytest

## clean: remove the built site and the test output
clean:
	rm -rf site site.* test-artifacts .pytest_cache .ruff_cache
