"""Reading the survey tables: the current template and contact rules (cached per process),
opt-outs, the frequency cap's look-ups, a survey link and its state. No writes."""

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cachetools import TTLCache
from django.conf import settings
from django.db import connection
from django.db.models import BooleanField, F, Q
from django.db.models.expressions import RawSQL

from bluelamp.surveys import contact_rules
from bluelamp.surveys.models import LIVE_SQL, ContactRuleSet, Invitation, OptOut, SurveyTemplate
from bluelamp.surveys.subjects import Person

if TYPE_CHECKING:
    from bluelamp.forces.models import Force


# The current template per force, key and stage, for TEMPLATE_CACHE_SECONDS: looking it up
# for every contact was a fifth of intake time. The admin clears it on save; other processes
# see a new version within the TTL.
TEMPLATE_CACHE_SECONDS = 30.0
_templates: TTLCache[tuple[int, str, str, str], SurveyTemplate] = TTLCache(
    maxsize=4096, ttl=TEMPLATE_CACHE_SECONDS
)


def template_cache_clear() -> None:
    _templates.clear()


def template_current(*, force: "Force", key: str, stage: str = "first_contact") -> SurveyTemplate:
    """The force's own active template for the key and stage, else the shipped default."""
    cache_key = (force.pk, force.created_at.isoformat(), key, stage)
    found = _templates.get(cache_key)
    if found is None:
        found = _templates[cache_key] = _template_lookup(force=force, key=key, stage=stage)
    return found


def _template_lookup(*, force: "Force", key: str, stage: str) -> SurveyTemplate:
    found = (
        SurveyTemplate.objects.filter(
            Q(force=force) | Q(force=None), key=key, stage=stage, active=True
        )
        .order_by(F("force_id").asc(nulls_last=True), "-version")
        .first()
    )
    if found is None and key != "general":
        return _template_lookup(force=force, key="general", stage=stage)
    if found is None:
        raise SurveyTemplate.DoesNotExist(f"no template for {key}/{stage}")
    return found


def person_opted_out(person: Person) -> bool:
    """Whether the person (by any fingerprint) asked never to be contacted again.

    Asked on every contact, so written as the one statement it is (the ORM took longer to
    compose it than the database to answer it)."""
    keys = [k for k in (person.phone_key, person.email_key) if k]
    if not keys:
        return False
    marks = ", ".join(["%s"] * len(keys))
    sql = f"SELECT 1 FROM {OptOut._meta.db_table} WHERE force_id = %s AND key IN ({marks})"  # noqa: S608 (names are ours, values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql + " LIMIT 1", [person.force_id, *keys])
        return cursor.fetchone() is not None


@dataclass(frozen=True)
class CurrentContactRules:
    rules: contact_rules.ContactRules
    version: int  # 0: the shipped defaults


# Read for every contact, so cached per process like the templates; the admin clears it on
# save and other processes see a new version within the TTL.
_contact_rules: TTLCache[tuple[int, str], CurrentContactRules] = TTLCache(
    maxsize=1024, ttl=TEMPLATE_CACHE_SECONDS
)


def contact_rules_cache_clear() -> None:
    _contact_rules.clear()


def contact_rules_current(force: "Force") -> CurrentContactRules:
    """The force's active contact rules, else the shipped defaults (version 0)."""
    cache_key = (force.pk, force.created_at.isoformat())
    cached = _contact_rules.get(cache_key)
    if cached is not None:
        return cached
    found = ContactRuleSet.objects.filter(force=force, active=True).order_by("-version").first()
    current = (
        CurrentContactRules(contact_rules.parse_contact_rules(found.definition), found.version)
        if found is not None
        else CurrentContactRules(
            contact_rules.parse_contact_rules(contact_rules.DEFAULT_CONTACT_RULES), 0
        )
    )
    _contact_rules[cache_key] = current
    return current


def persons_lock(keys: list[str]) -> None:
    """Within a transaction, one sender at a time per person (by fingerprint), so that two
    workers cannot both find nobody surveyed and send to the same person at once. SQLite
    writes one transaction at a time already; PostgreSQL takes an advisory lock per key."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in sorted(set(keys)):  # one order, so two senders never wait on each other
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(key[:15], 16)])


def surveyed_within(
    *,
    force_id: int,
    keys: list[str],
    around: dt.datetime,
    days: int,
    exclude_pk: int | None = None,
    sent_only: bool = False,
) -> bool:
    """Whether the person (by phone or email fingerprint) has a live invitation within ``days``
    of ``around``, before or after (with ``sent_only``, one already sent).

    An invitation sent is placed at the moment it went, not the moment it was due: a worker
    that was down, or a night in between, can send it a day late. Sent counts even if
    withdrawn since (an opt-out by another of the person's numbers); an invitation that could
    not be delivered does not.

    One statement, an EXISTS per fingerprint column, so that each is a search of its index
    (force, key, send_at): written as ``phone_key IN ... OR email_key IN ...`` the planner
    read every invitation of the force, and intake slowed as they grew.
    """
    keys = [k for k in keys if k]
    if not keys or days <= 0:
        return False
    window = dt.timedelta(days=days)
    ops = connection.ops
    lo = ops.adapt_datetimefield_value(around - window)
    hi = ops.adapt_datetimefield_value(around + window)
    S = Invitation.Status
    marks = ", ".join(["%s"] * len(keys))
    live = f"(sent_at IS NOT NULL OR status = '{S.ANSWERED.value}')" if sent_only else LIVE_SQL
    condition = (
        f"force_id = %s AND {{column}} IN ({marks}) AND status <> %s AND {live}"
        " AND ((sent_at IS NOT NULL AND sent_at > %s AND sent_at < %s)"
        " OR (sent_at IS NULL AND send_at > %s AND send_at < %s))"
    )
    params: list[Any] = [force_id, *keys, S.FAILED.value, lo, hi, lo, hi]
    if exclude_pk is not None:
        condition += " AND id <> %s"
        params.append(exclude_pk)
    table = Invitation._meta.db_table
    exists = [
        f"EXISTS (SELECT 1 FROM {table} WHERE {condition.format(column=column)})"  # noqa: S608 (names are ours, values are parameters)
        for column in ("phone_key", "email_key")
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {' OR '.join(exists)}", params * 2)
        (found,) = cursor.fetchone()
    return bool(found)


def opted_out_keys(*, force_id: int, keys: set[str]) -> set[str]:
    """Which of these fingerprints opted out (``person_opted_out`` for many people at once)."""
    if not keys:
        return set()
    found = OptOut.objects.filter(force_id=force_id, key__in=keys).values_list("key", flat=True)
    return set(found)


class SurveyedIndex:
    """The live invitations of a batch's people, by fingerprint, each at its moment (sent, or
    due): ``within`` answers as ``surveyed_within`` does, with the same window."""

    def __init__(self) -> None:
        self._at: dict[str, list[dt.datetime]] = {}

    def add(self, keys: list[str], at: dt.datetime) -> None:
        for key in dict.fromkeys(k for k in keys if k):
            self._at.setdefault(key, []).append(at)

    def within(self, keys: list[str], around: dt.datetime, days: int) -> bool:
        if days <= 0:
            return False
        window = dt.timedelta(days=days)
        return any(abs(at - around) < window for key in keys if key for at in self._at.get(key, ()))


def surveyed_index(
    *, force_id: int, keys: set[str], window: tuple[dt.datetime, dt.datetime], days: int
) -> SurveyedIndex:
    """The invitations ``surveyed_within`` would find for any of these fingerprints around any
    moment in ``window``: live (sent, even if withdrawn since; or scheduled, or answered; never
    one that could not be delivered), placed at the moment sent, else the moment due.

    One statement, a search of each fingerprint's index as in ``surveyed_within``.
    """
    index = SurveyedIndex()
    if not keys:
        return index
    lo, hi = window[0] - dt.timedelta(days=days), window[1] + dt.timedelta(days=days)
    live = (
        Invitation.objects.filter(force_id=force_id)
        .exclude(status=Invitation.Status.FAILED)
        # Word for word, see LIVE_SQL (our constant, no values from outside).
        .filter(RawSQL(LIVE_SQL, (), output_field=BooleanField()))  # noqa: S611
        .filter(
            Q(sent_at__gt=lo, sent_at__lt=hi)
            | Q(sent_at__isnull=True, send_at__gt=lo, send_at__lt=hi)
        )
    )
    fields = ("phone_key", "email_key", "sent_at", "send_at")
    by_phone = live.filter(phone_key__in=keys).values_list(*fields)
    by_email = live.filter(email_key__in=keys).values_list(*fields)
    for phone_key, email_key, sent_at, send_at in by_phone.union(by_email, all=True):
        index.add([phone_key, email_key], sent_at or send_at)
    return index


def invitation_url(invitation: Invitation) -> str:
    """The survey link, in full, on the force's own address (never a link shortener)."""
    base = (invitation.force.site_url or settings.SITE_URL).rstrip("/")
    return f"{base}/s/{invitation.token}"


def invitation_state(invitation: Invitation, now: dt.datetime) -> str:
    """``open``, ``answered`` or ``expired``: what a respondent following the link may do."""
    if invitation.status == Invitation.Status.ANSWERED:
        return "answered"
    if invitation.status == Invitation.Status.EXCLUDED:
        return "expired"
    if invitation.expires_at is not None and invitation.expires_at <= now:
        return "expired"
    return "open"
