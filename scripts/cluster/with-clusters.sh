#!/usr/bin/env bash
# Run a command with the test clusters up, and always tear everything down afterwards (normal
# exit, failure, Ctrl-C, SIGTERM): no daemon, network namespace, veth or bridge is left.
#
# - two network namespaces wired to a host bridge (netns.sh): two "nodes" on this machine;
# - Slurm (slurm.sh): this host as a one-node partition (ANESTOOLS_SLURM_PARTITION, debug) and,
#   with the namespaces, node1 + node2 as a two-node partition (ANESTOOLS_SLURM_PAIR_PARTITION);
# - Ray (ray.sh): a head on the host and, with the namespaces, a worker in the second one.
#
# The command sees SLURM_CONF, RAY_ADDRESS, the partitions, and ANESTOOLS_NETNS_1/2,
# ANESTOOLS_NODE_ADDR_1/2, ANESTOOLS_HOST_ADDR, ANESTOOLS_NET_IFNAME. What could not start is
# announced with ANESTOOLS_SLURM_UNAVAILABLE, ANESTOOLS_RAY_UNAVAILABLE, ANESTOOLS_NETNS_UNAVAILABLE,
# ANESTOOLS_SLURM_PAIR_UNAVAILABLE, ANESTOOLS_RAY_PAIR_UNAVAILABLE (the exact reason; the tests
# print it when they skip). ANESTOOLS_CLUSTERS picks the parts (default "net slurm ray").
#
#   scripts/cluster/with-clusters.sh .venv/bin/python -m pytest -m cluster tests/cluster
#   KEEP_CLUSTER_DIR=1 scripts/cluster/with-clusters.sh sinfo    # the daemon logs are kept
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ $# -eq 0 ]]; then echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; fi
DIR=$(mktemp -d "${TMPDIR:-/tmp}/anestools-cluster-XXXXXX")

PARTS=" ${ANESTOOLS_CLUSTERS:-net slurm ray} "

cleanup() {
    trap '' INT TERM  # a second Ctrl-C must not cut the teardown short
    "$HERE/ray.sh" down "$DIR" || true
    "$HERE/slurm.sh" down "$DIR" || true
    "$HERE/netns.sh" down "$DIR" || true
    if [[ -n ${KEEP_CLUSTER_DIR:-} ]]; then echo "[with-clusters] cluster files kept in $DIR" >&2
    else rm -rf "$DIR"; fi
}
trap cleanup EXIT
child=""
trap '[[ -n $child ]] && kill -INT "$child" 2>/dev/null; exit 130' INT
trap '[[ -n $child ]] && kill -TERM "$child" 2>/dev/null; exit 143' TERM

export ANESTOOLS_SLURM_PARTITION=${ANESTOOLS_SLURM_PARTITION:-debug}
start=$SECONDS
if [[ $PARTS != *" net "* ]]; then
    export ANESTOOLS_NETNS_UNAVAILABLE="not started (ANESTOOLS_CLUSTERS=${ANESTOOLS_CLUSTERS:-})"
elif "$HERE/netns.sh" up "$DIR"; then
    # Read, not exported as they are: a job must not see NET_IFNAME (train.sbatch's knob) unasked.
    eval "$(sed 's/^export //' "$DIR/netns.env")"
    export ANESTOOLS_NETNS_1=$NETNS_1 ANESTOOLS_NETNS_2=$NETNS_2 ANESTOOLS_NODE_ADDR_1=$NODE_ADDR_1 \
        ANESTOOLS_NODE_ADDR_2=$NODE_ADDR_2 ANESTOOLS_HOST_ADDR=$HOST_ADDR ANESTOOLS_NET_IFNAME=$NET_IFNAME \
        ANESTOOLS_NET_BRIDGE=$NET_BRIDGE
else
    export ANESTOOLS_NETNS_UNAVAILABLE="$(cat "$DIR/netns-unavailable" 2>/dev/null || echo "scripts/cluster/netns.sh up failed")"
    rm -f "$DIR/netns.env"  # the clusters then start on this host alone
fi
if [[ $PARTS != *" slurm "* ]]; then
    export ANESTOOLS_SLURM_UNAVAILABLE="not started (ANESTOOLS_CLUSTERS=${ANESTOOLS_CLUSTERS:-})"
elif ! "$HERE/slurm.sh" up "$DIR"; then
    export ANESTOOLS_SLURM_UNAVAILABLE="$(cat "$DIR/unavailable" 2>/dev/null || echo "scripts/cluster/slurm.sh up failed")"
fi
if [[ $PARTS != *" ray "* ]]; then
    export ANESTOOLS_RAY_UNAVAILABLE="not started (ANESTOOLS_CLUSTERS=${ANESTOOLS_CLUSTERS:-})"
elif ! "$HERE/ray.sh" up "$DIR"; then
    export ANESTOOLS_RAY_UNAVAILABLE="$(cat "$DIR/ray-unavailable" 2>/dev/null || echo "scripts/cluster/ray.sh up failed")"
fi
[[ -f $DIR/pair-unavailable ]] && export ANESTOOLS_SLURM_PAIR_UNAVAILABLE="$(cat "$DIR/pair-unavailable")"
[[ -f $DIR/ray-pair-unavailable ]] && export ANESTOOLS_RAY_PAIR_UNAVAILABLE="$(cat "$DIR/ray-pair-unavailable")"
# shellcheck disable=SC1091
[[ -f $DIR/env.sh ]] && source "$DIR/env.sh"
echo "[with-clusters] clusters up in $((SECONDS - start)) s (files in $DIR)" >&2
"$@" &
child=$!
wait "$child"
exit $?
