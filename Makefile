# Two commands do everything: `make demo` and `make test`. Each builds .venv when it is missing
# or older than pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/msp-tickets --demo

lint: $(STAMP)
	$(BIN)/lint-imports

# The tests clean up after themselves; the run's own temporary folder (pytest's tmp_path base,
# anything a crashed process left) goes too, so a run leaves nothing in /tmp.
test: $(STAMP)
	$(BIN)/lint-imports
	@scratch=$$(mktemp -d -t msp-tickets-test.XXXXXX) && trap 'rm -rf "$$scratch"' EXIT && \
	TMPDIR="$$scratch" $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
