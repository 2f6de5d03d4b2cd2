#!/usr/bin/env bash
# A Slurm cluster owned by the caller: `up DIR` installs Debian's slurm-wlm + munge when
# missing, writes DIR/slurm.conf for this machine, starts munged, slurmctld and slurmd in the
# background (their pids in DIR/*.pid), waits until `sinfo` shows every node idle and writes
# DIR/env.sh (`export SLURM_CONF=...`). `down DIR` stops exactly those daemons.
#
# One node (partition $ANESTOOLS_SLURM_PARTITION, default debug): this host, as `hostname -s`.
# Two more nodes when DIR/netns.env exists (made by netns.sh): node1 and node2, one slurmd each
# inside its own network namespace (`slurmd -N nodeI`, its own spool DIR/spool/nodeI, its own
# address), in partition $ANESTOOLS_SLURM_PAIR_PARTITION (default pair); slurmctld listens on
# the host's bridge address, munged is shared (its socket is a file, seen from every namespace).
#
# Everything (state, spool, logs, the munge socket, ports) lives under DIR, so nothing of the
# machine's own Slurm/munge setup is touched. If a daemon does not come up, its log is printed
# and the next configuration is tried (proctrack/linuxproc, then proctrack/pgid); when none
# works, `up` exits 1 and DIR/unavailable holds the exact reason.
#
#   scripts/cluster/slurm.sh up /tmp/cluster && source /tmp/cluster/env.sh && srun -N1 hostname
#   scripts/cluster/slurm.sh down /tmp/cluster
set -uo pipefail

PARTITION=${ANESTOOLS_SLURM_PARTITION:-debug}
PAIR_PARTITION=${ANESTOOLS_SLURM_PAIR_PARTITION:-pair}
PAIR_NODES=()

log() { echo "[slurm.sh] $*" >&2; }

fail() {  # reason -> DIR/unavailable, exit 1
    echo "$1" > "$DIR/unavailable"
    log "UNAVAILABLE: $1"
    exit 1
}

install_if_missing() {
    if command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v munged >/dev/null \
        && command -v sbatch >/dev/null; then
        return 0
    fi
    if [[ $(id -u) -ne 0 ]]; then
        fail "slurm-wlm/munge are not installed and installing them needs root (apt-get install slurm-wlm munge)"
    fi
    log "installing slurm-wlm and munge with apt-get"
    if ! { apt-get update -q >"$DIR/apt.log" 2>&1 \
           && DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge >>"$DIR/apt.log" 2>&1; }; then
        tail -n 20 "$DIR/apt.log" >&2
        fail "apt-get install slurm-wlm munge failed (log: $DIR/apt.log)"
    fi
}

free_port() {  # first free TCP port at or above $1
    local p=$1
    while (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
    echo "$p"
}

start_munge() {
    local key=/etc/munge/munge.key
    if [[ ! -s $key ]]; then
        log "creating $key"
        if command -v mungekey >/dev/null; then mungekey --create --keyfile "$key" || return 1
        else dd if=/dev/urandom bs=1 count=1024 of="$key" 2>/dev/null || return 1; fi
        chown munge:munge "$key" 2>/dev/null; chmod 400 "$key"
    fi
    mkdir -p "$DIR/munge" && chown munge:munge "$DIR/munge" 2>/dev/null
    chmod 755 "$DIR/munge"
    local as=(runuser -u munge --)
    [[ $(id -u) -eq 0 ]] && id munge >/dev/null 2>&1 || as=()
    "${as[@]}" munged --foreground --socket="$DIR/munge/munge.socket" --pid-file="$DIR/munge/munged.pid" \
        --log-file="$DIR/munge/munged.log" --seed-file="$DIR/munge/munged.seed" --key-file="$key" \
        >>"$DIR/munge/munged.out" 2>&1 &
    echo $! > "$DIR/munged.pid"
    for _ in $(seq 50); do
        [[ -S $DIR/munge/munge.socket ]] && munge -n -S "$DIR/munge/munge.socket" | unmunge -S "$DIR/munge/munge.socket" >/dev/null 2>&1 && return 0
        kill -0 "$(cat "$DIR/munged.pid")" 2>/dev/null || break
        sleep 0.2
    done
    cat "$DIR/munge/munged.log" "$DIR/munge/munged.out" >&2 2>/dev/null
    return 1
}

write_conf() {  # $1: proctrack plugin
    local host cpus mem
    host=$(hostname -s)
    cpus=$(nproc)
    mem=$(awk '/MemTotal/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)
    mkdir -p "$DIR/state" "$DIR/spool" "$DIR/log"
    local ctld_addr=127.0.0.1
    [[ ${#PAIR_NODES[@]} -gt 0 ]] && ctld_addr=$HOST_ADDR  # reachable from the namespaces too
    cat > "$DIR/slurm.conf" <<CONF
# test cluster written by scripts/cluster/slurm.sh
ClusterName=anestools-test
SlurmctldHost=$host($ctld_addr)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$DIR/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool/%n
SlurmctldPidFile=$DIR/slurmctld.daemon.pid
SlurmdPidFile=$DIR/slurmd-%n.daemon.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd-%n.log
ProctrackType=$1
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
# finished jobs stay visible to scontrol for an hour (there is no accounting database)
MinJobAge=3600
SchedulerParameters=defer_batch
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=$PARTITION Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
CONF
    if [[ ${#PAIR_NODES[@]} -gt 0 ]]; then
        cat >> "$DIR/slurm.conf" <<CONF
NodeName=node1 NodeAddr=$NODE_ADDR_1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
NodeName=node2 NodeAddr=$NODE_ADDR_2 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=$PAIR_PARTITION Nodes=node1,node2 Default=NO MaxTime=INFINITE State=UP OverSubscribe=NO
CONF
    fi
    echo "export SLURM_CONF=$DIR/slurm.conf" > "$DIR/env.sh"
}

cancel_jobs() {  # jobs still queued/running on this cluster end before their daemons do
    local pid
    [[ -f $DIR/slurmctld.pid ]] && pid=$(cat "$DIR/slurmctld.pid") && kill -0 "$pid" 2>/dev/null || return 0
    export SLURM_CONF=$DIR/slurm.conf
    [[ -n $(squeue -h -o %i 2>/dev/null) ]] || return 0
    log "cancelling the jobs still on the cluster: $(squeue -h -o '%i(%T)' | tr '\n' ' ')"
    # shellcheck disable=SC2046
    scancel $(squeue -h -o %A | sort -u) 2>/dev/null
    for _ in $(seq 60); do
        [[ -z $(squeue -h -t running,completing -o %i 2>/dev/null) ]] && return 0
        sleep 0.5
    done
    log "jobs still running after 30 s: $(squeue -h -o '%i(%T)' | tr '\n' ' ')"
}

stop_daemons() {
    local name pid
    cancel_jobs
    for name in slurmd-node1 slurmd-node2 slurmd slurmctld munged; do
        [[ -f $DIR/$name.pid ]] || continue
        pid=$(cat "$DIR/$name.pid")
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
            kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
        fi
        rm -f "$DIR/$name.pid"
    done
}

start_slurm() {  # $1: proctrack plugin; 0 when the node is idle
    write_conf "$1"
    export SLURM_CONF=$DIR/slurm.conf
    slurmctld -D -i -f "$SLURM_CONF" >>"$DIR/log/slurmctld.out" 2>&1 &
    echo $! > "$DIR/slurmctld.pid"
    for _ in $(seq 100); do scontrol ping >/dev/null 2>&1 && break; sleep 0.2; done
    if ! scontrol ping 2>/dev/null | grep -q UP; then
        log "slurmctld did not answer ($1):"; tail -n 20 "$DIR/log/slurmctld.log" "$DIR/log/slurmctld.out" >&2 2>/dev/null
        return 1
    fi
    slurmd -D -f "$SLURM_CONF" >>"$DIR/log/slurmd.out" 2>&1 &
    echo $! > "$DIR/slurmd.pid"
    local i
    for i in "${!PAIR_NODES[@]}"; do  # node1, node2: each in its own network namespace
        nsenter --net="/run/netns/${PAIR_NODES[$i]}" slurmd -D -N "node$((i + 1))" -f "$SLURM_CONF" \
            >>"$DIR/log/slurmd-node$((i + 1)).out" 2>&1 &
        echo $! > "$DIR/slurmd-node$((i + 1)).pid"
    done
    local state="" want=$((1 + ${#PAIR_NODES[@]}))
    for _ in $(seq 150); do
        state=$(sinfo -h -N -o '%N=%t' 2>/dev/null | sort -u | tr '\n' ' ')
        [[ $(grep -o '=idle' <<<"$state" | wc -l) -eq $want ]] && return 0
        kill -0 "$(cat "$DIR/slurmd.pid")" 2>/dev/null || break
        sleep 0.2
    done
    log "nodes not idle (states '${state:-none}') with $1:"
    tail -n 20 "$DIR"/log/slurmd*.log "$DIR"/log/slurmd*.out >&2 2>/dev/null
    return 1
}

up() {
    mkdir -p "$DIR" && chmod 755 "$DIR" && rm -f "$DIR/unavailable" "$DIR/pair-unavailable"
    if [[ $(id -u) -ne 0 ]]; then
        fail "the one-node test cluster needs root (munged runs as the munge user with /etc/munge/munge.key, slurmd as root); run make test-cluster as root"
    fi
    install_if_missing
    start_munge || fail "munged did not start (log: $DIR/munge/munged.log)"
    CTLD_PORT=$(free_port 16817)
    SLURMD_PORT=$(free_port $((CTLD_PORT + 1)))
    if [[ -f $DIR/netns.env ]]; then
        # shellcheck disable=SC1091
        source "$DIR/netns.env"
        PAIR_NODES=("$NETNS_1" "$NETNS_2")
    fi
    local pt
    if try_plugins; then return 0; fi
    if [[ ${#PAIR_NODES[@]} -gt 0 ]]; then  # keep the one-node cluster; the two-node tests skip
        echo "the two slurmd in network namespaces did not come up (logs: $DIR/log/slurmd-node*)" > "$DIR/pair-unavailable"
        log "two-node partition unavailable; retrying with this host only"
        PAIR_NODES=()
        if try_plugins; then return 0; fi
    fi
    stop_daemons
    fail "slurmctld/slurmd did not reach an idle node with proctrack/linuxproc nor proctrack/pgid (logs: $DIR/log/)"
}

try_plugins() {  # 0 once every node is idle and srun runs on each partition
    local pt name
    for pt in proctrack/linuxproc proctrack/pgid; do
        if start_slurm "$pt"; then
            if srun -N1 -t 1 true >"$DIR/log/srun-check.out" 2>&1 \
                && { [[ ${#PAIR_NODES[@]} -eq 0 ]] || srun -p "$PAIR_PARTITION" -N2 -t 1 true >>"$DIR/log/srun-check.out" 2>&1; }; then
                log "up: node $(hostname -s) idle, $(nproc) CPU(s), partition $PARTITION, $pt (SLURM_CONF=$DIR/slurm.conf)"
                if [[ ${#PAIR_NODES[@]} -gt 0 ]]; then
                    log "up: node1 ($NODE_ADDR_1) and node2 ($NODE_ADDR_2) idle in partition $PAIR_PARTITION"
                    echo "export ANESTOOLS_SLURM_PAIR_PARTITION=$PAIR_PARTITION" >> "$DIR/env.sh"
                fi
                return 0
            fi
            log "srun failed with $pt:"; cat "$DIR/log/srun-check.out" >&2
        fi
        for name in slurmd-node1 slurmd-node2 slurmd slurmctld; do  # keep munged, retry with the next plugin
            [[ -f $DIR/$name.pid ]] && kill -TERM "$(cat "$DIR/$name.pid")" 2>/dev/null
        done
        sleep 1
        for name in slurmd-node1 slurmd-node2 slurmd slurmctld; do
            [[ -f $DIR/$name.pid ]] && kill -KILL "$(cat "$DIR/$name.pid")" 2>/dev/null
            rm -f "$DIR/$name.pid"
        done
        rm -rf "$DIR/state" "$DIR/spool"
    done
    return 1
}

cmd=${1:-}; DIR=${2:-}
if [[ -z $cmd || -z $DIR ]]; then echo "usage: $0 up|down DIR" >&2; exit 2; fi
DIR=$(realpath -m "$DIR")
case $cmd in
    up) up ;;
    down) stop_daemons; log "down" ;;
    *) echo "usage: $0 up|down DIR" >&2; exit 2 ;;
esac
