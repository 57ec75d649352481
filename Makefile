# Two commands do everything: `make demo` and `make test`. Each builds .venv when it is missing
# or older than pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# `make test LINT=` runs the tests without ruff (e.g. before the tree has been formatted).
LINT ?= lint
# Test processes (pytest-xdist), each taking whole files, so a module's shared portal stays one.
# Most tests spend more time waiting (on a portal, a terminal, a retry's backoff) than computing:
# on two cores, with three processes the cores were busy 58 % of the time; a fourth fills more of
# the waits (254 s -> 239 s for the whole run, one after the other on this machine). The files keep
# the order tests/conftest.py gives them (the slow ones first), not xdist's (most tests first),
# so no long file starts last. `PYTEST_WORKERS=0` runs in one process.
PYTEST_WORKERS ?= 4

.PHONY: demo test bench lint clean

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

# The tests clean up after themselves; the run's own temporary folder (pytest's tmp_path base,
# anything a crashed process left) goes too, so a run leaves nothing in /tmp.
test: $(STAMP) $(LINT)
	@scratch=$$(mktemp -d -t msp-tickets-test.XXXXXX) && trap 'rm -rf "$$scratch"' EXIT && \
	TMPDIR="$$scratch" $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
