# Quick start: `make build` then `make test`. Both create .venv and install the project.
# `make quick` is the loop while working: lint and every test but the slow journeys.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SUM    := $(shell cat pyproject.toml setup.py | cksum | cut -d' ' -f1)
STAMP  := $(VENV)/.installed-$(SUM)
TESTS  := $(VENV)/.installed-test-$(SUM)

.PHONY: build check test quick installed lint fuzz bench screenshots clean system-check

build: $(STAMP) system-check
	$(BIN)/python build.py --strict

check: $(STAMP)
	$(BIN)/python build.py --check --strict

# Tests run on every core (pytest-xdist), each test file on one worker so that a file's
# shared builds are made once, the longest files first (tests/conftest.py's LONGEST_FIRST,
# kept in that order by --no-loadscope-reorder); PYTEST_WORKERS=0 runs them one at a time.
PYTEST_WORKERS ?= auto
PARALLEL := -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder

# The whole suite, the slow journeys included: among them tests/test_installed_tool.py,
# the wheel installed without extras in a fresh venv, run on a big deck outside the repository.
test: $(TESTS) system-check lint
	$(BIN)/python -m pytest $(PARALLEL)

# Quick: the fuzzed properties with fewer examples each (make test: 150, make fuzz: 20,000).
# Lint and types are checked alongside the tests, their report printed after the tests'.
quick: $(TESTS) system-check
	@$(MAKE) --no-print-directory lint > $(VENV)/.quick-lint.log 2>&1 & linting=$$!; \
	CARDPRESS_FUZZ_EXAMPLES=$${CARDPRESS_FUZZ_EXAMPLES:-40} $(BIN)/python -m pytest -q -m 'not slow' $(PARALLEL); \
	tested=$$?; wait $$linting; linted=$$?; cat $(VENV)/.quick-lint.log; \
	test $$tested = 0 && test $$linted = 0

# The installed-tool check alone (also part of `make test`).
installed: $(TESTS) system-check
	$(BIN)/python -m tests.support.installed_tool

lint: $(TESTS)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy cardpress tests

fuzz: $(TESTS)
	CARDPRESS_FUZZ_EXAMPLES=20000 $(BIN)/python -m pytest tests/parse/test_fuzz.py -q

bench: $(TESTS) system-check
	$(BIN)/python bench/run.py

# `make build` installs what building needs; the test extra (Anki, a browser driver,
# linters) comes with the first `make test`.
$(STAMP):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "cardpress needs Python 3.11 or newer (found: $$($(PYTHON) --version))"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || \
		{ echo "Python's venv module is missing. Install it with:"; \
		  echo "  sudo apt-get install -y python3-venv"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@rm -f $(VENV)/.installed-*
	@touch $@

$(TESTS): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

# WeasyPrint needs Pango from the system; say exactly how to get it. Fonts for other
# scripts are not required, but without them the PDF prints boxes: say so.
FONTS := fonts-dejavu-core fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji
system-check:
	@$(BIN)/python -c 'import ctypes.util, sys; sys.exit(ctypes.util.find_library("pango-1.0") is None)' || \
		{ echo "WeasyPrint needs Pango and fonts. Install them with:"; \
		  echo "  sudo apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 fontconfig $(FONTS)"; exit 1; }
	@test -n "$$(fc-list ':charset=4e2d' family 2>/dev/null)" && \
	 test -n "$$(fc-list ':charset=1f600' family 2>/dev/null)" || \
		{ echo "note: no font for Chinese, Japanese, Korean or emoji: the PDF prints boxes for them."; \
		  echo "  sudo apt-get install -y fontconfig $(FONTS)"; }

screenshots: $(TESTS) system-check
	$(BIN)/python -m tests.support.html_support

clean:
	rm -rf dist .pytest_cache .mypy_cache .ruff_cache
