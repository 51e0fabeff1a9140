# Paperboy developer commands. Every target works on a fresh clone: it creates .venv first.
#   make run     the whole site (paperboy up)
#   make test    ruff + the suite on SQLite and on PostgreSQL, browser tests included
#   make check   exactly what CI (.ci/run) runs

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# A skipped test fails the run: every test must run on both databases and in Chromium.
PYTEST := PAPERBOY_NO_SKIPS=1 $(BIN)/pytest

.PHONY: venv run test check lint test-sqlite test-postgres clean

venv: $(STAMP)

# Reinstalls only when pyproject.toml changes; an existing .venv on Python >= 3.12 is kept.
$(STAMP): pyproject.toml
	@set -e; \
	ok() { "$$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; }; \
	if ! ok $(BIN)/python; then \
		py=""; \
		pyenv_root=$$(pyenv root 2>/dev/null || echo "$$HOME/.pyenv"); \
		for c in "$${PYTHON:-}" python3.13 python3.12 \
			$$(ls -d "$$pyenv_root"/versions/3.1[23]*/bin/python 2>/dev/null | sort -rV); do \
			if [ -n "$$c" ] && ok "$$c"; then py="$$c"; break; fi; \
		done; \
		if [ -z "$$py" ]; then \
			echo "make venv: no Python >= 3.12 found (tried \$$PYTHON, python3.13, python3.12, pyenv); set PYTHON=/path/to/python3.12" >&2; \
			exit 1; \
		fi; \
		echo "make venv: creating $(VENV) with $$py"; \
		rm -rf $(VENV); \
		"$$py" -m venv $(VENV); \
	fi; \
	$(BIN)/python -m pip install -q -e '.[dev]'; \
	touch $@

run: venv
	$(BIN)/paperboy up

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test-sqlite: venv
	$(PYTEST) -q --db=sqlite

test-postgres: venv
	$(PYTEST) -q --db=postgres

test: lint test-sqlite test-postgres

check: test

clean:
	rm -rf $(VENV)
