#!/usr/bin/env python3
"""mqsim against the independent SimPy model of shared/reference/simpy_sqs.py.

Runs the reference over several seeds and mqsim over its replications on the
same three settings, and compares the means of backlog peak, drain times,
latency p50/p99/mean, dead-letter, duplicate and crash rates: a metric agrees
when the two means differ by at most t(0.995, df) * sqrt(se_mqsim^2 +
se_ref^2), df = min(replications, seeds) - 1 (each side's 99% interval,
combined). Exit 1 if any compared metric disagrees.

Settings (see docs/validation.md for why each metric is or is not compared):
  A incident  lam 8, c 12, exp(1 s), VT 30 s, 1% crashes, a 10-minute
              outage of every consumer and a 3x spike for 5 minutes
  B retries   lam 3, c 12, VT 2 s, 5% crashes, maxReceiveCount 2 (DLQ)
  C redeliver the same with maxReceiveCount 10 (duplicates, no DLQ)

Usage (from the repository root, after `cargo build --release`;
needs `pip install simpy==4.1.2`):
    python3 tests/reference/compare_simpy.py [--seeds 8] [--reference DIR] [--mqsim BIN]
"""
import argparse
import csv
import json
import math
import os
import subprocess
import sys
import tempfile
from multiprocessing import Pool

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# two-sided 99% Student t quantiles, t(0.995, df)
T995 = {1: 63.657, 2: 9.925, 3: 5.841, 4: 4.604, 5: 4.032, 6: 3.707, 7: 3.499,
        8: 3.355, 9: 3.250, 10: 3.169, 11: 3.106, 12: 3.055, 13: 3.012, 14: 2.977,
        15: 2.947, 19: 2.861, 24: 2.797, 29: 2.756}
T975 = {19: 2.093, 9: 2.262, 4: 2.776}

REF_COMMON = ["--mu", "1", "--c", "12", "--batch", "1"]

SETTINGS = [
    {
        "name": "A incident",
        "scenario": "sqs-incident.toml",
        "set": [],
        "ref": ["--lam", "8", "--visibility-timeout", "30", "--p-crash", "0.01",
                "--restart-delay", "5", "--max-receive", "5", "--messages", "600000",
                "--outage-start", "20000", "--outage-end", "20600",
                "--spike-start", "50000", "--spike-end", "50300", "--spike-factor", "3"],
        "compare": ["backlog_max", "drain_after_outage", "drain_after_spike", "latency_p50",
                    "latency_p99", "latency_mean", "crash_rate", "duplicate_rate", "dlq_rate"],
    },
    {
        "name": "B retries",
        "scenario": "sqs-retries.toml",
        "set": [],
        "ref": ["--lam", "3", "--visibility-timeout", "2", "--p-crash", "0.05",
                "--restart-delay", "2", "--max-receive", "2", "--messages", "300000"],
        # Latency and duplicates differ by definition once messages are
        # dead-lettered while still being processed (docs/validation.md).
        "compare": ["dlq_rate", "crash_rate", "backlog_max"],
    },
    {
        "name": "C redeliver",
        "scenario": "sqs-retries.toml",
        "set": ["queue.max_receive_count=10"],
        "ref": ["--lam", "3", "--visibility-timeout", "2", "--p-crash", "0.05",
                "--restart-delay", "2", "--max-receive", "10", "--messages", "300000"],
        "compare": ["duplicate_rate", "latency_p50", "latency_p99", "latency_mean",
                    "crash_rate", "dlq_rate", "backlog_max"],
    },
]


def mean_se(xs):
    n = len(xs)
    m = sum(xs) / n
    if n < 2:
        return m, float("nan")
    var = sum((x - m) ** 2 for x in xs) / (n - 1)
    return m, math.sqrt(var / n)


def t_quantile(table, df):
    known = [d for d in table if d <= df]
    return table[max(known)] if known else table[min(table)]


def run_reference(job):
    script, args, seed = job
    out = subprocess.run([sys.executable, script, *REF_COMMON, *args, "--seed", str(seed)],
                         check=True, capture_output=True, text=True).stdout
    d = json.loads(out)
    n = d["messages_produced"]
    return {
        "backlog_max": d["backlog_max"],
        "drain_after_outage": d["drain_time_after_outage"],
        "drain_after_spike": d["drain_time_after_spike"],
        "latency_p50": d["latency_p50"],
        "latency_p99": d["latency_p99"],
        "latency_mean": d["latency_mean"],
        "crash_rate": d["crashes"] / n,
        "duplicate_rate": d["duplicates"] / n,
        "dlq_rate": d["dlq_count"] / n,
    }


def run_mqsim(binary, setting):
    """Per-metric (mean, se) over mqsim's replications."""
    scenario = os.path.join(HERE, setting["scenario"])
    with tempfile.TemporaryDirectory() as out:
        cmd = [binary, "run", scenario, "--quiet", "--out", out]
        for s in setting["set"]:
            cmd += ["--set", s]
        subprocess.run(cmd, check=True, capture_output=True)
        with open(os.path.join(out, "replications.csv")) as f:
            rows = [{k: float(v) for k, v in r.items()} for r in csv.DictReader(f)]
        with open(os.path.join(out, "summary.json")) as f:
            summary = json.load(f)
    per_rep = {
        "backlog_max": [r["backlog_max"] for r in rows],
        "latency_p50": [r["latency_p50"] for r in rows],
        "latency_p99": [r["latency_p99"] for r in rows],
        "latency_mean": [r["latency_mean"] for r in rows],
        "crash_rate": [r["consumer_crashes"] / r["produced"] for r in rows],
        "duplicate_rate": [r["duplicates"] / r["produced"] for r in rows],
        "dlq_rate": [r["dead_lettered"] / r["produced"] for r in rows],
    }
    stats = {k: mean_se(v) for k, v in per_rep.items()}
    # Per-fault drain times are in summary.json as mean and 95% interval.
    reps = len(rows)
    for fault in summary.get("faults", []):
        name = {"consumer-outage": "drain_after_outage", "spike": "drain_after_spike"}[fault["kind"]]
        d = fault["drain_time"]
        se = (d["ci95_high"] - d["ci95_low"]) / (2 * t_quantile(T975, reps - 1))
        stats[name] = (d["mean"], se)
    return stats, reps


def compare(setting, mq, reps, ref_runs):
    seeds = len(ref_runs)
    t = t_quantile(T995, min(reps, seeds) - 1)
    rows, ok = [], True
    for metric in setting["compare"]:
        m1, se1 = mq[metric]
        m2, se2 = mean_se([r[metric] for r in ref_runs])
        allowed = t * math.sqrt(se1 ** 2 + se2 ** 2)
        agree = (m1 == m2) if allowed == 0 else abs(m1 - m2) <= allowed
        ok &= agree
        rows.append((metric, m1, m2, m1 - m2, allowed, "agree" if agree else "DIFFER"))
    return rows, ok


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seeds", type=int, default=8)
    p.add_argument("--reference", default=os.path.join(ROOT, "..", "shared", "reference"))
    p.add_argument("--mqsim", default=os.path.join(ROOT, "target", "release", "mqsim"))
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    a = p.parse_args()
    script = os.path.join(a.reference, "simpy_sqs.py")
    all_ok = True
    with Pool(a.jobs) as pool:
        for setting in SETTINGS:
            jobs = [(script, setting["ref"], seed) for seed in range(1, a.seeds + 1)]
            ref_runs = pool.map(run_reference, jobs)
            mq, reps = run_mqsim(a.mqsim, setting)
            rows, ok = compare(setting, mq, reps, ref_runs)
            all_ok &= ok
            print(f"\n{setting['name']}: mqsim {reps} replications, reference {a.seeds} seeds")
            print(f"  {'metric':<20}{'mqsim':>14}{'reference':>14}{'difference':>14}{'allowed':>12}  verdict")
            for metric, m1, m2, diff, allowed, verdict in rows:
                print(f"  {metric:<20}{m1:>14.6g}{m2:>14.6g}{diff:>14.4g}{allowed:>12.4g}  {verdict}")
    print("\nall compared metrics agree" if all_ok else "\nSOME METRICS DIFFER")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
