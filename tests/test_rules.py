"""The contact rules and survey logic, as pure functions, with property-based tests."""

import dataclasses
import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bluelamp.lib.contact import age_on, is_mobile, normalise_phone
from bluelamp.lib.stats import wilson_interval
from bluelamp.surveys import contact_rules, logic
from bluelamp.surveys.defaults import TEMPLATES

RULES = contact_rules.parse_contact_rules(contact_rules.DEFAULT_CONTACT_RULES)
EXCLUDING = sorted(RULES.excluded_flags)
BASE = contact_rules.Facts(
    force="herts",
    reference="INC-1",
    stage="first_contact",
    incident_type="burglary_residential",
    incident_name="Residential burglary",
    incident_sensitive=False,
    channel="999",
    flags=frozenset(),
    age=40,
    opted_out=False,
    has_mobile=True,
    has_email=False,
)


def decide(facts: contact_rules.Facts, rules=RULES) -> contact_rules.Decision:
    return contact_rules.decide(rules, facts, secret="test")


def test_adult_with_mobile_gets_sms():
    assert decide(BASE) == contact_rules.Decision(True, "sampling.everyone", via="sms")


@given(
    flags=st.lists(st.sampled_from([*EXCLUDING, "repeat_victim"]), max_size=4),
    sensitive=st.booleans(),
    age=st.none() | st.integers(0, 110),
    opted_out=st.booleans(),
    mobile=st.booleans(),
    email=st.booleans(),
    recently=st.booleans(),
)
def test_never_scheduled_when_any_safeguard_applies(
    flags, sensitive, age, opted_out, mobile, email, recently
):
    d = decide(
        dataclasses.replace(
            BASE,
            flags=frozenset(flags),
            incident_sensitive=sensitive,
            age=age,
            opted_out=opted_out,
            has_mobile=mobile,
            has_email=email,
            surveyed_recently=recently,
        )
    )
    blocked = (
        any(f in EXCLUDING for f in flags)
        or sensitive
        or (age is not None and age < 16)
        or opted_out
        or not (mobile or email)
        or recently
    )
    assert d.scheduled is not blocked
    assert d.rule  # every decision names the rule that took it
    if d.scheduled:
        assert d.via == ("sms" if mobile else "email")
    else:
        assert d.reason and d.reason_text


def test_flag_outranks_age_in_the_recorded_reason():
    d = decide(dataclasses.replace(BASE, flags=frozenset({"domestic_abuse"}), age=12))
    assert (d.reason, d.rule) == ("flag_domestic_abuse", "excluded_flags.domestic_abuse")


def test_sampling_is_reproducible_and_close_to_its_share():
    rules = contact_rules.parse_contact_rules(
        {
            "sampling": [
                {"id": "burglary_all", "incident_types": ["burglary_residential"], "share": 1},
                {"id": "calls_101", "channels": ["101"], "share": 0.2},
                {"id": "rest", "share": 1},
            ]
        }
    )
    calls = [dataclasses.replace(BASE, reference=f"R{i}", channel="101",
                                 incident_type="theft_other") for i in range(5000)]  # fmt: skip
    first = [decide(f, rules).scheduled for f in calls]
    assert first == [decide(f, rules).scheduled for f in calls]  # the same draw every time
    assert 0.18 < sum(first) / len(first) < 0.22
    assert all(decide(dataclasses.replace(f, incident_type="burglary_residential"), rules).scheduled
               for f in calls[:200])  # fmt: skip
    left_out = next(decide(f, rules) for f in calls if not decide(f, rules).scheduled)
    assert left_out.rule == "sampling.calls_101" and left_out.reason == "not_sampled"


def test_email_when_preferred_or_no_mobile():
    both = dataclasses.replace(BASE, has_email=True)
    assert decide(both).via == "sms"
    email_first = contact_rules.parse_contact_rules({"channel_preference": ["email", "sms"]})
    assert decide(both, email_first).via == "email"
    sms_only = contact_rules.parse_contact_rules({"channel_preference": ["sms"]})
    d = decide(dataclasses.replace(BASE, has_mobile=False, has_email=True), sms_only)
    assert (d.scheduled, d.reason_text) == (False, "No mobile phone number")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"minimum_age": "sixteen"}, "minimum_age"),
        ({"sampling": [{"id": "a", "share": 1}, {"id": "b", "share": 1.5}]}, "sampling[1].share"),
        ({"sampling": [{"id": "a", "share": 1, "channels": ["112"]}]}, "sampling[0].channels[0]"),
        ({"quiet_hours": {"start": "25:00", "end": "08:00"}}, "quiet_hours.start"),
        ({"stages": {"arrest": {"delay_hours": 1}}}, "stages.arrest"),
        ({"frequncy_days": 30}, "frequncy_days"),
    ],
)
def test_bad_rules_name_the_field(data, field):
    with pytest.raises(contact_rules.RulesInvalid, match=rf"^{re.escape(field)}:"):
        contact_rules.parse_contact_rules(data)


LONDON = ZoneInfo("Europe/London")


@given(st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2028, 12, 31),
                    timezones=st.just(dt.UTC)))  # fmt: skip
def test_next_allowed_is_never_in_quiet_hours_and_waits_less_than_a_night(at):
    allowed = contact_rules.next_allowed(RULES, at)
    assert not contact_rules.in_quiet_hours(RULES, allowed)
    assert at <= allowed < at + dt.timedelta(hours=13)
    if not contact_rules.in_quiet_hours(RULES, at):
        assert allowed == at


def test_a_message_due_at_night_waits_for_eight_in_the_morning_london_time():
    evening = dt.datetime(2026, 7, 1, 19, 30, tzinfo=LONDON)  # BST
    due = contact_rules.send_time(RULES, stage="first_contact", event_at=evening, now=evening)
    assert due.astimezone(LONDON) == dt.datetime(2026, 7, 2, 8, 0, tzinfo=LONDON)
    winter = dt.datetime(2026, 12, 1, 23, 0, tzinfo=LONDON)
    assert contact_rules.next_allowed(RULES, winter).astimezone(LONDON).hour == 8
    afternoon = dt.datetime(2026, 12, 1, 9, 0, tzinfo=LONDON)
    assert contact_rules.send_time(
        RULES, stage="first_contact", event_at=afternoon, now=afternoon
    ) == afternoon + dt.timedelta(hours=6)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("07700 900123", "+447700900123"),
        ("+44 (0)7700-900123".replace("(0)", ""), "+447700900123"),
        ("00447700900123", "+447700900123"),
        ("01707 354000", "+441707354000"),
    ],
)
def test_phone_normalisation(raw, expected):
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize("raw", ["abc", "0770090", "+44770090012345", ""])
def test_bad_phones_are_refused(raw):
    with pytest.raises(ValueError):
        normalise_phone(raw)


def test_mobile_detection():
    assert is_mobile("+447700900123")
    assert not is_mobile("+441707354000")


def test_age_on_birthday_boundary():
    import datetime as dt

    assert age_on(dt.date(2010, 11, 28), dt.date(2026, 11, 27)) == 15
    assert age_on(dt.date(2010, 11, 27), dt.date(2026, 11, 27)) == 16
    assert age_on(dt.date(2008, 2, 29), dt.date(2026, 2, 28)) == 17


@given(st.integers(0, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_interval_contains_the_rate_and_stays_in_range(pair):
    k, n = pair
    low, high = wilson_interval(k, n)
    assert 0.0 <= low <= high <= 1.0
    if n:
        assert low - 1e-12 <= k / n <= high + 1e-12


def test_wilson_known_value():
    low, high = wilson_interval(8, 10)  # a textbook example
    assert round(low, 3) == 0.490
    assert round(high, 3) == 0.943


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_every_shipped_template_is_valid_and_short(key):
    definition = logic.parse_definition(TEMPLATES[key])
    ids = [q.id for q in definition.questions]
    assert logic.WHOLE_EXPERIENCE in ids
    assert len(ids) <= 9  # finishable in two minutes
    for q in definition.questions:
        assert q.text.en and q.text.cy


def test_classification_thresholds():
    assert [logic.classify(s) for s in range(1, 8)] == [
        "dissatisfied",
        "dissatisfied",
        "dissatisfied",
        "neutral",
        "satisfied",
        "satisfied",
        "satisfied",
    ]
    assert logic.classify(None) == "unanswered"
    assert logic.classify(4, satisfied_from=4) == "satisfied"


def test_branching_drops_answers_to_hidden_questions():
    definition = logic.parse_definition(TEMPLATES["burglary"])
    happy = logic.check_answers(definition, {"whole_experience": "7", "what_went_wrong": "x"})
    assert "what_went_wrong" not in happy.answers
    unhappy = logic.check_answers(definition, {"whole_experience": "2", "what_went_wrong": "x"})
    assert unhappy.answers == {"whole_experience": 2, "what_went_wrong": "x"}


def test_required_and_invalid_answers_are_errors_in_the_respondents_language():
    definition = logic.parse_definition(TEMPLATES["general"])
    checked = logic.check_answers(definition, {"ease_of_contact": "9"}, "cy")
    assert set(checked.errors) == {"ease_of_contact", "whole_experience"}
    assert checked.errors["whole_experience"] == "Atebwch y cwestiwn hwn"


def test_a_template_without_whole_experience_is_refused():
    broken = dict(TEMPLATES["general"])
    broken["questions"] = [
        q for q in broken["questions"] if q["id"] != "whole_experience" and q.get("show_if") is None
    ]
    with pytest.raises(ValueError, match="whole_experience"):
        logic.parse_definition(broken)
