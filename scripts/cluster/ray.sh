#!/usr/bin/env bash
# A local Ray cluster owned by the caller: `up DIR` starts a head node (`ray start --head --block`
# in the background, its pid in DIR/ray.pid, temp files in a short /tmp/ray-* folder) and appends
# `export RAY_ADDRESS=... ANESTOOLS_RAY_TEMP_DIR=...` to DIR/env.sh; `down DIR` stops exactly that head (SIGTERM to the
# blocking `ray start`, which stops the processes it started). RAY: the ray CLI (default: on PATH).
set -uo pipefail
RAY=${RAY:-ray}
log() { echo "[ray.sh] $*" >&2; }

free_port() {
    local p=$1
    while (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
    echo "$p"
}

up() {
    mkdir -p "$DIR" && rm -f "$DIR/ray-unavailable"
    if ! command -v "$RAY" >/dev/null; then
        echo "the ray CLI is not installed (pip install 'anestools[ray]')" > "$DIR/ray-unavailable"
        log "UNAVAILABLE: $(cat "$DIR/ray-unavailable")"; exit 1
    fi
    local port; port=$(free_port 26379)
    # short temp dir: Ray's unix sockets must fit in 107 characters
    local tmp; tmp=$(mktemp -d /tmp/ray-XXXXXX)
    echo "$tmp" > "$DIR/ray.tmp"
    RAY_USAGE_STATS_ENABLED=0 "$RAY" start --head --block --port="$port" --num-cpus="$(nproc)" \
        --include-dashboard=false --disable-usage-stats --temp-dir="$tmp" >"$DIR/ray.log" 2>&1 &
    echo $! > "$DIR/ray.pid"
    for _ in $(seq 120); do
        if RAY_ADDRESS="127.0.0.1:$port" "$RAY" status >/dev/null 2>&1; then
            printf 'export RAY_ADDRESS=127.0.0.1:%s\nexport ANESTOOLS_RAY_TEMP_DIR=%s\n' "$port" "$tmp" >> "$DIR/env.sh"
            log "up: head at 127.0.0.1:$port, $(nproc) CPU(s)"
            return 0
        fi
        kill -0 "$(cat "$DIR/ray.pid")" 2>/dev/null || break
        sleep 0.5
    done
    tail -n 30 "$DIR/ray.log" >&2
    echo "ray start --head did not answer 'ray status' within 60 s (log: $DIR/ray.log)" > "$DIR/ray-unavailable"
    down; exit 1
}

down() {
    if [[ -f $DIR/ray.pid ]]; then
        local pid; pid=$(cat "$DIR/ray.pid")
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid"
            for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
            kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
        fi
        rm -f "$DIR/ray.pid"
    fi
    [[ -f $DIR/ray.tmp ]] && rm -rf "$(cat "$DIR/ray.tmp")" "$DIR/ray.tmp"
    log "down"
}

cmd=${1:-}; DIR=${2:-}
if [[ -z $cmd || -z $DIR ]]; then echo "usage: $0 up|down DIR" >&2; exit 2; fi
DIR=$(realpath -m "$DIR")
case $cmd in
    up) up ;;
    down) down ;;
    *) echo "usage: $0 up|down DIR" >&2; exit 2 ;;
esac
