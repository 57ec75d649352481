# Two commands do everything: `make demo` and `make test`. Each builds .venv when it is missing
# or older than pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# `make test LINT=` runs the tests without ruff (e.g. before the tree has been formatted).
LINT ?= lint

.PHONY: demo test bench lint installed clean

# The reference portal is an extra (`msp-tickets[server]`): the demo and the tests run it.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[server,test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/msp-tickets --demo

# The import-linter contracts are a test (tests/test_layers.py), so they run once, with pytest.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: $(STAMP) $(LINT)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
