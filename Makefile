# Every target creates .venv when it is missing and installs the project with its extras.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test demo lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml examples/connector-example/pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[all,test]'
	$(BIN)/python -m pip install --quiet -e examples/connector-example
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -p no:cacheprovider -q

demo: $(STAMP)
	$(BIN)/python examples/quickstart/run_demo.py

lint: $(STAMP)
	$(BIN)/ruff check src connectors tests examples benchmarks
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/salesforce_calls.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
