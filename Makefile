# multivector: the two commands of the README.
#   make run    set up .venv and run the default scenario (plots + tables under results/)
#   make test   set up .venv, lint and type-check, and run the whole test suite (CI calls this)
#   make lint   set up .venv and run the linter (ruff) and the type checker (mypy) only
#   make ui     set up .venv and serve the classroom web page (PORT=8765 HOST=127.0.0.1)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test venv clean assets ui lint

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# The model's compiled kernels, cached on disk by numba. numba keys a function's cache on its
# own file only, not on the kernels it calls in other modules, so any change to a kernel module
# clears the whole cache before compiling again (about a minute, once).
KERNELS := $(VENV)/.kernels
KERNEL_SRC := $(wildcard sim/rules/*.py) sim/period.py sim/recorder.py sim/outcomes.py
$(KERNELS): $(STAMP) $(KERNEL_SRC)
	@find sim -name '*.nbi' -delete -o -name '*.nbc' -delete
	@echo "compiling the model's kernels once (numba, cached on disk; about a minute)"
	@$(PY) -c "from sim.runner import run; run('scenarios/baseline.yaml')" >/dev/null
	@touch $(KERNELS)

venv: $(KERNELS)

run: $(KERNELS)
	$(PY) run_sim.py run scenarios/baseline.yaml $(ARGS)

test: $(KERNELS) assets lint
	$(PY) -m pytest $(PYTEST_ARGS)

# Lint (ruff) and type checks (mypy); configured in pyproject.toml. Fails on any finding.
lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

# Browser assets of the web page (Solara's CDN packages, via npm) into .cache/solara-assets;
# quick when present. Without npm the page falls back to the CDN (needs internet).
assets: $(STAMP)
	@$(PY) -m sim.ui.assets || echo "warning: browser assets not cached; the web page will need internet"

PORT ?= 8765
HOST ?= 127.0.0.1
ui: $(KERNELS) assets
	$(PY) run_sim.py ui --port $(PORT) --host $(HOST)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
