#!/usr/bin/env python3
"""Runs the pods of sweep-job.yaml and merge-job.yaml here, without a cluster.

Each container's command runs under /bin/sh with the env of the manifest,
JOB_COMPLETION_INDEX = 0 .. completions-1 as the Job controller sets it, and
the volume mount paths mapped to local directories; then the merge pod's
command runs. It checks that the manifests parse, that completions equals
SHARDS, and that the commands work with the mqsim on PATH, before anything
is submitted to a cluster. Needs PyYAML.

    examples/kubernetes/check-locally.py SCENARIO_DIR RESULTS_DIR
"""
import os
import subprocess
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))


def job_of(path):
    docs = [d for d in yaml.safe_load_all(open(path)) if d]
    return next(d for d in docs if d["kind"] == "Job")


def run_pod(job, mounts, extra_env):
    container = job["spec"]["template"]["spec"]["containers"][0]
    env = dict(os.environ)
    for item in container.get("env", []):
        value = item["value"]
        for mount, local in mounts.items():
            if value.startswith(mount):
                value = local + value[len(mount):]
        env[item["name"]] = value
    env.update(extra_env)
    return subprocess.run(container["command"], env=env).returncode


def main():
    scenario_dir, results_dir = (os.path.abspath(p) for p in sys.argv[1:3])
    mounts = {"/scenario": scenario_dir, "/results": results_dir}
    sweep = job_of(os.path.join(HERE, "sweep-job.yaml"))
    merge = job_of(os.path.join(HERE, "merge-job.yaml"))
    spec = sweep["spec"]
    assert spec["completionMode"] == "Indexed", "the sweep must be an Indexed Job"
    env = {e["name"]: e["value"] for e in spec["template"]["spec"]["containers"][0]["env"]}
    assert int(env["SHARDS"]) == spec["completions"], "completions and SHARDS differ"
    for index in range(spec["completions"]):
        code = run_pod(sweep, mounts, {"JOB_COMPLETION_INDEX": str(index)})
        assert code == 0, f"pod {index} exited {code}"
    code = run_pod(merge, mounts, {})
    assert code in (0, 1), f"merge exited {code}"  # 1: an SLO failed, a result
    print(f"{spec['completions']} shard pods and the merge ran; merged files under {results_dir}")


if __name__ == "__main__":
    main()
