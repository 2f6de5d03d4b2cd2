#!/usr/bin/env bash
# Start an SGLang OpenAI-compatible server by hand (e.g. on a GPU node shared by several
# evaluations), then point `anestools eval --engine openai --base-url http://HOST:PORT/v1` at it.
# `anestools eval --engine sglang` does all of this itself (free port, /health wait, teardown);
# use this script only when the server must outlive one evaluation.
#
# Environment (all optional except MODEL):
#   MODEL          checkpoint directory or Hub id                      (required)
#   SGLANG_PYTHON  python of the SGLang environment                    (default: python)
#   DP             data-parallel replicas                              (default: visible GPUs / TP)
#   TP             tensor-parallel size per replica                    (default: 1)
#   HOST / PORT    listen address                                      (default: 127.0.0.1 / 30000)
# Extra arguments are passed to SGLang verbatim, e.g.:
#   MODEL=outputs/qwen-sft scripts/sglang/launch_server.sh --mem-fraction-static 0.9 --context-length 32768
set -euo pipefail
: "${MODEL:?set MODEL=/path/to/checkpoint}"
PY="${SGLANG_PYTHON:-python}"
TP="${TP:-1}"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-30000}"
if [[ -z "${DP:-}" ]]; then
  if [[ -n "${CUDA_VISIBLE_DEVICES:-}" ]]; then
    GPUS=$(tr ',' '\n' <<<"$CUDA_VISIBLE_DEVICES" | grep -c .)
  else
    GPUS=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU ' || true)
  fi
  DP=$(( GPUS / TP )); (( DP >= 1 )) || DP=1
fi
MODULE=sglang.launch_server
if (( DP > 1 )) && "$PY" -c 'import importlib.util,sys; sys.exit(0 if importlib.util.find_spec("sglang_router") else 1)'; then
  MODULE=sglang_router.launch_server   # cache-aware load balancing over the DP workers
fi
ARGS=(--model-path "$MODEL" --host "$HOST" --port "$PORT" --tp-size "$TP")
(( DP > 1 )) && ARGS+=(--dp-size "$DP")
echo "+ $PY -m $MODULE ${ARGS[*]} $*" >&2
exec "$PY" -m "$MODULE" "${ARGS[@]}" "$@"
