"""How often the alerts cry wolf, and how fast they see a real rise (simulated, no database).

Each simulated team answers ``--per-day`` surveys a day with a steady 10% dissatisfied for a
month; the script counts the months with a false alarm. Then each team's dissatisfaction
rises from 10% to 40% and the script records how many answers after the rise the alert
comes. It runs the same ``cusum_step`` and threshold as the live system.

    .venv/bin/python bench/alerts.py
    .venv/bin/python bench/alerts.py --teams 2000 --per-day 30
"""

import argparse
import random
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bluelamp.insights.alerts import THRESHOLD, cusum_step


def month_alarms(rng: random.Random, answers: int, p: float, p0: float) -> bool:
    total = 0.0
    for _ in range(answers):
        total = cusum_step(total, rng.random() < p, p0)
        if total > THRESHOLD:
            return True
    return False


def delay(rng: random.Random, p: float, p0: float, warm: int) -> int:
    total = 0.0
    for _ in range(warm):  # the steady days before the rise
        total = cusum_step(total, rng.random() < p0, p0)
    n = 0
    while True:
        n += 1
        total = cusum_step(total, rng.random() < p, p0)
        if total > THRESHOLD:
            return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--teams", type=int, default=1000)
    parser.add_argument("--per-day", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    month = 30 * args.per_day
    false = sum(month_alarms(rng, month, 0.10, 0.10) for _ in range(args.teams))
    delays = sorted(delay(rng, 0.40, 0.10, warm=200) for _ in range(args.teams))
    print(f"steady 10% dissatisfied, {args.per_day} answers a day, {args.teams} team-months:")
    print(f"  months with a false alarm: {false} ({false / args.teams:.1%})")
    print(f"rise from 10% to 40% ({args.teams} teams): answers until the alert")
    print(
        f"  median {statistics.median(delays):.0f}, p90 {delays[int(0.9 * len(delays))]}, "
        f"max {delays[-1]}"
    )


if __name__ == "__main__":
    main()
