"""Texts people send back, read: a score, a STOP, or words kept as a comment.

Delivery reads a reply (its number normalised and fingerprinted, its words parsed) and hands
it to the handler registered by the layer that acts on replies (``bluelamp.flows.replies``),
which matches it to the person's latest survey invitation sent by SMS through the keyed
fingerprint of their number (the number itself is never stored with the reply):

* ``STOP`` and its common variants, in English and Welsh, opt the person out of everything at
  once, withdraw anything still to be sent, and are confirmed by one text (never twice);
* a number from 1 to 7, when the text asked for one (the template's ``sms_question``), is the
  whole-experience answer, recorded like one given on the page, so the same recovery rules
  apply (words after it are kept as the comment);
* anything else is kept as a comment on the invitation.
"""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from bluelamp.delivery.providers.base import Inbound
from bluelamp.lib.contact import normalise_phone, person_key

# Carriers and providers treat these as opt-outs; Welsh: "stopio" (to stop), "stopiwch"
# (stop!), "diddymu" (cancel), "dad-danysgrifio" (unsubscribe), "dim mwy" (no more).
STOP_WORDS = frozenset(
    {
        "stop",
        "stopall",
        "stop all",
        "unsubscribe",
        "cancel",
        "end",
        "quit",
        "opt out",
        "optout",
        "revoke",
        "stopio",
        "stopiwch",
        "diddymu",
        "dad-danysgrifio",
        "dad danysgrifio",
        "dim mwy",
    }
)
_SCORE = re.compile(r"^\s*([1-7])(?![0-9.,])\s*[.!)\-:,]?\s*(.*)$", re.DOTALL)


@dataclass(frozen=True)
class Parsed:
    kind: str  # "stop", "score" or "comment"
    score: int | None = None
    comment: str = ""


def _plain(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[^\w\s-]", " ", folded).split("\n")[0].strip()


def parse_reply(body: str) -> Parsed:
    """What a reply means: ``STOP`` (a stop word alone or first), a score 1 to 7, or words."""
    plain = " ".join(_plain(body).split())
    first_two = " ".join(plain.split()[:2])
    if plain in STOP_WORDS or first_two in STOP_WORDS or plain.split(" ", 1)[0] in STOP_WORDS:
        return Parsed("stop")
    match = _SCORE.match(body)
    if match:
        return Parsed("score", int(match.group(1)), match.group(2).strip())
    return Parsed("comment", comment=body.strip())


@dataclass(frozen=True)
class Reply:
    """A text received, read: who sent it (their number, normalised where it could be, and
    its keyed fingerprint) and what it means."""

    provider: str
    inbound: Inbound
    number: str
    key: str
    parsed: Parsed


def _unhandled(reply: Reply) -> str:
    raise ImproperlyConfigured("no reply handler: bluelamp.flows registers it at start-up")


_handler: list[Callable[[Reply], str]] = [_unhandled]


def reply_handler_set(handler: Callable[[Reply], str]) -> None:
    """Register what acts on replies (at start-up, from an AppConfig's ``ready``)."""
    _handler[0] = handler


def inbound_handle(*, provider: str, inbound: Inbound) -> str:
    """Read one text received and hand it to the reply handler. Returns what was done."""
    try:
        number = normalise_phone(inbound.from_number)
    except ValueError:
        number = inbound.from_number
    key = person_key(settings.PERSON_KEY_SECRET, number)
    return _handler[0](Reply(provider, inbound, number, key, parse_reply(inbound.body)))
