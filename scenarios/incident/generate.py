#!/usr/bin/env python3
"""Makes the sample incident of incident-replay.toml: three hours of an
order queue on Black Friday 2026, as CloudWatch would have exported them.

The incident is synthetic, and made by a model that is not mqsim, so that the
replay is checked against data mqsim did not make: a plain event-driven model
of the production system, written here in Python (standard library only).

- Orders arrive as a Poisson process whose rate drifts from 30 to 38 msg/s
  over the afternoon, with a campaign e-mail at 14:10 UTC that lifts it to
  80 msg/s for 25 minutes. Within that, the web shop sends in bursts: 5% of
  the time (spells of 5 s on average) at 4x the rate, a two-state MMPP.
- 12 workers, each receiving one message at a time (SQS ReceiveMessage with
  MaxNumberOfMessages = 1, long polling), processing for a lognormal time
  (median 180 ms, sigma 0.5: mean 204 ms), oldest message first.

It writes, in the AWS CLI's `cloudwatch get-metric-data` format (newest
first, the CLI's default):

- sent.json: NumberOfMessagesSent, Sum per minute, as two pages the CLI
  printed one after the other (NextToken), concatenated;
- observed.json: ApproximateNumberOfMessagesVisible and
  ApproximateAgeOfOldestMessage (seconds, whole), sampled each minute.

It prints the index of dispersion of counts per 10 s around the minute's
rate, which the send log shows and which the scenario's `burst` takes.

Run from anywhere: python3 scenarios/incident/generate.py (seed fixed).
"""

import heapq
import json
import math
import os
import random
from datetime import datetime, timedelta, timezone

START = datetime(2026, 11, 27, 13, 0, tzinfo=timezone.utc)
HOURS = 3
HORIZON = HOURS * 3600.0
WORKERS = 12
MEDIAN, SIGMA = 0.180, 0.5
BURST_SHARE, BURST_LENGTH, BURST_HIGH = 0.05, 5.0, 4.0
HERE = os.path.dirname(os.path.abspath(__file__))


def base_rate(t):
    """Orders per second at t seconds after 13:00 UTC, before bursts."""
    rate = 30.0 + 8.0 * t / HORIZON
    campaign = 70 * 60.0  # 14:10
    if campaign <= t < campaign + 25 * 60.0:
        rate = 80.0
    return rate


def arrivals(rng):
    """Send times: a Poisson process of rate base_rate(t) x m(t), m the
    burst modulation, by thinning at the largest rate."""
    low = (1.0 - BURST_SHARE * BURST_HIGH) / (1.0 - BURST_SHARE)
    quiet_length = BURST_LENGTH * (1.0 - BURST_SHARE) / BURST_SHARE
    in_burst = rng.random() < BURST_SHARE
    switch = rng.expovariate(1.0 / (BURST_LENGTH if in_burst else quiet_length))
    top = 80.0 * BURST_HIGH
    t = 0.0
    while True:
        t += rng.expovariate(top)
        while t >= switch:
            in_burst = not in_burst
            switch += rng.expovariate(1.0 / (BURST_LENGTH if in_burst else quiet_length))
        if t >= HORIZON:
            return
        m = BURST_HIGH if in_burst else low
        if rng.random() * top < base_rate(t) * m:
            yield t


def simulate(rng):
    """Per-minute sent counts, visible messages and oldest age at each
    minute stamp, and the send times (for the dispersion)."""
    service = random.Random(rng.random())
    sends = list(arrivals(rng))
    waiting = []  # send times of visible messages, oldest first
    head = 0
    free_at = [0.0] * WORKERS  # heap of instants the workers are free
    heapq.heapify(free_at)
    visible, age = [], []
    minutes = int(HORIZON // 60)
    i = 0
    for k in range(minutes + 1):
        stamp = 60.0 * k
        # Serve in time order up to the stamp: a free worker takes the
        # oldest visible message, or the next one sent.
        while True:
            free = free_at[0]
            nxt = sends[i] if i < len(sends) else math.inf
            if head < len(waiting) and free <= stamp:
                sent = waiting[head]
                head += 1
                begin = max(free, sent)
            elif nxt <= stamp:
                waiting.append(nxt)
                i += 1
                continue
            else:
                break
            # Messages sent before the worker starts are visible meanwhile.
            while i < len(sends) and sends[i] <= begin:
                waiting.append(sends[i])
                i += 1
            heapq.heapreplace(free_at, begin + MEDIAN * math.exp(SIGMA * service.gauss(0, 1)))
        visible.append(len(waiting) - head)
        age.append(int(stamp - waiting[head]) if head < len(waiting) else 0)
    counts = [0] * minutes
    for t in sends:
        counts[int(t // 60)] += 1
    return counts, visible, age, sends


def dispersion(sends):
    """Index of dispersion of counts per 10 s, each against its minute's
    mean (so the rate's changes from minute to minute do not count)."""
    per10 = [0] * int(HORIZON // 10)
    for t in sends:
        per10[int(t // 10)] += 1
    ratios = []
    for m in range(len(per10) // 6):
        c = per10[6 * m: 6 * m + 6]
        mean = sum(c) / 6
        var = sum((x - mean) ** 2 for x in c) / 5
        ratios.append(var / mean)
    return sum(ratios) / len(ratios)


def stamp(k):
    return (START + timedelta(minutes=k)).isoformat()


def result(ident, label, values, first=0):
    """One MetricDataResults entry, newest first."""
    ks = list(range(first, first + len(values)))[::-1]
    return {
        "Id": ident,
        "Label": label,
        "Timestamps": [stamp(k) for k in ks],
        "Values": [float(values[k - first]) for k in ks],
        "StatusCode": "Complete",
    }


def main():
    counts, visible, age, sends = simulate(random.Random(20261127))
    half = len(counts) // 2
    # The CLI's first page holds the newest points.
    pages = [
        {"MetricDataResults": [result("sent", "NumberOfMessagesSent", counts[half:], half)],
         "NextToken": "page-2", "Messages": []},
        {"MetricDataResults": [result("sent", "NumberOfMessagesSent", counts[:half])],
         "Messages": []},
    ]
    with open(os.path.join(HERE, "sent.json"), "w") as f:
        f.write("\n".join(json.dumps(p, indent=2) for p in pages) + "\n")
    observed = {
        "MetricDataResults": [
            result("visible", "ApproximateNumberOfMessagesVisible", visible),
            result("age", "ApproximateAgeOfOldestMessage", age),
        ],
        "Messages": [],
    }
    with open(os.path.join(HERE, "observed.json"), "w") as f:
        f.write(json.dumps(observed, indent=2) + "\n")
    print(f"{len(sends)} messages; peak visible {max(visible)}, peak age {max(age)} s; "
          f"dispersion of 10 s counts {dispersion(sends):.2f}")


if __name__ == "__main__":
    main()
