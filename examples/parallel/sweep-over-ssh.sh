#!/bin/bash
# Runs an mqsim sweep as SHARDS shards spread over machines by GNU parallel
# over ssh, brings every shard's directory back, and merges them here.
#
#   cd /path/above/the/scenario   # paths below are relative to here
#   examples/parallel/sweep-over-ssh.sh scenarios/capacity-plan.toml 16 results/capacity hosts.txt
#
# hosts.txt is GNU parallel's --sshloginfile: one `N/user@host` per line
# (N = shards at once on that host, e.g. its cores / --threads), `:` for
# this machine. Every host needs ssh access by key and mqsim of the SAME
# version on its PATH (merge refuses shards of another version); MQSIM names
# the binary if it is elsewhere. Extra mqsim flags for every shard go in
# MQSIM_ARGS, e.g. MQSIM_ARGS='--replications 40 --vary consumers.count=4..64:4'.
set -euo pipefail

scenario=${1:?usage: sweep-over-ssh.sh SCENARIO SHARDS RESULTS_DIR HOSTS_FILE}
shards=${2:?usage: sweep-over-ssh.sh SCENARIO SHARDS RESULTS_DIR HOSTS_FILE}
results=${3:?usage: sweep-over-ssh.sh SCENARIO SHARDS RESULTS_DIR HOSTS_FILE}
hosts=${4:?usage: sweep-over-ssh.sh SCENARIO SHARDS RESULTS_DIR HOSTS_FILE}
mqsim=${MQSIM:-mqsim}
case "$scenario$results" in
    /*) echo "give SCENARIO and RESULTS_DIR relative to this directory" >&2; exit 2 ;;
esac

# A bad scenario is reported once, here, not by every host (exit 2).
"$mqsim" check "$scenario" > /dev/null
mkdir -p "$results"

# --basefile sends the scenario's directory (its traces and sample files are
# relative to it) to every host once; --return brings each shard's
# directory back into $results; --cleanup removes both from the hosts. A
# shard is all-or-nothing, so --retries simply runs a failed one again.
parallel --sshloginfile "$hosts" \
    --workdir mqsim-shards \
    --basefile "$(dirname "$scenario")" \
    --return "$results/shard-{}" --cleanup \
    --retries 2 --halt now,fail=1 --joblog "$results/joblog.txt" \
    --tagstring "shard {}" \
    "$mqsim" sweep "$scenario" ${MQSIM_ARGS:-} --shard "{}/$shards" --quiet --out "$results/shard-{}" \
    ::: $(seq 1 "$shards")

"$mqsim" merge "$results"/shard-* --out "$results/merged"
