#!/usr/bin/env bash
# Two "nodes" on one machine: `up DIR` makes two network namespaces, each joined to a bridge on
# the host by a veth pair, with addresses in a private /24 test subnet that nothing else on this
# machine uses (10.251.N.0/24, N picked free): the host is .1 on the bridge, node 1 is .2 and
# node 2 is .3, and inside each namespace the veth is named anes0 (so GLOO_SOCKET_IFNAME and
# NCCL_SOCKET_IFNAME are the same on both nodes). The namespaces have no default route: they
# reach the host and each other, never the outside. Processes in them still see the whole
# filesystem (munge's socket, the shared checkout), as cluster nodes sharing a filesystem would.
# Start them with `nsenter --net=/run/netns/NAME CMD`, which enters the network namespace only;
# `ip netns exec` also remounts /sys, without the cgroup filesystem slurmd needs.
#
# `up` writes DIR/netns.env (NETNS_1 NETNS_2 NODE_ADDR_1 NODE_ADDR_2 HOST_ADDR NET_IFNAME
# NET_BRIDGE) and exits 1 with the reason in DIR/netns-unavailable when namespaces cannot be
# made (not root, no `ip`, a kernel or sandbox without veth/bridge). `down DIR` kills whatever
# still runs inside the two namespaces, then deletes the namespaces (and so their veths) and the
# bridge. Both are idempotent; names are derived from a random tag kept in DIR/netns.env.
#
#   scripts/cluster/netns.sh up /tmp/c && source /tmp/c/netns.env && nsenter --net=/run/netns/$NETNS_1 ip addr
#   scripts/cluster/netns.sh down /tmp/c
set -uo pipefail
log() { echo "[netns.sh] $*" >&2; }

fail() {
    echo "$1" > "$DIR/netns-unavailable"
    log "UNAVAILABLE: $1"
    down
    exit 1
}

pick_subnet() {  # a 10.251.N.0/24 that no address or route of this machine touches
    local n used
    used=$(ip -4 -o addr show 2>/dev/null; ip -4 route show 2>/dev/null)
    for n in $(shuf -i 1-254 -n 40); do
        grep -q "10\.251\.$n\." <<<"$used" || { echo "10.251.$n"; return 0; }
    done
    return 1
}

up() {
    mkdir -p "$DIR" && rm -f "$DIR/netns-unavailable"
    [[ $(id -u) -eq 0 ]] || { echo "network namespaces need root (ip netns add); run as root for the two-node tests" > "$DIR/netns-unavailable"; log "UNAVAILABLE: $(cat "$DIR/netns-unavailable")"; exit 1; }
    command -v ip >/dev/null || { echo "the ip command (iproute2) is not installed" > "$DIR/netns-unavailable"; log "UNAVAILABLE: $(cat "$DIR/netns-unavailable")"; exit 1; }
    local tag net
    tag=$(od -An -N2 -tx1 /dev/urandom | tr -d ' \n')
    net=$(pick_subnet) || { echo "no free 10.251.N.0/24 test subnet" > "$DIR/netns-unavailable"; exit 1; }
    # Written first, so that `down` removes whatever part of this was made, even after a failure.
    cat > "$DIR/netns.env" <<ENV
export NETNS_1=anes-$tag-n1 NETNS_2=anes-$tag-n2
export NODE_ADDR_1=$net.2 NODE_ADDR_2=$net.3 HOST_ADDR=$net.1
export NET_IFNAME=anes0 NET_BRIDGE=anesbr$tag NET_SUBNET=$net.0/24
ENV
    # shellcheck disable=SC1091
    source "$DIR/netns.env"
    local err="$DIR/netns.err"
    ip link add "$NET_BRIDGE" type bridge 2>"$err" || fail "cannot create a bridge: $(head -c 200 "$err")"
    ip addr add "$HOST_ADDR/24" dev "$NET_BRIDGE" 2>"$err" && ip link set "$NET_BRIDGE" up 2>>"$err" \
        || fail "cannot address the bridge: $(head -c 200 "$err")"
    local i ns addr
    for i in 1 2; do
        ns=NETNS_$i; ns=${!ns}; addr=NODE_ADDR_$i; addr=${!addr}
        ip netns add "$ns" 2>"$err" || fail "cannot create a network namespace: $(head -c 200 "$err")"
        { ip link add "an$tag-h$i" type veth peer name "an$tag-c$i" \
            && ip link set "an$tag-h$i" master "$NET_BRIDGE" && ip link set "an$tag-h$i" up \
            && ip link set "an$tag-c$i" netns "$ns" \
            && ip -n "$ns" link set "an$tag-c$i" name "$NET_IFNAME" \
            && ip -n "$ns" addr add "$addr/24" dev "$NET_IFNAME" \
            && ip -n "$ns" link set "$NET_IFNAME" up && ip -n "$ns" link set lo up; } 2>"$err" \
            || fail "cannot wire namespace $ns with a veth pair: $(head -c 200 "$err")"
    done
    rm -f "$err"
    log "up: $NETNS_1 ($NODE_ADDR_1) and $NETNS_2 ($NODE_ADDR_2) on bridge $NET_BRIDGE ($HOST_ADDR/24)"
}

down() {
    [[ -f $DIR/netns.env ]] || return 0
    # shellcheck disable=SC1091
    source "$DIR/netns.env"
    local ns pids
    for ns in "$NETNS_1" "$NETNS_2"; do
        ip netns list 2>/dev/null | grep -qw "$ns" || continue
        pids=$(ip netns pids "$ns" 2>/dev/null)
        if [[ -n $pids ]]; then
            log "stopping what still runs in $ns: $(echo $pids)"
            # shellcheck disable=SC2086
            kill -TERM $pids 2>/dev/null
            for _ in $(seq 25); do [[ -z $(ip netns pids "$ns" 2>/dev/null) ]] && break; sleep 0.2; done
            pids=$(ip netns pids "$ns" 2>/dev/null)
            # shellcheck disable=SC2086
            [[ -n $pids ]] && kill -KILL $pids 2>/dev/null && sleep 0.2
        fi
        ip netns del "$ns" 2>/dev/null || log "could not delete namespace $ns"
    done
    local tag=${NET_BRIDGE#anesbr} i
    for i in 1 2; do ip link del "an$tag-h$i" 2>/dev/null; done  # gone with the namespace, normally
    ip link show "$NET_BRIDGE" >/dev/null 2>&1 && { ip link del "$NET_BRIDGE" || log "could not delete bridge $NET_BRIDGE"; }
    log "down: no namespace, veth or bridge of $DIR left"
}

cmd=${1:-}; DIR=${2:-}
if [[ -z $cmd || -z $DIR ]]; then echo "usage: $0 up|down DIR" >&2; exit 2; fi
DIR=$(realpath -m "$DIR")
case $cmd in
    up) up ;;
    down) down ;;
    *) echo "usage: $0 up|down DIR" >&2; exit 2 ;;
esac
