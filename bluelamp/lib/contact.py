"""Normalising phone numbers and emails, and keyed fingerprints of them: pure functions."""

import hashlib
import hmac
import re
from datetime import date

_NON_DIGITS = re.compile(r"[\s().-]")


def normalise_phone(raw: str) -> str:
    """A UK or international number in E.164 form (``+447700900123``).

    Raises ValueError for anything that is not a plausible phone number.
    """
    number = _NON_DIGITS.sub("", raw.strip())
    if number.startswith("00"):
        number = "+" + number[2:]
    elif number.startswith("0"):
        number = "+44" + number[1:]
    elif not number.startswith("+"):
        number = "+" + number
    if not re.fullmatch(r"\+[1-9]\d{7,14}", number):
        raise ValueError("not a valid phone number")
    if number.startswith("+44") and len(number) != 13:
        raise ValueError("a UK number has 10 digits after the 0")
    return number


def is_mobile(e164: str) -> bool:
    """UK mobiles start 07 (+447); other countries' numbers are assumed able to take SMS."""
    if e164.startswith("+44"):
        return e164.startswith("+447")
    return bool(e164)


def normalise_email(raw: str) -> str:
    return raw.strip().lower()


def person_key(secret: str, value: str) -> str:
    """A keyed fingerprint (HMAC-SHA256) of a normalised phone or email."""
    if not value:
        return ""
    return hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()


def age_on(date_of_birth: date, day: date) -> int:
    years = day.year - date_of_birth.year
    if (day.month, day.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years
