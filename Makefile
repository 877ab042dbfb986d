# The two commands of the contract: `make run` and `make test`. Everything else is a convenience.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DAGSTER_HOME ?= $(CURDIR)/data/dagster_home

.PHONY: run test test-daemon test-books test-dates demo bench venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

run: venv
	@bash scripts/run.sh

# The suite, two workers, files in collection order (xdist otherwise starts the biggest first). The daemon test
# (four to six minutes of the real dagster-daemon ticking) has its own target, which `.ci/run` runs next: beside the
# suite it slowed both past the 10-minute budget of `make test` on this 2-core machine.
DAEMON_TEST := amazon_netsuite_tests/defs/test_automation_daemon.py
test: venv
	$(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder -q --ignore=$(DAEMON_TEST)

# Unattended, proven: the real daemon over a fresh DAGSTER_HOME and the sandbox, nothing launched but the hourly
# report request (its figures print at the end).
test-daemon: venv
	$(BIN)/python -m pytest -q -s -p no:cacheprovider $(DAEMON_TEST)

# The flows end to end over weeks of the sandbox world (returns, shipments): a minute or more each, which beside the
# rest pushed `make test` to 570 s of its 600 on this machine; `.ci/run` runs them, and `make test-dates` with the rest.
test-world: venv
	$(BIN)/python -m pytest -n 2 --dist loadfile -q -m world

# The books after the demo, proven by NetSuite's trial balance: the demo (35 days of US, CA and DE) in each posting
# configuration, a month ending inside a settlement, and every refund of 16 demo days in NetSuite once; a minute or
# more each, so `make test` leaves them out and `.ci/run` runs them.
test-books: venv
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q -m books

# The suite again with the process clock moved by libfaketime (Debian's faketime, installed if missing) to a month
# end at 23:40 UTC, the next EU daylight-saving change, 31 December 23:30 UTC and an ordinary day at 00:03 UTC
# (scripts/shifted_dates.py).
test-dates: venv
	@command -v faketime >/dev/null || (apt-get update -qq && apt-get install -y -qq faketime >/dev/null)
	@# An offset, not an absolute "@" time: libfaketime restarts an absolute clock in every new process, and the
	@# daemon, its code servers and its runs must share one clock.
	@$(BIN)/python scripts/shifted_dates.py | while IFS='|' read -r tz instant; do \
	  offset=$$(( $$(TZ=$$tz date -d "$$instant" +%s) - $$(date +%s) )); \
	  echo "== the suite with the clock at $$instant ($$tz), $$offset s ahead"; \
	  TZ=$$tz faketime -f "+$$offset" $(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder -q -p no:cacheprovider -m 'not books' || exit 1; \
	done

demo: venv
	$(BIN)/amazon-netsuite sync --days 35

bench: venv
	$(BIN)/python -m bench.run $(NAME)

clean:
	rm -rf data/warehouse.duckdb* data/sandbox data/dagster_home data/reports
