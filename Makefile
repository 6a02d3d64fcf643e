# make test / make demo work on a fresh machine with python3, node/npm and root's apt.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Debian's Chromium and ChromeDriver for tests/browser (never a downloaded browser)
BROWSER := /usr/bin/chromium /usr/bin/chromedriver
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: test demo lint typecheck pytest bench clean fuzz

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q --disable-pip-version-check -e ".[dev]"
	touch $(STAMP)

tests/interop/node/node_modules/.package-lock.json: tests/interop/node/package-lock.json
	cd tests/interop/node && npm ci --no-audit --no-fund --loglevel=error

# installed only when missing (a grouped target: one apt-get run for both files)
$(BROWSER) &:
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver \
		>/dev/null

# Debian's Redis for tests/redis (tests/redis_server.py starts its own on a free port)
/usr/bin/redis-server:
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null

test: $(STAMP) tests/interop/node/node_modules/.package-lock.json $(BROWSER) /usr/bin/redis-server
	$(BIN)/ruff check .
	$(BIN)/mypy eidgate adapters/eidgate_adapters
	$(BIN)/python -m coverage erase
	$(BIN)/python -m coverage run -m pytest -q
	$(BIN)/python -m coverage combine -q
	$(BIN)/python -m coverage json -q -o coverage.json
	$(BIN)/python .ci/coverage_floor.py coverage.json --lines 92 --branches 85

demo: $(STAMP)
	$(BIN)/python examples/demo.py

bench: $(STAMP)
	$(BIN)/python benchmarks/login_cpu.py
	$(BIN)/python benchmarks/normalize.py
	$(BIN)/python benchmarks/sandbox_login.py
	$(BIN)/python benchmarks/protected_route.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache

# make fuzz: coverage-guided fuzzing (atheris) of every parser that sees outside input, one
# harness at a time for FUZZ_SECONDS each (FUZZ_HARNESS names one or several; default all).
# make test replays the corpus (tests/fuzz/corpus) and a fixed-seed mutation of it instead.
FUZZ_SECONDS ?= 60
FUZZ_HARNESS ?= all

$(VENV)/.fuzz-installed: $(STAMP)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e ".[dev,fuzz]"
	touch $@

fuzz: $(VENV)/.fuzz-installed
	$(BIN)/python tests/fuzz/run.py --seconds $(FUZZ_SECONDS) $(FUZZ_HARNESS)
