#!/usr/bin/env bash
# A local Ray cluster owned by the caller: `up DIR` starts a head node (`ray start --head --block`
# in the background, its pid in DIR/ray.pid, temp files in a short /tmp/ray-* folder) and appends
# `export RAY_ADDRESS=... ANESTOOLS_RAY_TEMP_DIR=...` to DIR/env.sh; `down DIR` stops exactly that head (SIGTERM to the
# blocking `ray start`, which stops the processes it started). RAY: the ray CLI (default: on PATH).
#
# Two nodes when DIR/netns.env exists (netns.sh): the head listens on the host's bridge address
# with 1 CPU, and a worker (`ray start --address HEAD --block`, 1 CPU, its own temp folder, pid
# in DIR/ray-worker.pid) runs inside the second network namespace; `up` waits until `ray status`
# lists both nodes and also exports ANESTOOLS_RAY_WORKER_TEMP_DIR and ANESTOOLS_RAY_NODES=2.
# One CPU each: two concurrent 1-CPU tasks cannot both fit on one node, so they land on both.
set -uo pipefail
RAY=${RAY:-ray}
log() { echo "[ray.sh] $*" >&2; }

free_port() {
    local p=$1
    while (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
    echo "$p"
}

up() {
    mkdir -p "$DIR" && rm -f "$DIR/ray-unavailable" "$DIR/ray-pair-unavailable"
    if ! command -v "$RAY" >/dev/null; then
        echo "the ray CLI is not installed (pip install 'anestools[ray]')" > "$DIR/ray-unavailable"
        log "UNAVAILABLE: $(cat "$DIR/ray-unavailable")"; exit 1
    fi
    local port; port=$(free_port 26379)
    local addr=127.0.0.1 cpus; cpus=$(nproc)
    if [[ -f $DIR/netns.env ]]; then
        # shellcheck disable=SC1091
        source "$DIR/netns.env"
        addr=$HOST_ADDR cpus=1
    fi
    # short temp dir: Ray's unix sockets must fit in 107 characters
    local tmp; tmp=$(mktemp -d /tmp/ray-XXXXXX)
    echo "$tmp" > "$DIR/ray.tmp"
    RAY_USAGE_STATS_ENABLED=0 "$RAY" start --head --block --port="$port" --node-ip-address="$addr" --num-cpus="$cpus" \
        --include-dashboard=false --disable-usage-stats --temp-dir="$tmp" >"$DIR/ray.log" 2>&1 &
    echo $! > "$DIR/ray.pid"
    if ! wait_nodes "$addr:$port" 1 "$DIR/ray.pid"; then
        tail -n 30 "$DIR/ray.log" >&2
        echo "ray start --head did not answer 'ray status' within 60 s (log: $DIR/ray.log)" > "$DIR/ray-unavailable"
        down; exit 1
    fi
    printf 'export RAY_ADDRESS=%s:%s\nexport ANESTOOLS_RAY_TEMP_DIR=%s\n' "$addr" "$port" "$tmp" >> "$DIR/env.sh"
    log "up: head at $addr:$port, $cpus CPU(s)"
    [[ -f $DIR/netns.env ]] || return 0
    local wtmp; wtmp=$(mktemp -d /tmp/ray-XXXXXX)
    echo "$wtmp" > "$DIR/ray-worker.tmp"
    RAY_USAGE_STATS_ENABLED=0 nsenter --net="/run/netns/$NETNS_2" "$RAY" start --block --address="$addr:$port" \
        --node-ip-address="$NODE_ADDR_2" --num-cpus=1 --disable-usage-stats --temp-dir="$wtmp" >"$DIR/ray-worker.log" 2>&1 &
    echo $! > "$DIR/ray-worker.pid"
    if wait_nodes "$addr:$port" 2 "$DIR/ray-worker.pid"; then
        printf 'export ANESTOOLS_RAY_WORKER_TEMP_DIR=%s\nexport ANESTOOLS_RAY_NODES=2\n' "$wtmp" >> "$DIR/env.sh"
        log "up: worker in $NETNS_2 at $NODE_ADDR_2, 1 CPU"
    else  # the one-node cluster stays usable; the two-node Ray test skips with this reason
        tail -n 30 "$DIR/ray-worker.log" >&2
        echo "the Ray worker in $NETNS_2 did not join the head within 60 s (log: $DIR/ray-worker.log)" > "$DIR/ray-pair-unavailable"
        stop_pid "$DIR/ray-worker.pid"
    fi
}

wait_nodes() {  # ADDRESS N PIDFILE: 0 once `ray status` lists N active nodes
    local out
    for _ in $(seq 120); do
        out=$(RAY_ADDRESS="$1" "$RAY" status 2>/dev/null) \
            && [[ $(sed -n '/^Active:/,/^Pending:/p' <<<"$out" | grep -c 'node_') -ge $2 ]] && return 0
        kill -0 "$(cat "$3")" 2>/dev/null || return 1
        sleep 0.5
    done
    return 1
}

stop_pid() {  # PIDFILE: SIGTERM to the blocking `ray start` (it stops what it started), then KILL
    [[ -f $1 ]] || return 0
    local pid; pid=$(cat "$1")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    fi
    rm -f "$1"
}

down() {
    stop_pid "$DIR/ray-worker.pid"
    stop_pid "$DIR/ray.pid"
    local t
    for t in ray-worker.tmp ray.tmp; do
        [[ -f $DIR/$t ]] && rm -rf "$(cat "$DIR/$t")" "${DIR:?}/$t"
    done
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
