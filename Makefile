# make test / make demo work on a fresh machine with python3, node/npm and root's apt.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Debian's Chromium and ChromeDriver for tests/browser (never a downloaded browser)
BROWSER := /usr/bin/chromium /usr/bin/chromedriver
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: test demo lint typecheck pytest bench clean fuzz dist docs package

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

# Debian's nginx for tests/test_docs_site.py (the deployment guide's site, started per test)
/usr/sbin/nginx:
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null

test: $(STAMP) tests/interop/node/node_modules/.package-lock.json $(BROWSER) /usr/bin/redis-server \
		/usr/sbin/nginx
	$(BIN)/ruff check .
	$(BIN)/mypy eidgate adapters/eidgate_adapters
	$(BIN)/python -m coverage erase
	$(BIN)/python -m coverage run -m pytest -q
	$(BIN)/python -m coverage combine -q
	$(BIN)/python -m coverage json -q -o coverage.json
	$(BIN)/python .ci/coverage_floor.py coverage.json --lines 92 --branches 85
	$(MAKE) --no-print-directory docs package

# make demo needs only the runtime and the flask extra, in a venv of its own: on a fresh
# machine it serves its page within seconds, not after the whole development toolchain
DEMO_VENV := .venv-demo
DEMO_STAMP := $(DEMO_VENV)/.installed

$(DEMO_STAMP): pyproject.toml
	$(PYTHON) -m venv $(DEMO_VENV)
	$(DEMO_VENV)/bin/python -m pip install -q --disable-pip-version-check -e ".[flask]"
	touch $@

demo: $(DEMO_STAMP)
	$(DEMO_VENV)/bin/python examples/demo.py

# make dist: the sdist and the wheel in dist/, checked (twine check, and what the wheel
# must hold: both packages, both py.typed, the sandbox, the pytest plugin, the licence)
dist: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build -q -o dist . >/dev/null
	$(BIN)/twine check --strict dist/*
	$(BIN)/python tests/package/check_dist.py dist

# make package: the built wheel installed into a fresh venv (no checkout on its path) and a
# small user project (a Flask app, a FastAPI app, the pytest plugin) tested against it
package: dist
	$(BIN)/python tests/package/run.py dist

# make docs: the documentation site (MkDocs, Material, mkdocstrings), warnings are errors
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir site

bench: $(STAMP)
	$(BIN)/python benchmarks/login_cpu.py
	$(BIN)/python benchmarks/normalize.py
	$(BIN)/python benchmarks/sandbox_login.py
	$(BIN)/python benchmarks/protected_route.py

clean:
	rm -rf $(VENV) $(DEMO_VENV) .mypy_cache .ruff_cache .pytest_cache dist site

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
