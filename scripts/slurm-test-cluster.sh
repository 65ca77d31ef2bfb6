#!/usr/bin/env bash
# A throw-away single-node Slurm cluster for the tests, without systemd (the Slurm back end: docs/scale-out.md).
#
#   eval "$(scripts/slurm-test-cluster.sh start)"   # prints `export SLURM_CONF=…/slurm.conf` (and the partition)
#   scripts/slurm-test-cluster.sh status            # exit 0 and `sinfo` while it runs, 1 otherwise
#   scripts/slurm-test-cluster.sh stop
#
# Needs root and Debian's `slurm-wlm` and `munge` packages (make deps). The cluster lives in $ORCHARD_SLURM_DIR
# (default: a folder under /tmp named after this checkout): its own slurm.conf (/etc/slurm is never read or written;
# every command finds the config through SLURM_CONF), the slurmctld state (owned by the `slurm` user), the slurmd
# spool, pid files and logs (log/slurmctld.log, log/slurmd.log, log/jobcomp.log: one line per finished job).
# One node named `hostname -s` on 127.0.0.1, with the CPUs `slurmd -C` reports and 80 % of MemTotal, in one partition
# `debug`. slurmctld and slurmd listen on free ports picked at the first start (never those of a system Slurm), kept
# across restarts while they are still free.
# No cgroups (proctrack/linuxproc, task/none) and no accounting database: finished jobs are visible to
# `squeue -t all` and `scontrol show job` for MinJobAge (300 s), and in jobcomp.log. DefMemPerCPU=256: a job without --mem does not take
# the whole node's memory (which would serialize jobs). munged is started (as the `munge` user, on its default socket)
# only if `munge -n | unmunge` fails, and then `stop` stops it again. `start` reuses a cluster that is already
# running; slurmctld keeps its state between starts (job ids keep counting up).
# `stop` stops the daemons only: it cancels no job (a batch job still running keeps running under its slurmstepd).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
dir=${ORCHARD_SLURM_DIR:-/tmp/orchard-slurm-$(printf %s "$repo" | md5sum | cut -c1-10)}
conf=$dir/slurm.conf
partition=debug
export SLURM_CONF=$conf

alive() { # alive NAME: the daemon named in $dir/pid/NAME.pid runs
    local pid
    pid=$(cat "$dir/pid/$1.pid" 2>/dev/null) || return 1
    [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$1" ]
}

running() { alive slurmctld && alive slurmd && timeout 10 sinfo -h >/dev/null 2>&1; }

exports() {
    echo "export SLURM_CONF=$conf"
    echo "export ORCHARD_TEST_SLURM_PARTITION=$partition"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("", 0)); print(s.getsockname()[1])'; }

port_free() { python3 -c 'import socket, sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("", int(sys.argv[1])))' "$1" 2>/dev/null; }

# The port NAME had at the last start if it is still free, else a free one: a batch job that outlived `stop` (its
# slurmstepd keeps running) reports its end to the ports it started with, and would retry forever after a restart on
# other ports.
port() {
    local p
    p=$(sed -n "s/^$1=//p" "$conf" 2>/dev/null)
    if [ -n "$p" ] && [ "$p" != "${2:-}" ] && port_free "$p"; then echo "$p"; return; fi
    while p=$(free_port); [ "$p" = "${2:-}" ]; do :; done
    echo "$p"
}

logs() {
    for f in "$dir/log/slurmctld.log" "$dir/log/slurmd.log"; do
        echo "--- $f" >&2; tail -20 "$f" >&2 2>/dev/null || true
    done
}

stop_pids() { # stop_pids NAME PIDFILE [NAME PIDFILE …]: TERM to all, then KILL to those still there after 10 s
    local pids="" pid i left
    while [ $# -ge 2 ]; do
        pid=$(cat "$2" 2>/dev/null) || pid=""
        if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$1" ]; then
            kill -TERM "$pid" 2>/dev/null && pids="$pids $pid"
        fi
        rm -f "$2"; shift 2
    done
    for i in $(seq 100); do
        left=""
        for pid in $pids; do if [ -d "/proc/$pid" ]; then left="$left $pid"; fi; done
        if [ -z "$left" ]; then return 0; fi
        sleep 0.1
    done
    for pid in $left; do kill -KILL "$pid" 2>/dev/null || true; done
    sleep 0.2
}

start_munge() {
    if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then return 0; fi
    if [ ! -f /etc/munge/munge.key ]; then
        mkdir -p /etc/munge && chown munge: /etc/munge && chmod 700 /etc/munge
        runuser -u munge -- mungekey --create --keyfile=/etc/munge/munge.key >/dev/null
    fi
    install -d -o munge -g munge -m 755 /run/munge
    install -d -o munge -g munge -m 700 /var/log/munge /var/lib/munge
    runuser -u munge -- /usr/sbin/munged || { echo "slurm-test-cluster: munged did not start" >&2; exit 1; }
    touch "$dir/munged.ours"
    local i
    for i in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && return 0; sleep 0.1; done
    echo "slurm-test-cluster: munge -n | unmunge still fails after starting munged" >&2
    tail -20 /var/log/munge/munged.log >&2 2>/dev/null || true
    exit 1
}

write_conf() {
    local host mem hw ctld_port
    host=$(hostname -s)
    # MemTotal in MB, 80 %: a node declared with more memory than slurmd finds goes DRAIN.
    mem=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 * 0.8 }' /proc/meminfo)
    # "NodeName=h CPUs=2 Boards=1 SocketsPerBoard=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=…": keep the topology.
    ctld_port=$(port SlurmctldPort)
    hw=$(slurmd -C | head -1 | tr ' ' '\n' | grep -E '^(CPUs|Boards|SocketsPerBoard|CoresPerSocket|ThreadsPerCore)=' | tr '\n' ' ')
    cat >"$conf.tmp" <<EOF
# Written by scripts/slurm-test-cluster.sh at each start; edits are lost.
ClusterName=orchardci
SlurmctldHost=$host(127.0.0.1)
SlurmUser=slurm
AuthType=auth/munge
CredType=cred/munge
SlurmctldPort=$ctld_port
SlurmdPort=$(port SlurmdPort "$ctld_port")
StateSaveLocation=$dir/slurmctld
SlurmdSpoolDir=$dir/slurmd
SlurmctldPidFile=$dir/pid/slurmctld.pid
SlurmdPidFile=$dir/pid/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
PlugStackConfig=$dir/plugstack.conf
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=256
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.log
MinJobAge=300
KillWait=30
NodeName=$host NodeAddr=127.0.0.1 ${hw}RealMemory=$mem State=UNKNOWN
PartitionName=$partition Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
    mv "$conf.tmp" "$conf"
}

stop_cluster() {
    stop_pids slurmd "$dir/pid/slurmd.pid" slurmctld "$dir/pid/slurmctld.pid"
    if [ -f "$dir/munged.ours" ]; then
        stop_pids munged /run/munge/munged.pid
        rm -f "$dir/munged.ours"
    fi
}

fail() { echo "slurm-test-cluster: $*" >&2; logs; stop_cluster; exit 1; }

node_state() { timeout 5 sinfo -h -o %T 2>/dev/null; }

case "${1:-start}" in
start)
    if running && node_state | grep -qxE 'idle|mixed|allocated'; then exports; exit 0; fi
    if [ "$(id -u)" != 0 ]; then
        echo "slurm-test-cluster: must run as root (slurmd starts jobs as their submitting user; slurmctld runs as slurm)" >&2
        exit 1
    fi
    for b in slurmctld slurmd sbatch munge munged; do
        command -v "$b" >/dev/null || [ -x "/usr/sbin/$b" ] \
            || { echo "slurm-test-cluster: $b is missing (install slurm-wlm and munge: make deps)" >&2; exit 1; }
    done
    mkdir -p "$dir/pid" "$dir/log" "$dir/slurmd" "$dir/slurmctld"
    chmod 755 "$dir"
    chown slurm: "$dir/slurmctld" "$dir/log"
    : >"$dir/plugstack.conf"   # not /etc/slurm/plugstack.conf (SPANK plugins of other packages)
    start_munge
    # A daemon that runs on (the other one died) keeps running with the config and ports it started with.
    if ! alive slurmctld && ! alive slurmd; then write_conf; fi
    alive slurmctld || /usr/sbin/slurmctld -f "$conf" || fail "slurmctld did not start"
    alive slurmd || /usr/sbin/slurmd -f "$conf" -N "$(hostname -s)" || fail "slurmd did not start"
    scontrol show config >/dev/null || fail "scontrol show config fails"
    deadline=$((SECONDS + 30)); resumed=0
    until node_state | grep -qxE 'idle|mixed|allocated'; do
        # slurmctld restores a DRAIN or DOWN of the last run (e.g. "Kill task failed") from its state: clear it once.
        if [ $resumed = 0 ] && node_state | grep -qE '^(drain|down)'; then
            scontrol update NodeName="$(hostname -s)" State=RESUME >/dev/null 2>&1 || true; resumed=1
        fi
        if [ $SECONDS -ge $deadline ]; then
            fail "the node is not idle after 30 s (sinfo: $(timeout 5 sinfo -h -o '%T %E' 2>&1)); stopped it again"
        fi
        sleep 0.2
    done
    exports
    ;;
stop)
    if ! alive slurmd && ! alive slurmctld && [ ! -f "$dir/munged.ours" ]; then rm -f "$dir"/pid/*.pid 2>/dev/null || true; exit 0; fi
    if [ "$(id -u)" != 0 ]; then echo "slurm-test-cluster: must run as root to stop the cluster in $dir" >&2; exit 1; fi
    stop_cluster
    ;;
status)
    if running; then sinfo; else echo "slurm-test-cluster: not running ($dir)" >&2; exit 1; fi
    ;;
*)
    echo "usage: $0 start|stop|status" >&2; exit 2
    ;;
esac
