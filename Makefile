# Two set-up commands (README): `make demo` and `make test`. Both create .venv on first use and
# reuse it afterwards (the stamp file is refreshed only when pyproject.toml changes).
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -ec
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.anestools-installed
EXTRAS ?= train,dev
# Hide pip's warnings about optional local index folders; keep real errors.
PIPFILTER := sed -e "/is ignored: it is neither a file nor a directory/d"

.PHONY: install demo test lint bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing anestools[$(EXTRAS)] into $(VENV) (first run downloads torch and LLaMA-Factory)"
	$(BIN)/python -m pip install -q --upgrade pip 2>&1 | $(PIPFILTER)
	$(BIN)/python -m pip install -q -e ".[$(EXTRAS)]" 2>&1 | $(PIPFILTER)
	@$(BIN)/python -c "import anestools, llamafactory, datatrove" >/dev/null
	@touch $(STAMP)

demo: install
	$(BIN)/anestools demo

test: install
	$(BIN)/python -m pytest -q tests

lint: install
	$(BIN)/ruff check anestools tests scripts

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
