# Two commands for a fresh machine: `make demo` (main job: the Kalundborg scenario and its
# figure, E10 at quick size, all under results/ so the committed full figures/ stay as they
# are) and `make test` (lint and the whole test suite).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean-env refit

$(STAMP): pyproject.toml
	@set -e; \
	base=$$(bash scripts/find_python.sh); \
	if [ ! -x $(PY) ]; then \
	  if "$$base" -m uv --version >/dev/null 2>&1; then "$$base" -m uv venv -q --python "$$base" $(VENV); \
	  else "$$base" -m venv $(VENV); fi; \
	fi; \
	if ! $(PY) -m uv --version >/dev/null 2>&1 && ! "$$base" -m uv --version >/dev/null 2>&1; then \
	  "$$base" -m pip install -q --user uv >/dev/null 2>&1 || true; \
	fi; \
	if "$$base" -m uv --version >/dev/null 2>&1; then \
	  "$$base" -m uv pip install -q --python $(PY) -e '.[all,dev]'; \
	else \
	  $(PY) -m ensurepip -q >/dev/null 2>&1 || true; \
	  $(PY) -m pip install -q -e '.[all,dev]'; \
	fi; \
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/trustsim run kalundborg --seed 1 --out results/kalundborg
	$(VENV)/bin/trustsim figures --quick --only E10 --out results/kalundborg/figures

# Refit the packaged Kalundborg calibration (ABC-SMC, trustsim[calibrate]) and the scenario
# digest it changes; the fit's files stay in results/calibration.
refit: $(STAMP)
	$(VENV)/bin/trustsim calibrate kalundborg --out results/calibration --population 120 --generations 6 --workers 2
	cp results/calibration/kalundborg_calibration.toml trustsim/park/scenarios/kalundborg_calibration.toml
	$(PY) scripts/model_digest.py --write

test: $(STAMP)
	@bash scripts/install_browser.sh $(PY) || echo "warning: could not install Chromium and Solara's front-end files; the browser tests will be skipped"
	$(VENV)/bin/ruff check trustsim tests scripts
	MPLBACKEND=Agg $(VENV)/bin/python -m pytest -q -n auto --dist loadfile

lint: $(STAMP)
	$(VENV)/bin/ruff check trustsim tests scripts

bench: $(STAMP)
	$(PY) scripts/bench_kernel.py
	$(PY) scripts/bench_evolution.py
	$(PY) scripts/bench_model.py
	$(PY) scripts/bench_runner.py

clean-env:
	rm -rf $(VENV)
