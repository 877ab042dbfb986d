# The two commands of the contract: `make run` and `make test`. Everything else is a convenience.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DAGSTER_HOME ?= $(CURDIR)/data/dagster_home

.PHONY: run test demo bench venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

run: venv
	@bash scripts/run.sh

test: venv
	$(BIN)/python -m pytest -n 2 --dist loadfile -q

demo: venv
	$(BIN)/amazon-netsuite sync --days 35

bench: venv
	$(BIN)/python bench/run.py $(NAME)

clean:
	rm -rf data/warehouse.duckdb* data/sandbox data/dagster_home data/reports
