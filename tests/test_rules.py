"""The basic contact rules and survey logic, as pure functions, with property-based tests."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bluelamp.lib.contact import age_on, is_mobile, normalise_phone
from bluelamp.lib.stats import wilson_interval
from bluelamp.surveys import logic, rules
from bluelamp.surveys.defaults import TEMPLATES

BASE = dict(
    incident_sensitive=False,
    incident_name="Residential burglary",
    flags=[],
    age=40,
    minimum_age=16,
    opted_out=False,
    has_mobile=True,
    has_email=False,
)


def test_adult_with_mobile_gets_sms():
    assert rules.decide(**BASE) == rules.Decision(True, via="sms")


@given(
    flags=st.lists(st.sampled_from([*rules.EXCLUDING_FLAGS, "repeat_victim"]), max_size=4),
    sensitive=st.booleans(),
    age=st.none() | st.integers(0, 110),
    opted_out=st.booleans(),
    mobile=st.booleans(),
    email=st.booleans(),
)
def test_never_scheduled_when_any_safeguard_applies(
    flags, sensitive, age, opted_out, mobile, email
):
    d = rules.decide(
        incident_sensitive=sensitive,
        incident_name="x",
        flags=flags,
        age=age,
        minimum_age=16,
        opted_out=opted_out,
        has_mobile=mobile,
        has_email=email,
    )
    blocked = (
        any(f in rules.EXCLUDING_FLAGS for f in flags)
        or sensitive
        or (age is not None and age < 16)
        or opted_out
        or not (mobile or email)
    )
    assert d.scheduled is not blocked
    if d.scheduled:
        assert d.via == ("sms" if mobile else "email")
    else:
        assert d.reason and d.reason_text


def test_flag_outranks_age_in_the_recorded_reason():
    d = rules.decide(**{**BASE, "flags": ["domestic_abuse"], "age": 12})
    assert d.reason == "flag_domestic_abuse"


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
