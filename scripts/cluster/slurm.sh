#!/usr/bin/env bash
# A one-node Slurm cluster owned by the caller: `up DIR` installs Debian's slurm-wlm + munge when
# missing, writes DIR/slurm.conf for this machine, starts munged, slurmctld and slurmd in the
# background (their pids in DIR/*.pid), waits until `sinfo` shows the node idle and writes
# DIR/env.sh (`export SLURM_CONF=...`). `down DIR` stops exactly those daemons.
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
    cat > "$DIR/slurm.conf" <<CONF
# one-node test cluster written by scripts/cluster/slurm.sh
ClusterName=anestools-test
SlurmctldHost=$host(127.0.0.1)
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
SlurmdPidFile=$DIR/slurmd.daemon.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
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
    echo "export SLURM_CONF=$DIR/slurm.conf" > "$DIR/env.sh"
}

cancel_jobs() {  # jobs still queued/running on this cluster end before their daemons do
    local pid
    [[ -f $DIR/slurmctld.pid ]] && pid=$(cat "$DIR/slurmctld.pid") && kill -0 "$pid" 2>/dev/null || return 0
    export SLURM_CONF=$DIR/slurm.conf
    [[ -n $(squeue -h -o %i 2>/dev/null) ]] || return 0
    log "cancelling the jobs still on the cluster: $(squeue -h -o '%i(%T)' | tr '\n' ' ')"
    scancel -p "$PARTITION" 2>/dev/null
    for _ in $(seq 60); do
        [[ -z $(squeue -h -t running,completing -o %i 2>/dev/null) ]] && return 0
        sleep 0.5
    done
    log "jobs still running after 30 s: $(squeue -h -o '%i(%T)' | tr '\n' ' ')"
}

stop_daemons() {
    local name pid
    cancel_jobs
    for name in slurmd slurmctld munged; do
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
    local state=""
    for _ in $(seq 150); do
        state=$(sinfo -h -N -o %t 2>/dev/null | head -n1)
        [[ $state == idle ]] && return 0
        kill -0 "$(cat "$DIR/slurmd.pid")" 2>/dev/null || break
        sleep 0.2
    done
    log "node not idle (state '${state:-none}') with $1:"; tail -n 20 "$DIR/log/slurmd.log" "$DIR/log/slurmd.out" >&2 2>/dev/null
    return 1
}

up() {
    mkdir -p "$DIR" && chmod 755 "$DIR" && rm -f "$DIR/unavailable"
    if [[ $(id -u) -ne 0 ]]; then
        fail "the one-node test cluster needs root (munged runs as the munge user with /etc/munge/munge.key, slurmd as root); run make test-cluster as root"
    fi
    install_if_missing
    start_munge || fail "munged did not start (log: $DIR/munge/munged.log)"
    CTLD_PORT=$(free_port 16817)
    SLURMD_PORT=$(free_port $((CTLD_PORT + 1)))
    local pt
    for pt in proctrack/linuxproc proctrack/pgid; do
        if start_slurm "$pt"; then
            if srun -N1 -t 1 true >"$DIR/log/srun-check.out" 2>&1; then
                log "up: node $(hostname -s) idle, $(nproc) CPU(s), partition $PARTITION, $pt (SLURM_CONF=$DIR/slurm.conf)"
                return 0
            fi
            log "srun failed with $pt:"; cat "$DIR/log/srun-check.out" >&2
        fi
        for name in slurmd slurmctld; do  # keep munged, retry with the next plugin
            [[ -f $DIR/$name.pid ]] && kill -TERM "$(cat "$DIR/$name.pid")" 2>/dev/null
            sleep 1; rm -f "$DIR/$name.pid"
        done
        rm -rf "$DIR/state" "$DIR/spool"
    done
    stop_daemons
    fail "slurmctld/slurmd did not reach an idle node with proctrack/linuxproc nor proctrack/pgid (logs: $DIR/log/)"
}

cmd=${1:-}; DIR=${2:-}
if [[ -z $cmd || -z $DIR ]]; then echo "usage: $0 up|down DIR" >&2; exit 2; fi
DIR=$(realpath -m "$DIR")
case $cmd in
    up) up ;;
    down) stop_daemons; log "down" ;;
    *) echo "usage: $0 up|down DIR" >&2; exit 2 ;;
esac
