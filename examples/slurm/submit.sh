#!/bin/bash
# Submits an mqsim sweep as a Slurm job array of SHARDS shards, then the
# merge, which waits for every shard to succeed.
#
#   examples/slurm/submit.sh scenarios/capacity-plan.toml 16 /shared/results/capacity
#
# Extra mqsim flags (the same for every shard) go in MQSIM_ARGS, e.g.
#   MQSIM_ARGS='--replications 40 --vary consumers.count=4..64:4' examples/slurm/submit.sh ...
# SHARD_CPUS sets the cores of each shard (default 4); MQSIM the binary.
set -euo pipefail

scenario=${1:?usage: submit.sh SCENARIO SHARDS RESULTS_DIR}
shards=${2:?usage: submit.sh SCENARIO SHARDS RESULTS_DIR}
results=${3:?usage: submit.sh SCENARIO SHARDS RESULTS_DIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$results"

# Check the scenario once, here, rather than in every task (exit 2 if bad).
"${MQSIM:-mqsim}" check "$scenario" > "$results/check.txt"

array=$(sbatch --parsable --array="1-$shards" --cpus-per-task="${SHARD_CPUS:-4}" \
    --export="ALL,SCENARIO=$scenario,RESULTS=$results" \
    "$here/sweep-array.sbatch")
merge=$(sbatch --parsable --dependency="afterok:${array%%;*}" \
    --export="ALL,RESULTS=$results" \
    "$here/merge.sbatch")
echo "array job $array ($shards shards), merge job $merge; results in $results/merged"
