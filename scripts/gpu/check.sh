#!/bin/bash
# One prepared check of `anestools train` / `eval` on a GPU machine (one H200, no package registry).
#
# Installs the wheels carried in WHEELS (made here by scripts/gpu/fetch_wheels.sh) into a venv
# that sees the machine's own torch, then runs scripts/gpu/check.py: random-init models with
# Qwen2.5-0.5B / Qwen2.5-7B shapes, the shipped recipes for a few steps (sft lora, sft full,
# cpt full on 0.5B; sft lora on 7B; --deepspeed none, --set flash_attn=sdpa), then `anestools
# eval --engine transformers`. Prints and writes a table of tokens/s per GPU, MFU and peak memory.
#
# Usage:
#   scripts/gpu/check.sh [OUT]          GPU mode; OUT defaults to $OUT (device machine) or .gpu-check
#   scripts/gpu/check.sh --cpu [OUT]    tiny shapes, CPU, 2 steps (what the test suite runs)
# Environment: WHEELS (default .whl), PYTHON (default python3), STEPS, RUNS (subset, comma-separated).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MODE=gpu
if [[ "${1:-}" == "--cpu" ]]; then MODE=cpu; shift; fi
OUT_DIR=$(realpath -m "${1:-${OUT:-$ROOT/.gpu-check}}")
WHEELS=${WHEELS:-$ROOT/.whl}
PY=${PYTHON:-python3}
mkdir -p "$OUT_DIR"

# LLaMA-Factory 0.9.5 checks its pins at import; the carried set is the one the CPU tests ran with.
export DISABLE_VERSION_CHECK=1 HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TRANSFORMERS_OFFLINE=1
export TOKENIZERS_PARALLELISM=false PYTHONUNBUFFERED=1

if compgen -G "$WHEELS/*.whl" > /dev/null; then
    VENV=$OUT_DIR/venv
    if [[ ! -x "$VENV/bin/python" ]]; then
        "$PY" -m venv --system-site-packages "$VENV"
        # --no-deps: the registry is unreachable; what is not carried must already be installed.
        "$VENV/bin/python" -m pip install --quiet --no-index --no-deps --disable-pip-version-check "$WHEELS"/*.whl
    fi
    PY=$VENV/bin/python
elif [[ $MODE == gpu ]]; then
    echo "note: no wheels in $WHEELS; using the machine's own packages" >&2
fi

"$PY" - <<'PY' || { echo "error: this Python cannot run LLaMA-Factory (above: the missing module); carry it with EXTRA=... scripts/gpu/fetch_wheels.sh" >&2; exit 3; }
import importlib, sys
import torch, transformers, llamafactory
from llamafactory.train.tuner import run_exp  # imports the whole training stack
print(f"python {sys.version.split()[0]}, torch {torch.__version__} (cuda {torch.version.cuda}, "
      f"{torch.cuda.device_count()} GPU), transformers {transformers.__version__}, llamafactory {llamafactory.__version__}")
PY

export PYTHONPATH=$ROOT${PYTHONPATH:+:$PYTHONPATH}
args=(--mode "$MODE" --out "$OUT_DIR")
[[ -n "${STEPS:-}" ]] && args+=(--steps "$STEPS")
[[ -n "${RUNS:-}" ]] && args+=(--runs "$RUNS")
exec "$PY" "$ROOT/scripts/gpu/check.py" "${args[@]}"
