"""What ``bluelamp demo`` prints once the demo force is ready: what was made, the logins, the
API token and a request to try with it."""

import json
import shlex

from django.utils import timezone

from bluelamp.ops.demo import Seeded
from bluelamp.ops.demo_force import DEMO_PASSWORD
from bluelamp.ops.demo_history import HISTORY_DAYS


def welcome_lines(seeded: Seeded, site_url: str) -> list[str]:
    """The summary of a seeding run, one printed line each, for a server at ``site_url``."""
    lines: list[str] = []
    history = seeded.history
    if seeded.created:
        lines.append(f"Created {len(seeded.created)} force, team, staff and user rows.")
    if history is None:
        lines.append(
            "The demo force already has its history; nothing added (use --reset to start again)."
        )
    else:
        lines.append(
            f"History: {history.contacts} contacts over {HISTORY_DAYS} days "
            f"({history.excluded} not surveyed), {history.sent} invitations sent, "
            f"{history.responses} responses ({history.dissatisfied} dissatisfied), "
            f"{history.opted_out} opt-outs, {history.cases} recovery cases "
            f"({history.cases_open} still open). Took {history.seconds:.1f} s."
        )
        lines.append(f"Crime mix and places: {seeded.mix_source}")
    if seeded.call_intervals:
        lines.append(
            f"Call statistics: {seeded.call_intervals} intervals of 999 and 101 over "
            "8 weeks, and a roster to the day after tomorrow (101 short from 18:00 to "
            "22:00): see the live view's staffing panel."
        )
    if seeded.crimes:
        lines.append(
            f"Victim care: {seeded.crimes} crimes behind those contacts, with referrals, "
            "Victims' Code clocks and a month of work on them (sign in as demo-victim-care "
            "or demo-specialist)."
        )
    lines.append("")
    lines.append(f"Logins (every demo user's password is {DEMO_PASSWORD}):")
    lines.append(f"  {'username':<26}{'password':<16}{'role':<15}sees")
    for user in seeded.users:
        lines.append(f"  {user.username:<26}{DEMO_PASSWORD:<16}{user.role:<15}{user.description}")
    lines.append("")
    lines.append(f"API token for the demo force (replaced on each run): {seeded.token}")
    body = {
        "reference": f"TRY-{timezone.localtime():%y%m%d-%H%M%S}",
        "received_at": timezone.now().replace(microsecond=0).isoformat(),
        "channel": "101",
        "incident_type": "burglary_residential",
        "call_handler": "CH1001",
        "team": "alpha",
        "answer_seconds": 12,
        "person": {"name": "Sam Example", "phone": "07700 900123", "age": 40},
    }
    lines.append("Try it:")
    lines.append(
        f"  curl -sS -X POST {site_url}/api/v1/contacts "
        f'-H "Authorization: Bearer {seeded.token}" '
        f'-H "Content-Type: application/json" -d {shlex.quote(json.dumps(body))}'
    )
    lines.append("")
    return lines
