#!/bin/bash
# Download the wheels scripts/gpu/check.sh installs on a GPU machine that has no package registry.
#
# That machine (planning facts, issue 17): python 3.12, torch 2.11 and transformers 5.17
# preinstalled, at most 64 MiB carried to it. LLaMA-Factory 0.9.5 needs transformers <= 5.6.0,
# tokenizers <= 0.23.0 and accelerate <= 1.11, so those come along with LLaMA-Factory's own pure-
# Python stack and the few compiled wheels it needs (cp312 manylinux x86_64). Versions are those
# of the environment the CPU tests ran in (TRAIN_PYTHON), so the GPU check runs the tested set.
# Packages a torch/transformers machine already has (numpy, pyyaml, safetensors, huggingface-hub,
# requests, tqdm, regex, pandas, pyarrow, ...) are not carried; check.sh names any that is missing.
#
# Usage (here, with PyPI access):  scripts/gpu/fetch_wheels.sh [DEST=.whl]
#   TRAIN_PYTHON  python of the tested training environment (default: /work/main/.venv/bin/python, else python3)
#   EXTRA         more requirement specs to carry, e.g. EXTRA="pyarrow==26.0.1"
#   MAX_MB        fail when wheels + tracked repository files exceed this (default 40)
set -euo pipefail

DEST=${1:-.whl}
TRAIN_PYTHON=${TRAIN_PYTHON:-/work/main/.venv/bin/python}
[[ -x "$TRAIN_PYTHON" ]] || TRAIN_PYTHON=python3
MAX_MB=${MAX_MB:-40}

# Pure-Python unless marked (compiled: cp312 manylinux x86_64, or abi3).
PACKAGES=(
    llamafactory transformers accelerate trl datasets peft
    tokenizers              # compiled (abi3)
    omegaconf tyro docstring-parser shtab fire termcolor
    fastapi starlette annotated-doc uvicorn h11 sse-starlette
    openai jiter httpx2 httpcore2 truststore  # jiter compiled
    opentelemetry-api
    pydantic pydantic-core  # pydantic-core compiled, pinned exactly by pydantic
    typing-inspection annotated-types anyio sniffio
    liger-kernel
    orjson                  # compiled
    dill multiprocess xxhash  # datasets; xxhash compiled
    typer rich shellingham
)

freeze=$("$TRAIN_PYTHON" -m pip list --format=freeze 2>/dev/null || true)
specs=()
for pkg in "${PACKAGES[@]}"; do
    want=$(printf '%s\n' "$freeze" | grep -i -m1 "^${pkg//-/[-_]}==" || true)
    specs+=("${want:-$pkg}")
done
# shellcheck disable=SC2206
specs+=(${EXTRA:-})

mkdir -p "$DEST"
echo "downloading ${#specs[@]} wheels into $DEST (cp312, manylinux x86_64): ${specs[*]}"
python3 -m pip download --quiet --dest "$DEST" --no-deps --only-binary=:all: \
    --python-version 3.12 --implementation cp --abi cp312 --abi abi3 --abi none \
    --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux_2_28_x86_64 \
    --platform any "${specs[@]}"

wheels_b=$(du -cb "$DEST"/*.whl | tail -1 | cut -f1)
repo_b=$(git ls-files -z | du -cb --files0-from=- 2>/dev/null | tail -1 | cut -f1)
total_mb=$(( (wheels_b + repo_b) / 1000000 ))
ls -S -s --block-size=K "$DEST"/*.whl | head -8
echo "wheels $((wheels_b / 1000000)) MB + repository $((repo_b / 1000000)) MB = ${total_mb} MB (limit ${MAX_MB} MB)"
if (( total_mb > MAX_MB )); then
    echo "error: more than ${MAX_MB} MB to carry; drop EXTRA wheels" >&2
    exit 1
fi
