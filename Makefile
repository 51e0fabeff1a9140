# Paperboy developer commands. Every target works on a fresh clone: it creates .venv first.
#   make run     the whole site (paperboy up); installs the runtime only
#   make test    ruff + the suite on SQLite and on PostgreSQL, browser tests included; adds the
#                development tools
#   make check   exactly what CI (.ci/run) runs
#   make lock    regenerate requirements.lock / requirements-dev.lock after editing pyproject.toml
#
# Installs come from the lock files: every package, indirect ones included, at the version
# pinned there (`--no-deps`, then `pip check`), so a checkout installs what CI tested.

VENV := .venv
BIN := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
# pip-compile runs from a venv of its own: the project's venvs never carry it.
LOCK_VENV := $(VENV)/lock-tools
PIP_TOOLS := pip-tools==7.6.2
# A skipped test fails the run: every test must run on both databases and in Chromium.
PYTEST := PAPERBOY_NO_SKIPS=1 $(BIN)/pytest

.PHONY: venv venv-dev run test check lint test-sqlite test-postgres lock clean

# $(call python_venv,DIR): make DIR a venv on Python >= 3.12 (an existing one is kept).
define python_venv
	@set -e; \
	ok() { "$$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; }; \
	if ! ok $(1)/bin/python; then \
		py=""; \
		pyenv_root=$$(pyenv root 2>/dev/null || echo "$$HOME/.pyenv"); \
		for c in "$${PYTHON:-}" python3.13 python3.12 \
			$$(ls -d "$$pyenv_root"/versions/3.1[23]*/bin/python 2>/dev/null | sort -rV); do \
			if [ -n "$$c" ] && ok "$$c"; then py="$$c"; break; fi; \
		done; \
		if [ -z "$$py" ]; then \
			echo "make: no Python >= 3.12 found (tried \$$PYTHON, python3.13, python3.12, pyenv); set PYTHON=/path/to/python3.12" >&2; \
			exit 1; \
		fi; \
		echo "make: creating $(1) with $$py"; \
		rm -rf $(1); \
		"$$py" -m venv $(1); \
	fi
endef

venv: $(RUNTIME_STAMP)
venv-dev: $(DEV_STAMP)

# Reinstalls only when a lock file or pyproject.toml changes.
$(RUNTIME_STAMP): $(LOCK) pyproject.toml
	$(call python_venv,$(VENV))
	$(BIN)/python -m pip install -q --no-deps -r $(LOCK) -e .
	$(BIN)/python -m pip check
	touch $@

# The development lock holds the runtime's pins too: a dev venv is also a runtime venv.
$(DEV_STAMP): $(DEV_LOCK) $(LOCK) pyproject.toml
	$(call python_venv,$(VENV))
	$(BIN)/python -m pip install -q --no-deps -r $(DEV_LOCK) -e .
	$(BIN)/python -m pip check
	touch $@ $(RUNTIME_STAMP)

run: venv
	$(BIN)/paperboy up

lint: venv-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test-sqlite: venv-dev
	$(PYTEST) -q --db=sqlite

test-postgres: venv-dev
	$(PYTEST) -q --db=postgres

test: lint test-sqlite test-postgres

check: test

# Pins kept where pyproject.toml still allows them (pip-compile's rule); the runtime lock is
# resolved within the development lock, so the two never disagree. The suite's
# paperboy/lib/tests/test_lock.py checks that both match pyproject.toml.
lock:
	$(call python_venv,$(LOCK_VENV))
	$(LOCK_VENV)/bin/python -m pip install -q $(PIP_TOOLS)
	$(LOCK_VENV)/bin/pip-compile -q --extra dev --strip-extras --no-emit-find-links \
		--no-emit-index-url -o $(DEV_LOCK) pyproject.toml
	$(LOCK_VENV)/bin/pip-compile -q --strip-extras --no-emit-find-links --no-emit-index-url \
		-c $(DEV_LOCK) -o $(LOCK) pyproject.toml

clean:
	rm -rf $(VENV)
