#!/bin/bash
# Runs sweep-job.yaml, waits for every index, runs merge-job.yaml, and
# copies the merged sweep out of the volume into ./merged.
#   examples/kubernetes/run.sh scenarios/capacity-plan.toml
set -euo pipefail
scenario=${1:?usage: run.sh SCENARIO}
here=$(cd "$(dirname "$0")" && pwd)

kubectl create configmap mqsim-scenario --from-file="$scenario" --dry-run=client -o yaml | kubectl apply -f -
kubectl delete job mqsim-sweep mqsim-merge --ignore-not-found
kubectl apply -f "$here/sweep-job.yaml"
kubectl wait --for=condition=complete job/mqsim-sweep --timeout=24h
kubectl apply -f "$here/merge-job.yaml"
kubectl wait --for=condition=complete job/mqsim-merge --timeout=1h
kubectl logs job/mqsim-merge
# A pod that mounts the volume, to copy the merged files out.
kubectl run mqsim-fetch --restart=Never --image=registry.example.com/mqsim:0.1.0 \
    --overrides='{"spec":{"volumes":[{"name":"r","persistentVolumeClaim":{"claimName":"mqsim-results"}}],
      "containers":[{"name":"f","image":"registry.example.com/mqsim:0.1.0","command":["sleep","600"],
      "volumeMounts":[{"name":"r","mountPath":"/results"}]}]}}'
kubectl wait --for=condition=ready pod/mqsim-fetch
kubectl cp mqsim-fetch:/results/capacity-plan/merged ./merged
kubectl delete pod mqsim-fetch
