# Two commands on a fresh machine: `make run` and `make test` (see README).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
export PYTHONPATH := $(CURDIR)
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
# The stamp names the lock's hash: an unchanged lock means nothing to install.
LOCK_HASH := $(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-16)
STAMP := $(VENV)/.installed-$(LOCK_HASH)

.PHONY: install train run test lint validate doctor nlu-report nlu-cv reload-catalog bench clean

install: $(STAMP)

$(STAMP):
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip==24.3.1"
	@# Rasa 3.6 declares Python <3.11 but runs on 3.11: the lock pins every
	@# package, so installing it without dependency resolution is exact (README).
	$(PY) -m pip install --quiet --no-deps --ignore-requires-python -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	@rm -f $(VENV)/.installed-*
	@touch $@

train: install
	$(PY) -m stack.train

run: install train
	$(PY) -m stack.up

lint: install
	$(VENV)/bin/ruff check .

# Domain, NLU and stories checked by Rasa itself: all turns, then the last 5
# (where a bounded history would confuse two stories).
validate: install
	$(VENV)/bin/rasa data validate --domain domain --data nlu stories
	$(VENV)/bin/rasa data validate stories --max-history 5 --domain domain --data nlu stories

test: install train lint validate
	$(VENV)/bin/pytest

doctor: install
	$(PY) -m stack.doctor

nlu-report: install train
	$(PY) -m stack.nlu_report --out results

# About 25 minutes: 3 trainings per pipeline (see BENCHMARKS.md).
nlu-cv: install
	$(PY) -m bench.nlu_cv

reload-catalog: install
	$(PY) -m cnam.orientation.catalog check

bench: install train
	$(PY) -m bench.run

clean:
	rm -rf models results .pytest_cache .ruff_cache
