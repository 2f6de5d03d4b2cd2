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

.PHONY: install demo test test-cluster lint bench clean sglang-env rl-env

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

test: install rl-env
	$(BIN)/python -m pytest -q -m "not cluster" tests

# The `cluster` tests on real schedulers: a one-node Slurm cluster (Debian's slurm-wlm + munge,
# installed with apt when missing: needs root) and a local Ray cluster (the `ray` extra), started
# by scripts/cluster/with-clusters.sh and always torn down, also on failure or Ctrl-C.
test-cluster: install
	@$(BIN)/python -c "import ray" 2>/dev/null || { echo "installing anestools[ray] into $(VENV)"; \
		$(BIN)/python -m pip install -q -e ".[ray]" 2>&1 | $(PIPFILTER); }
	PATH="$(abspath $(BIN)):$$PATH" scripts/cluster/with-clusters.sh $(BIN)/python -m pytest -q -m cluster tests/cluster

lint: install
	$(BIN)/ruff check anestools tests scripts

# SGLang's and sglang-router's own argument parsers in a separate virtualenv (CPU only, no GPU,
# no CUDA libraries), for tests/eval/test_sglang_contract.py. torch is the CPU build: from
# SGLANG_TORCH_INDEX (empty = the indexes pip is configured with, e.g. a local wheel folder).
SGLANG_ENV ?= .sglang-env
SGLANG_REQS := scripts/sglang/contract-requirements.txt
SGLANG_TORCH_INDEX ?= https://download.pytorch.org/whl/cpu

sglang-env: $(SGLANG_ENV)/.ready

$(SGLANG_ENV)/.ready: $(SGLANG_REQS)
	@test -x $(SGLANG_ENV)/bin/python || $(PYTHON) -m venv $(SGLANG_ENV)
	@echo "installing SGLang's argument parsers (no GPU parts) into $(SGLANG_ENV)"
	$(SGLANG_ENV)/bin/python -m pip install -q --no-deps -r $(SGLANG_REQS) \
		$(if $(SGLANG_TORCH_INDEX),--extra-index-url $(SGLANG_TORCH_INDEX)) 2>&1 | $(PIPFILTER)
	$(SGLANG_ENV)/bin/python -c "from sglang.srt.server_args import prepare_server_args; \
		from sglang_router.router_args import RouterArgs; import sglang_router.launch_server"
	@touch $@

# TRL for `anestools train grpo` (tests/train/test_grpo*.py), in its own virtualenv because TRL >= 1
# needs datasets >= 4.7 and LLaMA-Factory pins datasets <= 4.0.0. It is an overlay on $(VENV):
# its own site-packages (TRL, datasets and what they need that $(VENV) lacks) come first, then
# $(VENV)'s (torch 2.11.0, anestools itself and the rest), so no second torch is downloaded. A standalone RL
# environment is `pip install 'anestools[rl]'` in a fresh venv (see docs/train.md).
RL_ENV ?= .rl-env

rl-env: $(RL_ENV)/.ready

$(RL_ENV)/.ready: pyproject.toml $(STAMP)
	@test -x $(RL_ENV)/bin/python || $(BIN)/python -m venv $(RL_ENV)
	@echo "installing anestools[rl] (TRL) into $(RL_ENV), over $(VENV)"
	@$(RL_ENV)/bin/python -c "import sys, sysconfig; base = sys.argv[1] + '/lib/python%d.%d/site-packages' % sys.version_info[:2]; \
		open(sysconfig.get_paths()['purelib'] + '/_anestools_base.pth', 'w').write('import site; site.addsitedir(%r)\n' % base)" \
		"$(abspath $(VENV))"
	@$(RL_ENV)/bin/python -c "import tomllib; print('\\n'.join(tomllib.load(open('pyproject.toml', 'rb'))\
		['project']['optional-dependencies']['rl']))" > $(RL_ENV)/rl-requirements.txt
	$(RL_ENV)/bin/python -m pip install -q -r $(RL_ENV)/rl-requirements.txt 2>&1 | $(PIPFILTER) \
		| sed -e "/^ERROR: pip's dependency resolver does not/d" -e "/^llamafactory .* which is incompatible\.$$/d"
	$(RL_ENV)/bin/python -c "from trl import GRPOConfig, GRPOTrainer; import anestools.common.extract"
	@touch $@

clean:
	rm -rf $(VENV) $(SGLANG_ENV) $(RL_ENV) .pytest_cache .ruff_cache build *.egg-info
