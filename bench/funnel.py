"""False alarms of the funnel alerts (units against the force), measured by simulation.

Ten teams of one true dissatisfied share answer surveys for a month; each day every team is
judged on its last 28 days against the force's share over the same days (as
``insights.services.funnel_pictures`` does, the target being the force's own observed share),
with the funnel's 99.8% limit and its overdispersion. A month with any team outside is a
month with a false alarm. Also: how soon a team whose share doubles is flagged.

    .venv/bin/python bench/funnel.py --months 400
"""

import argparse
import os
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from bluelamp.insights import funnel


def month(
    rng: random.Random, teams: int, per_day: int, share: float, bad: float | None
) -> list[int]:
    """Days (0-based within the judged month) on which any team was outside; with ``bad``,
    team 0's share from the month's first day is ``bad`` and only its alarms are returned."""
    days = 56
    daily = []
    for d in range(days):
        row = []
        for t in range(teams):
            s = bad if bad is not None and t == 0 and d >= 28 else share
            row.append(sum(rng.random() < s for _ in range(per_day)))
        daily.append(row)
    flagged = []
    for day in range(28, days):
        counts = [sum(daily[d][t] for d in range(day - 27, day + 1)) for t in range(teams)]
        n = per_day * 28
        force_share = sum(counts) / (n * teams)
        units = [funnel.Unit(str(t), n, x, n * force_share) for t, x in enumerate(counts)]
        verdicts, _ = funnel.judge(units)
        out = [v.unit.key for v in verdicts if v.outside]
        if (bad is None and out) or (bad is not None and "0" in out):
            flagged.append(day - 28)
    return flagged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--months", type=int, default=400)
    parser.add_argument("--teams", type=int, default=10)
    parser.add_argument("--per-day", type=int, default=30, help="answers a team a day")
    parser.add_argument("--share", type=float, default=0.12, help="true dissatisfied share")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    started = time.perf_counter()
    false = [month(rng, args.teams, args.per_day, args.share, None) for _ in range(args.months)]
    months_alarmed = sum(1 for f in false if f)
    team_days = sum(len(f) for f in false)
    print(
        f"{args.teams} teams of equal share {args.share:.0%}, {args.per_day} answers a team a day, "
        f"judged daily on 28 days, {args.months} simulated months:"
    )
    print(
        f"  months with any false alarm: {months_alarmed} of {args.months} "
        f"({months_alarmed / args.months:.1%}); days with one: {team_days} of {args.months * 28}"
    )
    doubled = [month(rng, args.teams, args.per_day, args.share, args.share * 2) for _ in range(100)]
    firsts = [f[0] + 1 for f in doubled if f]
    print(
        f"  a team whose share doubles from day 1: flagged in {len(firsts)} of 100 months, "
        f"median on day {statistics.median(firsts) if firsts else '-'}"
    )
    print(f"  ({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
