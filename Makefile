# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test fuzz bench bench-curtois clean sample messages system-deps

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Debian packages outside the venv: a PostgreSQL server for the storage tests and Chromium for the browser
# test. Installed only when missing, with sudo only when not root.
system-deps:
	@missing=""; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || missing="$$missing postgresql"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
		sudo=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
		echo "Installing Debian packages:$$missing"; \
		$$sudo apt-get update -q && \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	fi

# Open to whoever reaches the page (no accounts needed) — so bound to this computer only.
run: system-deps $(STAMP)
	PLANNER_OPEN=1 $(BIN)/streamlit run app.py --server.address 127.0.0.1

test: system-deps $(STAMP)
	$(BIN)/ruff check planner bench tests ui app.py
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

# The property tests of bad input with 10,000 examples each instead of the few that `make test` runs.
fuzz: $(STAMP)
	PLANNER_FUZZ_EXAMPLES=10000 $(BIN)/python -m pytest -q -m fuzz

bench: $(STAMP)
	$(BIN)/python -m bench.roster_bench
	$(BIN)/python -m bench.breaks_bench
	$(BIN)/python -m bench.forecast_bench
	$(BIN)/python -m bench.page_bench
	$(BIN)/python -m bench.load_bench
	$(BIN)/python -m bench.replace_bench
	$(BIN)/python -m bench.growth_bench
	$(BIN)/python -m bench.curtois

# The Curtois & Qu table alone (instances 1-15, 60 s each: about 13 minutes).
bench-curtois: $(STAMP)
	$(BIN)/python -m bench.curtois

# Texts marked _("…"), ngettext(…) or N_("…") -> planner/locale/planner.pot -> each language's planner.po.
# Translate what the merge adds (and confirm what it marks fuzzy); tests/test_i18n.py refuses gaps.
messages: $(STAMP)
	$(BIN)/pybabel extract --no-default-keywords -k _ -k N_ -k ngettext:1,2 --add-comments=TRANSLATORS: \
		--sort-by-file --project=shift-planner --copyright-holder="the shift-planner authors" \
		-o planner/locale/planner.pot planner $(wildcard ui app.py)
	$(BIN)/pybabel update -D planner -i planner/locale/planner.pot -d planner/locale --ignore-obsolete

clean:
	rm -rf $(VENV) .pytest_cache
