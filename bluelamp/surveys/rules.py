"""Who may be surveyed: the basic contact rules, as a pure function.

Safeguarding comes before anything is sent. A contact is excluded, with its reason recorded,
when its incident type is sensitive, when it carries a flag that means contact could put
someone at risk or would be unwelcome, when the person is under the minimum age, has opted
out, or has no mobile phone or email. (The full, force-editable rule engine replaces this.)
"""

from dataclasses import dataclass

EXCLUDING_FLAGS: dict[str, str] = {
    "domestic_abuse": "Domestic abuse: contact could put the victim at risk",
    "sexual_offence": "Sexual offence: surveyed only with explicit consent",
    "suspect_may_share_phone": "The suspect may share or see the victim's phone",
    "deceased": "The person has died",
    "bereaved": "Bereaved family",
    "do_not_contact": "Marked do not contact",
    "complaint_open": "A complaint is open",
}
KNOWN_FLAGS = frozenset(EXCLUDING_FLAGS) | {"repeat_victim", "vulnerable", "elderly"}


@dataclass(frozen=True)
class Decision:
    scheduled: bool
    reason: str = ""
    reason_text: str = ""
    via: str = ""


def decide(
    *,
    incident_sensitive: bool,
    incident_name: str,
    flags: list[str],
    age: int | None,
    minimum_age: int,
    opted_out: bool,
    has_mobile: bool,
    has_email: bool,
) -> Decision:
    """Decide whether to invite a contact to a survey, and by which channel.

    Checks run from the most to the least serious, so the recorded reason is the weightiest.
    SMS is preferred when there is a mobile number, else email.
    """
    for flag, text in EXCLUDING_FLAGS.items():
        if flag in flags:
            return Decision(False, f"flag_{flag}", text)
    if incident_sensitive:
        return Decision(False, "sensitive_type", f"{incident_name} is never surveyed")
    if age is not None and age < minimum_age:
        return Decision(False, "under_age", f"Aged {age}, under {minimum_age}")
    if opted_out:
        return Decision(False, "opted_out", "The person asked not to be contacted again")
    if has_mobile:
        return Decision(True, via="sms")
    if has_email:
        return Decision(True, via="email")
    return Decision(False, "no_contact_details", "No mobile phone number or email address")
