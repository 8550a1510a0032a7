"""Who may be surveyed, when and how: a force's contact rules, as data, and a pure decision.

A force edits its rules in the admin as JSON; every save is a new version, and every decision
records the version and the rule that took it, so "why was this person not surveyed?" always
has an answer in words. Checks run from the most to the least serious, so the recorded reason
is the weightiest:

1. flags that mean contact could put someone at risk or would be unwelcome;
2. incident types never surveyed (the taxonomy's sensitive types, and the force's own list);
3. age under the minimum;
4. the person opted out;
5. no usable contact details (SMS needs a mobile number);
6. the frequency cap: a person, matched by the keyed fingerprint of their phone or email, is
   surveyed at most once in ``frequency_days`` across all their contacts;
7. sampling: the first sampling rule that matches the incident type and channel gives the
   share surveyed; the draw is a keyed hash of the contact, so it is the same every time.

Contacts imported as history (``bluelamp import-contacts --no-invitations``) are none of this:
each is recorded as excluded with the reason ``imported_history`` and never surveyed.

Timing is part of the rules too: each stage's delay after its event, quiet hours (a message
due at night waits for the morning), one reminder if the link was not opened, and expiry.
"""

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
STAGES = ("first_contact", "attendance", "investigation", "outcome", "recovery_follow_up")
CHANNELS = ("999", "101", "online", "front_counter", "other")
VIA = ("sms", "email")

DEFAULT_CONTACT_RULES: dict[str, Any] = {
    "minimum_age": 16,
    "excluded_flags": {
        "domestic_abuse": "Domestic abuse: contact could put the victim at risk",
        "honour_based_abuse": "Honour-based abuse: contact could put the victim at risk",
        "hate_crime": "Hate crime: followed up by the force's hate crime officers, not surveyed",
        "child_victim": "A child victim: not surveyed",
        "sexual_offence": "Sexual offence: surveyed only with explicit consent",
        "suspect_may_share_phone": "The suspect may share or see the victim's phone",
        "deceased": "The person has died",
        "bereaved": "Bereaved family",
        "do_not_contact": "Marked do not contact",
        "complaint_open": "A complaint is open",
    },
    "excluded_incident_types": [],
    "channel_preference": ["sms", "email"],
    "frequency_days": 30,
    "quiet_hours": {"start": "20:00", "end": "08:00"},
    "reminder_after_hours": 48,
    "expiry_days": 14,
    "stages": {
        "first_contact": {"delay_hours": 6},
        "attendance": {"delay_hours": 6},
        "investigation": {"delay_hours": 24},
        "outcome": {"delay_hours": 24},
        "recovery_follow_up": {"delay_hours": 24, "frequency_cap": False},
    },
    # Everyone who may be surveyed is; a force samples by incident type and channel, e.g.
    # [{"id": "burglary_all", "incident_types": ["burglary_residential"], "share": 1},
    #  {"id": "calls_101_one_in_five", "channels": ["101"], "share": 0.2}, ...].
    "sampling": [{"id": "everyone", "share": 1.0}],
    "repeat_victim_template": "",
}


class RulesInvalid(ValueError):
    """The rules do not parse; the message names the field, e.g. ``sampling[1].share``."""


@dataclass(frozen=True)
class Sampling:
    id: str
    share: float
    incident_types: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()
    via: frozenset[str] = frozenset()

    def matches(self, incident_type: str, channel: str, via: str) -> bool:
        return (
            (not self.incident_types or incident_type in self.incident_types)
            and (not self.channels or channel in self.channels)
            and (not self.via or via in self.via)
        )


@dataclass(frozen=True)
class StageTiming:
    delay_hours: float
    frequency_cap: bool = True


@dataclass(frozen=True)
class ContactRules:
    minimum_age: int
    excluded_flags: Mapping[str, str]
    excluded_incident_types: frozenset[str]
    channel_preference: tuple[str, ...]
    frequency_days: int
    quiet_start: dt.time | None
    quiet_end: dt.time | None
    reminder_after_hours: float | None
    expiry_days: int
    stages: Mapping[str, StageTiming]
    sampling: tuple[Sampling, ...]
    repeat_victim_template: str = ""

    def timing(self, stage: str) -> StageTiming:
        return self.stages.get(stage, StageTiming(0.0))


@dataclass(frozen=True)
class Facts:
    """What the rules need to know about one contact, at one stage."""

    force: str
    reference: str
    stage: str
    incident_type: str
    incident_name: str
    incident_sensitive: bool
    channel: str
    flags: frozenset[str]
    age: int | None
    opted_out: bool
    has_mobile: bool
    has_email: bool
    surveyed_recently: bool = False
    repeat_victim: bool = False


@dataclass(frozen=True)
class Decision:
    scheduled: bool
    rule: str
    reason: str = ""
    reason_text: str = ""
    via: str = ""
    template_key: str = ""


# A contact imported as history (import-contacts --no-invitations): recorded, never surveyed.
IMPORTED_HISTORY = Decision(
    False, "import.no_invitations", "imported_history", "Imported as history: not surveyed"
)


# ----------------------------------------------------------------------------- parsing


def _time(value: Any, where: str) -> dt.time:
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError:
        raise RulesInvalid(f"{where}: give a time of day such as 20:00") from None


def _number(value: Any, where: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RulesInvalid(f"{where}: must be a number")
    if not low <= value <= high:
        raise RulesInvalid(f"{where}: must be between {low:g} and {high:g}")
    return float(value)


def _codes(value: Any, where: str, allowed: tuple[str, ...] | None = None) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RulesInvalid(f"{where}: must be a list of codes")
    if allowed is not None:
        for i, v in enumerate(value):
            if v not in allowed:
                raise RulesInvalid(f"{where}[{i}]: '{v}' is not one of {', '.join(allowed)}")
    return frozenset(value)


def parse_contact_rules(data: Any) -> ContactRules:
    """Check a rule set (JSON) and build it; a bad field raises ``RulesInvalid`` naming it."""
    if not isinstance(data, dict):
        raise RulesInvalid("rules: must be an object")
    known = set(DEFAULT_CONTACT_RULES)
    for key in data:
        if key not in known:
            raise RulesInvalid(f"{key}: unknown setting (known: {', '.join(sorted(known))})")
    merged = {**DEFAULT_CONTACT_RULES, **data}

    flags = merged["excluded_flags"]
    if not isinstance(flags, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in flags.items()
    ):
        raise RulesInvalid("excluded_flags: must map each flag to the reason shown for it")

    preference = merged["channel_preference"]
    pref = _codes(preference, "channel_preference", VIA)
    if not pref:
        raise RulesInvalid("channel_preference: name at least one of sms, email")

    quiet = merged["quiet_hours"]
    if quiet is None:
        quiet_start = quiet_end = None
    elif isinstance(quiet, dict) and set(quiet) == {"start", "end"}:
        quiet_start = _time(quiet["start"], "quiet_hours.start")
        quiet_end = _time(quiet["end"], "quiet_hours.end")
        if quiet_start == quiet_end:
            raise RulesInvalid("quiet_hours: start and end must differ (or set it to null)")
    else:
        raise RulesInvalid('quiet_hours: give {"start": "20:00", "end": "08:00"}, or null')

    reminder = merged["reminder_after_hours"]
    reminder_hours = (
        None if reminder is None else _number(reminder, "reminder_after_hours", 1, 24 * 14)
    )

    stages_raw = merged["stages"]
    if not isinstance(stages_raw, dict):
        raise RulesInvalid("stages: must map each stage to its timing")
    stages: dict[str, StageTiming] = {}
    for name, timing in {**DEFAULT_CONTACT_RULES["stages"], **stages_raw}.items():
        if name not in STAGES:
            raise RulesInvalid(f"stages.{name}: unknown stage (known: {', '.join(STAGES)})")
        if not isinstance(timing, dict) or not set(timing) <= {"delay_hours", "frequency_cap"}:
            raise RulesInvalid(f"stages.{name}: give delay_hours (and frequency_cap)")
        cap = timing.get("frequency_cap", True)
        if not isinstance(cap, bool):
            raise RulesInvalid(f"stages.{name}.frequency_cap: must be true or false")
        stages[name] = StageTiming(
            _number(timing.get("delay_hours", 0), f"stages.{name}.delay_hours", 0, 24 * 90), cap
        )

    sampling_raw = merged["sampling"]
    if not isinstance(sampling_raw, list):
        raise RulesInvalid("sampling: must be a list of rules")
    sampling: list[Sampling] = []
    seen: set[str] = set()
    for i, rule in enumerate(sampling_raw):
        where = f"sampling[{i}]"
        if not isinstance(rule, dict):
            raise RulesInvalid(f"{where}: must be an object")
        extra = set(rule) - {"id", "share", "incident_types", "channels", "via"}
        if extra:
            raise RulesInvalid(f"{where}.{sorted(extra)[0]}: unknown setting")
        rule_id = rule.get("id")
        if not isinstance(rule_id, str) or not rule_id.strip():
            raise RulesInvalid(f"{where}.id: give each sampling rule a name")
        if rule_id in seen:
            raise RulesInvalid(f"{where}.id: '{rule_id}' is used twice")
        seen.add(rule_id)
        sampling.append(
            Sampling(
                id=rule_id,
                share=_number(rule.get("share"), f"{where}.share", 0, 1),
                incident_types=_codes(rule.get("incident_types", []), f"{where}.incident_types"),
                channels=_codes(rule.get("channels", []), f"{where}.channels", CHANNELS),
                via=_codes(rule.get("via", []), f"{where}.via", VIA),
            )
        )

    template = merged["repeat_victim_template"]
    if not isinstance(template, str):
        raise RulesInvalid("repeat_victim_template: must be a template key, or empty")

    return ContactRules(
        minimum_age=int(_number(merged["minimum_age"], "minimum_age", 0, 25)),
        excluded_flags=dict(flags),
        excluded_incident_types=_codes(
            merged["excluded_incident_types"], "excluded_incident_types"
        ),
        channel_preference=tuple(dict.fromkeys(preference)),
        frequency_days=int(_number(merged["frequency_days"], "frequency_days", 0, 365)),
        quiet_start=quiet_start,
        quiet_end=quiet_end,
        reminder_after_hours=reminder_hours,
        expiry_days=int(_number(merged["expiry_days"], "expiry_days", 1, 90)),
        stages=stages,
        sampling=tuple(sampling),
        repeat_victim_template=template,
    )


# ----------------------------------------------------------------------------- deciding


def sample_draw(secret: str, facts: Facts) -> float:
    """A number in [0, 1) fixed by the contact and stage: the same contact gets the same draw."""
    message = f"{facts.force}\x1f{facts.reference}\x1f{facts.stage}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def decide(rules: ContactRules, facts: Facts, *, secret: str) -> Decision:
    """Whether to invite this contact at this stage, by which channel, and the rule that said."""
    for flag, text in rules.excluded_flags.items():
        if flag in facts.flags:
            return Decision(False, f"excluded_flags.{flag}", f"flag_{flag}", text)
    if facts.incident_sensitive:
        return Decision(
            False,
            "taxonomy.sensitive",
            "sensitive_type",
            f"{facts.incident_name} is never surveyed",
        )
    if facts.incident_type in rules.excluded_incident_types:
        return Decision(
            False,
            "excluded_incident_types",
            "excluded_type",
            f"{facts.incident_name} is not surveyed by this force",
        )
    if facts.age is not None and facts.age < rules.minimum_age:
        return Decision(
            False, "minimum_age", "under_age", f"Aged {facts.age}, under {rules.minimum_age}"
        )
    if facts.opted_out:
        return Decision(False, "opt_out", "opted_out", "The person asked not to be contacted again")
    available = {"sms": facts.has_mobile, "email": facts.has_email}
    via = next((v for v in rules.channel_preference if available[v]), "")
    if not via:
        wanted = " or ".join(
            {"sms": "mobile phone number", "email": "email address"}[v]
            for v in rules.channel_preference
        )
        return Decision(False, "channel_preference", "no_contact_details", f"No {wanted}")
    if facts.surveyed_recently and rules.timing(facts.stage).frequency_cap:
        return Decision(
            False,
            "frequency_days",
            "frequency_cap",
            f"Already invited to a survey in the last {rules.frequency_days} days",
        )
    template = rules.repeat_victim_template if facts.repeat_victim else ""
    for sampling in rules.sampling:
        if sampling.matches(facts.incident_type, facts.channel, via):
            if sample_draw(secret, facts) < sampling.share:
                return Decision(True, f"sampling.{sampling.id}", via=via, template_key=template)
            return Decision(
                False,
                f"sampling.{sampling.id}",
                "not_sampled",
                f"Not in the sample: {sampling.share:.0%} of these contacts are surveyed",
            )
    return Decision(
        False, "sampling", "not_sampled", "No sampling rule covers this incident type and channel"
    )


def in_quiet_hours(rules: ContactRules, at: dt.datetime) -> bool:
    """Whether ``at`` falls in the force's quiet hours, in London time."""
    if rules.quiet_start is None or rules.quiet_end is None:
        return False
    local = at.astimezone(LONDON).time()
    if rules.quiet_start < rules.quiet_end:
        return rules.quiet_start <= local < rules.quiet_end
    return local >= rules.quiet_start or local < rules.quiet_end


def next_allowed(rules: ContactRules, at: dt.datetime) -> dt.datetime:
    """``at`` itself, or the end of the quiet hours it falls in (the next morning)."""
    if not in_quiet_hours(rules, at):
        return at
    assert rules.quiet_end is not None
    local = at.astimezone(LONDON)
    day = local.date()
    if local.time() >= rules.quiet_end:
        day += dt.timedelta(days=1)
    # The end of quiet hours as a London wall-clock time; fold=0 picks the first on the day
    # the clocks go back, and a time skipped when they go forward comes out an hour later.
    end = dt.datetime.combine(day, rules.quiet_end, tzinfo=LONDON)
    return end.astimezone(dt.UTC)


def send_time(
    rules: ContactRules, *, stage: str, event_at: dt.datetime, now: dt.datetime
) -> dt.datetime:
    """When a stage's invitation goes: its delay after the event, not before now, never at night."""
    due = max(now, event_at + dt.timedelta(hours=rules.timing(stage).delay_hours))
    return next_allowed(rules, due)


def explain(rules: ContactRules) -> list[str]:
    """The rules in plain sentences, in the order they are applied."""
    lines = [
        "Never surveyed when flagged: " + ", ".join(sorted(rules.excluded_flags)) + ".",
        "Never surveyed: the taxonomy's sensitive incident types"
        + (
            ", and " + ", ".join(sorted(rules.excluded_incident_types))
            if rules.excluded_incident_types
            else ""
        )
        + ".",
        f"Nobody under {rules.minimum_age}; nobody who opted out.",
        "Sent by "
        + ", else ".join(v.upper() if v == "sms" else v for v in rules.channel_preference)
        + ".",
        f"At most one survey per person in {rules.frequency_days} days.",
    ]
    for s in rules.sampling:
        scope = " and ".join(
            part
            for part in (
                ", ".join(sorted(s.incident_types)),
                ", ".join(sorted(s.channels)) + " calls" if s.channels else "",
                " or ".join(sorted(s.via)) if s.via else "",
            )
            if part
        )
        lines.append(f"Sampling '{s.id}': {s.share:.0%} of {scope or 'all other contacts'}.")
    if rules.quiet_start and rules.quiet_end:
        lines.append(
            f"Nothing is sent between {rules.quiet_start:%H:%M} and {rules.quiet_end:%H:%M}; "
            "a message due then waits for the morning."
        )
    for stage, timing in rules.stages.items():
        lines.append(f"{stage.replace('_', ' ').capitalize()}: {timing.delay_hours:g} hours after.")
    if rules.reminder_after_hours:
        lines.append(f"One reminder {rules.reminder_after_hours:g} hours later if not opened.")
    lines.append(f"Links expire after {rules.expiry_days} days.")
    return lines
