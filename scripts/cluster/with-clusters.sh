#!/usr/bin/env bash
# Run a command with a one-node Slurm cluster and a local Ray cluster up, and always tear both
# down afterwards (normal exit, failure, Ctrl-C, SIGTERM). The command sees SLURM_CONF,
# RAY_ADDRESS and ANESTOOLS_SLURM_PARTITION; a cluster that could not start is announced with
# ANESTOOLS_SLURM_UNAVAILABLE / ANESTOOLS_RAY_UNAVAILABLE (the exact reason; the tests print it
# when they skip). Daemon logs are printed when a cluster fails to start.
#
#   scripts/cluster/with-clusters.sh .venv/bin/python -m pytest -m cluster tests/cluster
#   KEEP_CLUSTER_DIR=1 scripts/cluster/with-clusters.sh sinfo    # the daemon logs are kept
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ $# -eq 0 ]]; then echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; fi
DIR=$(mktemp -d "${TMPDIR:-/tmp}/anestools-cluster-XXXXXX")

cleanup() {
    "$HERE/ray.sh" down "$DIR" || true
    "$HERE/slurm.sh" down "$DIR" || true
    if [[ -n ${KEEP_CLUSTER_DIR:-} ]]; then echo "[with-clusters] cluster files kept in $DIR" >&2
    else rm -rf "$DIR"; fi
}
trap cleanup EXIT
child=""
trap '[[ -n $child ]] && kill -INT "$child" 2>/dev/null; exit 130' INT
trap '[[ -n $child ]] && kill -TERM "$child" 2>/dev/null; exit 143' TERM

export ANESTOOLS_SLURM_PARTITION=${ANESTOOLS_SLURM_PARTITION:-debug}
start=$SECONDS
if ! "$HERE/slurm.sh" up "$DIR"; then
    export ANESTOOLS_SLURM_UNAVAILABLE="$(cat "$DIR/unavailable" 2>/dev/null || echo "scripts/cluster/slurm.sh up failed")"
fi
if ! "$HERE/ray.sh" up "$DIR"; then
    export ANESTOOLS_RAY_UNAVAILABLE="$(cat "$DIR/ray-unavailable" 2>/dev/null || echo "scripts/cluster/ray.sh up failed")"
fi
# shellcheck disable=SC1091
[[ -f $DIR/env.sh ]] && source "$DIR/env.sh"
echo "[with-clusters] clusters up in $((SECONDS - start)) s (files in $DIR)" >&2
"$@" &
child=$!
wait "$child"
exit $?
