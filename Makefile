# make test / make demo work on a fresh machine with python3, node/npm and root's apt.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test demo lint typecheck pytest bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q --disable-pip-version-check -e ".[dev]"
	touch $(STAMP)

tests/interop/node/node_modules/.package-lock.json: tests/interop/node/package-lock.json
	cd tests/interop/node && npm ci --no-audit --no-fund --loglevel=error

test: $(STAMP) tests/interop/node/node_modules/.package-lock.json
	$(BIN)/ruff check .
	$(BIN)/mypy eidgate adapters/eidgate_adapters
	$(BIN)/python -m pytest -q

demo: $(STAMP)
	$(BIN)/python examples/demo.py

bench: $(STAMP)
	$(BIN)/python benchmarks/login_cpu.py
	$(BIN)/python benchmarks/normalize.py
	$(BIN)/python benchmarks/sandbox_login.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
