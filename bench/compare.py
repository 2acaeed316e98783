#!/usr/bin/env python3
"""mqsim against the reference simulators, side by side, whole process.

Runs each model with mqsim and with the reference simulators of
shared/reference (SimPy, Ciw), interleaved, several times each, and prints a
markdown table: median wall time, messages per second, peak RSS
(/usr/bin/time -v) and the ratio to the reference. Also mqsim's scaling from
1 to 2 threads on replications, and its start-up time on a 1-second run.
With --memory, the peak RSS of a 100-million-message backlog. With --fleet,
600 consumers at 5,000 msg/s for 1 h with a 30 s and a 12 h visibility
timeout (memory and speed that should follow live messages, not timers).
With --pipeline, three M/M/c stations in a chain: message-hops per second (a
message accepted by a queue, summed over the queues) against the single
queue's messages per second.

Usage (repository root; needs `pip install simpy==4.1.2 ciw==3.2.7`):
    cargo build --release
    python3 bench/compare.py [--runs 3] [--no-ciw] [--memory] [--fleet] [--pipeline]
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def timed(cmd):
    """(wall seconds, peak RSS MB, stdout) of one whole-process run."""
    out = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True)
    # mqsim exits 1 when an SLO fails, still a run; a reference model must exit 0.
    allowed = (0, 1) if cmd[0] != sys.executable else (0,)
    if out.returncode not in allowed:
        sys.exit(f"failed: {' '.join(cmd)}\n{out.stderr[-2000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", out.stderr)
    h, m, s = wall.groups()
    seconds = (int(h) if h else 0) * 3600 + int(m) * 60 + float(s)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr).group(1)) / 1024
    return seconds, rss, out.stdout


def mqsim_cmd(binary, scenario, out, *extra):
    return [binary, "run", os.path.join(HERE, scenario), "--quiet", "--out", out, *extra]


def messages_of(out_dir):
    with open(os.path.join(out_dir, "timing.json")) as f:
        return json.load(f)["messages"]


def hops_of(out_dir):
    """Messages accepted by each queue, summed over the queues."""
    with open(os.path.join(out_dir, "summary.json")) as f:
        queues = json.load(f)["queues"]
    return sum(q["metrics"]["produced"]["mean"] for q in queues.values())


def events_of(out_dir):
    with open(os.path.join(out_dir, "timing.json")) as f:
        return json.load(f)["events"]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--no-ciw", action="store_true", help="skip Ciw (about 45 s a run)")
    p.add_argument("--memory", action="store_true", help="also the 100-million-message backlog")
    p.add_argument("--fleet", action="store_true", help="also the 600-consumer fleet, 30 s and 12 h timeouts")
    p.add_argument("--pipeline", action="store_true", help="also the 3-queue pipeline, in message-hops/s")
    p.add_argument("--reference", default=os.path.join(ROOT, "..", "shared", "reference"))
    p.add_argument("--mqsim", default=os.path.join(ROOT, "target", "release", "mqsim"))
    a = p.parse_args()
    ref = a.reference
    tmp = tempfile.mkdtemp(prefix="mqsim-bench-")
    out = os.path.join(tmp, "out")
    jobs = {
        "mmc/mqsim": mqsim_cmd(a.mqsim, "mmc.toml", out, "--threads", "1"),
        "mmc/simpy": [sys.executable, os.path.join(ref, "simpy_mmc.py"), "--lam", "9", "--mu", "1",
                      "--c", "10", "--customers", "1000000", "--seed", "1"],
        "sqs/mqsim": mqsim_cmd(a.mqsim, "sqs.toml", out, "--threads", "1"),
        "sqs/simpy": [sys.executable, os.path.join(ref, "simpy_sqs.py"), "--messages", "1000000",
                      "--p-crash", "0.01", "--visibility-timeout", "30", "--mu", "1", "--c", "12",
                      "--lam", "10", "--outage-start", "20000", "--outage-end", "20600",
                      "--spike-start", "50000", "--spike-end", "50300", "--spike-factor", "3", "--seed", "1"],
        "scale/1 thread": mqsim_cmd(a.mqsim, "mmc.toml", out, "--threads", "1", "--replications", "8"),
        "scale/2 threads": mqsim_cmd(a.mqsim, "mmc.toml", out, "--threads", "2", "--replications", "8"),
        "startup/mqsim": mqsim_cmd(a.mqsim, "startup.toml", out, "--threads", "1"),
    }
    if not a.no_ciw:
        jobs["mmc/ciw"] = [sys.executable, os.path.join(ref, "ciw_mmc.py"), "--lam", "9", "--mu", "1",
                           "--c", "10", "--customers", "1000000", "--seed", "1"]
    if a.memory:
        jobs["backlog/mqsim"] = mqsim_cmd(a.mqsim, "backlog.toml", out, "--threads", "1")
    if a.fleet:
        jobs["fleet-30s/mqsim"] = mqsim_cmd(a.mqsim, "fleet.toml", out, "--threads", "1")
        jobs["fleet-12h/mqsim"] = mqsim_cmd(a.mqsim, "fleet.toml", out, "--threads", "1",
                                            "--set", 'queue.visibility_timeout="12h"')
    if a.pipeline:
        jobs["pipeline/mqsim"] = mqsim_cmd(a.mqsim, "pipeline.toml", out, "--threads", "1")
    results = {k: [] for k in jobs}
    messages = {}
    events = {}
    for run in range(a.runs):  # interleaved: each tool once per round
        for name, cmd in jobs.items():
            wall, rss, _ = timed(cmd)
            results[name].append((wall, rss))
            if name.endswith("mqsim") or name.startswith("scale"):
                messages[name] = messages_of(out)
                events[name] = events_of(out)
            if name == "pipeline/mqsim":
                messages[name] = hops_of(out)
            print(f"round {run + 1}: {name} {wall:.2f} s, {rss:.0f} MB", file=sys.stderr)
    med = {k: (statistics.median(w for w, _ in v), max(r for _, r in v)) for k, v in results.items()}
    n_ref = 1_000_000
    print(f"\n| model | simulator | median wall (s) | messages/s | peak RSS (MB) | speed vs reference |")
    print("|---|---|---|---|---|---|")
    for model, ref_name in [("mmc", "simpy"), ("mmc", "ciw"), ("sqs", "simpy")]:
        key = f"{model}/{ref_name}"
        if key not in med:
            continue
        r_wall, r_rss = med[key]
        m_wall, m_rss = med[f"{model}/mqsim"]
        m_msgs = messages[f"{model}/mqsim"]
        if ref_name == "simpy" or model == "sqs":
            print(f"| {model} | mqsim | {m_wall:.3f} | {m_msgs / m_wall:,.0f} | {m_rss:.0f} | |")
        print(f"| {model} | {ref_name} | {r_wall:.2f} | {n_ref / r_wall:,.0f} | {r_rss:.0f} | "
              f"mqsim {(n_ref / r_wall) and (m_msgs / m_wall) / (n_ref / r_wall):.0f}× faster |")
    w1, w2 = med["scale/1 thread"][0], med["scale/2 threads"][0]
    print(f"\nScaling, 8 replications of mmc: 1 thread {w1:.2f} s, 2 threads {w2:.2f} s: {w1 / w2:.2f}×")
    print(f"Start-up: a 1-second simulation, outputs written: {med['startup/mqsim'][0] * 1000:.0f} ms")
    if "backlog/mqsim" in med:
        wall, rss = med["backlog/mqsim"]
        n = messages["backlog/mqsim"]
        print(f"Backlog: {n:,} messages waiting, peak RSS {rss:.0f} MB ({rss * 1048576 / n:.1f} bytes/message), {wall:.1f} s")
    for timeout in ["30s", "12h"]:
        key = f"fleet-{timeout}/mqsim"
        if key in med:
            wall, rss = med[key]
            print(f"Fleet, visibility timeout {timeout}: {messages[key] / wall:,.0f} msg/s, "
                  f"{events[key]:,} events, peak RSS {rss:.0f} MB, {wall:.1f} s")

    if "pipeline/mqsim" in med:
        wall, rss = med["pipeline/mqsim"]
        hops, single = messages["pipeline/mqsim"] / wall, messages["mmc/mqsim"] / med["mmc/mqsim"][0]
        print(f"Pipeline of 3 queues: {hops:,.0f} message-hops/s, {events['pipeline/mqsim']:,} events, "
              f"peak RSS {rss:.0f} MB, {wall:.2f} s; {hops / single:.0%} of the single queue's "
              f"{single:,.0f} msg/s")


if __name__ == "__main__":
    main()
