import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bluelamp.forces.importing import force_get
from bluelamp.insights.charge_rates import own_charge_rates
from bluelamp.outcomes.charge_rates import ChargeRate, policeuk_charge_rates
from bluelamp.outcomes.national import ALL_CRIME


def _month(value: str) -> dt.date:
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise CommandError(f"{value!r}: a month is YYYY-MM") from None


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


class Command(BaseCommand):
    help = (
        "Charge rates per crime type: crimes, charged, the rate and its 95% Wilson interval, "
        "with the national figure beside it where one is known. --source policeuk: the "
        "force's imported police.uk crimes (distinct Crime IDs of the street files; charged "
        "when any outcome row of the crime, or its last outcome category, is 'Suspect "
        "charged' or 'Suspect charged as part of another case'). --source own: the force's "
        "own crimes recorded in the local months, charged when their latest outcome is in "
        "the Home Office 'charged or summonsed' group (from the outcome rollups)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", required=True, help="The force's slug")
        parser.add_argument("--source", choices=["policeuk", "own"], default="policeuk")
        parser.add_argument("--from", dest="start", help="First month, YYYY-MM (default: all)")
        parser.add_argument("--to", dest="end", help="Last month, YYYY-MM, included")
        parser.add_argument("--json", action="store_true", help="One JSON array of rows")

    def handle(self, *args: Any, **options: Any) -> None:
        force = force_get(options["force"])
        start = _month(options["start"]) if options["start"] else None
        end = _month(options["end"]) if options["end"] else None
        if options["source"] == "policeuk":
            rows = policeuk_charge_rates(force=force, start=start, end=end)
        else:
            rows = own_charge_rates(force=force, start=start, end=end)
        if options["json"]:
            self.stdout.write(json.dumps([r.as_dict() for r in rows], indent=1))
            return
        self.stdout.write(self._table(rows))

    def _table(self, rows: list[ChargeRate]) -> str:
        head = ["crime_type", "crimes", "charged", "rate", "low", "high", "national"]
        body = [
            [r.crime_type, str(r.crimes), str(r.charged), _percent(r.rate), _percent(r.low),
             _percent(r.high),
             f"{r.national_rate:.1%} ({r.national_period})" if r.national_rate else ""]
            for r in rows
        ]  # fmt: skip
        widths = [max(len(line[i]) for line in [head, *body]) for i in range(len(head))]
        lines = []
        for line in [head, *body]:
            cells = [line[0].ljust(widths[0])]
            cells += [c.rjust(w) for c, w in zip(line[1:-1], widths[1:-1], strict=True)]
            cells.append(line[-1])
            lines.append("  ".join(cells).rstrip())
        sources = sorted({r.national_source for r in rows if r.national_source})
        lines.append("")
        lines.append(f"National figures ({ALL_CRIME.what}, by offence where known):")
        lines += [f"  {s}" for s in sources]
        return "\n".join(lines)
