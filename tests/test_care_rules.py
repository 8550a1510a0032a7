"""Referral and Enhanced Rights rules: the shipped set, the engine and the parser."""

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bluelamp.care.defaults import DEFAULT_RULE_SET, MINIMUM_AGE_OLDER_PERSON
from bluelamp.care.rules import (
    Decision,
    RuleSet,
    dump_rule_set,
    enhanced_rights,
    evaluate,
    explicit_consent_needed,
    parse_rule_set,
)

RULES = parse_rule_set(DEFAULT_RULE_SET)

# An 84-year-old who lives alone, burgled at home by a distraction burglar, lost £2,500.
DISTRACTION_BURGLARY = {
    "offence": "burglary_residential",
    "age": 84,
    "modus_operandi": ["distraction"],
    "financial_loss": 2500.0,
    "indicators": ["lives_alone"],
    "consent": {},
}


def decide(**changes: Any) -> dict[str, Decision]:
    return {d.service: d for d in evaluate(RULES, {**DISTRACTION_BURGLARY, **changes})}


def services(**facts: Any) -> set[str]:
    return {d.service for d in evaluate(RULES, facts)}


def grounds(**facts: Any) -> list[str]:
    return [code for code, _ in enhanced_rights(RULES, facts)]


# The shipped rule set.


def test_the_default_rule_set_parses_and_round_trips():
    assert dump_rule_set(RULES) == DEFAULT_RULE_SET
    assert parse_rule_set(json.dumps(DEFAULT_RULE_SET)) == RULES


def test_older_distraction_burglary_victim_is_referred_to_the_liaison_officer():
    decisions = decide()
    assert set(decisions) == {"older_person_liaison", "victim_support"}
    liaison = decisions["older_person_liaison"]
    assert liaison == Decision(
        rule_id="older_person_liaison_burglary",
        service="older_person_liaison",
        reason="Referred to the older person liaison officer because: aged 84, 65 or over; "
        "a burglary at home; a distraction approach, often used to target older people; "
        "a financial loss of £2,500 (£1,000 or more); living alone.",
        partner=False,
    )


def test_the_same_crime_against_a_younger_victim_is_not_for_the_liaison_officer():
    assert "older_person_liaison" not in decide(age=35)
    assert "older_person_liaison" not in decide(age=MINIMUM_AGE_OLDER_PERSON - 1)
    assert "older_person_liaison" in decide(age=MINIMUM_AGE_OLDER_PERSON)


def test_unknown_age_is_not_referred_to_the_liaison_officer():
    facts = {k: v for k, v in DISTRACTION_BURGLARY.items() if k != "age"}
    assert "older_person_liaison" not in services(**facts)


def test_an_older_victim_with_no_aggravating_factor_is_not_referred():
    plain = {"offence": "burglary_residential", "age": 70, "financial_loss": 200.0}
    assert services(**plain) == {"victim_support"}


def test_an_older_victim_of_another_offence_is_not_referred():
    assert "older_person_liaison" not in decide(offence="theft_from_person")
    assert "older_person_liaison" not in decide(offence="burglary_other")


@pytest.mark.parametrize(
    "factor, words",
    [
        ({"modus_operandi": ["bogus_caller"]}, "a bogus caller approach"),
        ({"financial_loss": 1000}, "a financial loss of £1,000 (£1,000 or more)"),
        ({"indicators": ["dementia"]}, "dementia, which can put someone at risk"),
        ({"indicators": ["learning_disability"]}, "learning disability, which can put"),
        ({"indicators": ["lives_alone"]}, "living alone"),
        ({"indicators": ["previously_targeted"]}, "targeted before"),
        ({"persistently_targeted": True}, "targeted again and again"),
    ],
)
def test_each_aggravating_factor_alone_is_enough_and_is_named(factor, words):
    facts = {"offence": "burglary_residential", "age": 70, "attempt": True, **factor}
    liaison = {d.service: d for d in evaluate(RULES, facts)}["older_person_liaison"]
    assert words in liaison.reason
    assert liaison.reason.startswith("Referred to the older person liaison officer because: ")
    assert liaison.reason.endswith(".")


def test_only_the_factors_that_matched_are_in_the_reason():
    reason = decide(financial_loss=50.0, indicators=[])["older_person_liaison"].reason
    assert reason == (
        "Referred to the older person liaison officer because: aged 84, 65 or over; "
        "a burglary at home; a distraction approach, often used to target older people."
    )


def test_trading_standards_only_for_doorstep_crime_or_rogue_traders():
    assert "trading_standards" not in decide()
    doorstep = decide(modus_operandi=["doorstep"])["trading_standards"]
    assert doorstep.reason == (
        "Referred to Trading Standards because: "
        "a doorstep approach, which Trading Standards can act on."
    )
    assert "trading_standards" in services(offence="theft_other", modus_operandi=["rogue_trader"])


def test_victim_support_is_for_every_victim_unless_they_object():
    (support,) = [d for d in evaluate(RULES, {"offence": "vehicle_crime"})]
    assert (support.service, support.partner, support.consent) == (
        "victim_support", True, "unless_objected"
    )  # fmt: skip
    assert explicit_consent_needed(RULES, {"offence": "vehicle_crime"}) is None


@pytest.mark.parametrize(
    "facts, words",
    [
        ({"offence": "sexual_offence"}, "a sexual offence is shared only with"),
        ({"offence": "burglary_residential", "flags": ["domestic_abuse"]}, "domestic abuse:"),
        ({"offence": "violence", "flags": ["honour_based_abuse"]}, "honour based abuse:"),
        ({"offence": "violence", "indicators": ["bereaved"]}, "bereaved:"),
    ],
)
def test_the_code_needs_explicit_consent_for_the_sensitive_cases(facts, words):
    why = explicit_consent_needed(RULES, facts)
    assert why is not None and words in why


def test_the_partners_are_outside_the_force_and_the_liaison_officer_inside():
    partner = {d.service: d.partner for d in evaluate(
        RULES, {**DISTRACTION_BURGLARY, "modus_operandi": ["doorstep"], "indicators": ["dementia"]}
    )}  # fmt: skip
    assert partner == {
        "older_person_liaison": False, "victim_support": True, "trading_standards": True,
        "safeguarding_hub": True,
    }  # fmt: skip


def test_safeguarding_hub_for_adults_who_may_be_at_risk():
    hub = {d.service: d for d in evaluate(RULES, {"age": 79, "indicators": ["dementia"]})}
    assert hub["safeguarding_hub"].reason == (
        "Referred to the safeguarding hub as an adult who may be at risk because: "
        "aged 79, an adult; dementia, which may mean needing care and support to stay safe."
    )
    assert "safeguarding_hub" not in services(age=16, indicators=["mental_health"])
    assert "safeguarding_hub" not in services(age=40, indicators=["disability"])


def test_a_missing_or_odd_fact_never_raises():
    odd = {"age": "eighty", "indicators": "dementia", "consent": "yes", "financial_loss": "lots",
           "flags": "domestic_abuse"}  # fmt: skip
    assert services(**odd) == {"victim_support"}
    assert explicit_consent_needed(RULES, odd) is None
    assert evaluate(RULES, {}) == [
        Decision(
            "victim_support",
            "victim_support",
            "Referred to Victim Support because every victim of crime is offered support.",
            partner=True,
            consent="unless_objected",
        )
    ]


# Enhanced Rights.


def test_no_enhanced_rights_for_an_adult_burglary_victim():
    assert enhanced_rights(RULES, DISTRACTION_BURGLARY) == []


@pytest.mark.parametrize(
    "facts, code",
    [
        ({"age": 17}, "under_18"),
        ({"age": 0}, "under_18"),
        ({"offence": "domestic_abuse", "age": 30}, "most_serious_crime"),
        ({"offence": "sexual_offence"}, "most_serious_crime"),
        ({"offence": "hate_crime"}, "most_serious_crime"),
        ({"indicators": ["bereaved"]}, "most_serious_crime"),
        ({"persistently_targeted": True}, "persistently_targeted"),
        ({"indicators": ["dementia"], "age": 88}, "vulnerable"),
        ({"indicators": ["intimidated"]}, "intimidated"),
    ],
)
def test_enhanced_rights_grounds(facts, code):
    assert grounds(**facts) == [code]


def test_enhanced_rights_words():
    assert enhanced_rights(
        RULES,
        {
            "offence": "domestic_abuse",
            "age": 15,
            "indicators": ["dementia", "intimidated"],
            "persistently_targeted": True,
        },
    ) == [
        ("most_serious_crime", "a victim of the most serious crime (domestic abuse)"),
        ("persistently_targeted", "persistently targeted"),
        ("vulnerable", "vulnerable (dementia)"),
        ("intimidated", "intimidated"),
        ("under_18", "under 18 (aged 15)"),
    ]


def test_adults_and_unknown_ages_are_not_under_18():
    assert grounds(age=18) == []
    assert grounds() == []
    assert grounds(persistently_targeted=False, repeat_victim=True) == []


def test_domestic_abuse_and_sexual_offences_count_even_if_a_force_lists_nothing():
    bare = parse_rule_set({"rules": [], "enhanced_rights": {"most_serious_offences": []}})
    assert [code for code, _ in enhanced_rights(bare, {"offence": "domestic_abuse"})] == [
        "most_serious_crime"
    ]
    assert enhanced_rights(bare, {"offence": "sexual_offence"})
    assert not enhanced_rights(bare, {"offence": "hate_crime"})


# The engine, on rule sets written for the test.


def rule_set(when: Any, reason: str = "Referred because", service: str = "s") -> RuleSet:
    return parse_rule_set(
        {"rules": [{"id": "r", "service": service, "title": "T", "when": when, "reason": reason}]}
    )


def reason(when: Any, **facts: Any) -> str | None:
    decisions = evaluate(rule_set(when), facts)
    return decisions[0].reason if decisions else None


def test_missing_facts_fail_positive_tests_and_pass_negative_ones():
    for op, value in [("eq", 1), ("gte", 1), ("lte", 1), ("in", [1]), ("intersects", [1])]:
        assert reason({"fact": "x", op: value}) is None, op
        assert reason({"fact": "x", op: value}, x=None) is None, op
    assert reason({"fact": "x", "ne": 1}) == "Referred because."
    assert reason({"fact": "x", "not_in": [1]}) == "Referred because."


def test_booleans_are_not_numbers():
    assert reason({"fact": "x", "eq": True}, x=1) is None
    assert reason({"fact": "x", "eq": 1}, x=True) is None
    assert reason({"fact": "x", "gte": 0}, x=True) is None


def test_dotted_facts_read_nested_objects():
    when = {"fact": "a.b", "eq": "yes", "says": "b is {value}"}
    assert reason(when, a={"b": "yes"}) == "Referred because: b is yes."
    assert reason(when, a="yes") is None


def test_any_names_only_what_matched_and_not_names_nothing():
    when = {
        "all": [
            {"any": [{"fact": "x", "gte": 5, "says": "x {value}"}, {"fact": "y", "eq": 1}]},
            {"not": {"fact": "z", "eq": 1, "says": "never shown"}},
        ]
    }
    assert reason(when, x=7.0, y=2) == "Referred because: x 7."
    assert reason(when, x=1, y=1) == "Referred because."
    assert reason(when, x=7, z=1) is None


def test_value_words_and_pounds():
    when = {"fact": "loss", "gte": 0, "says": "{value_pounds} ({value})"}
    assert reason(when, loss=1234567.5) == "Referred because: £1,234,567.50 (1234567.5)."
    listed = {"fact": "x", "intersects": ["a_b", "c", "d"], "says": "{value}"}
    assert reason(listed, x=["c", "a_b", "e", "d"]) == "Referred because: c, a b and d."


def test_first_matching_rule_wins_for_a_service():
    data = {
        "rules": [
            {
                "id": "a",
                "service": "s",
                "title": "A",
                "reason": "A",
                "when": {"fact": "x", "eq": 1},
            },
            {
                "id": "b",
                "service": "s",
                "title": "B",
                "reason": "B",
                "when": {"fact": "x", "ne": 2},
            },
            {
                "id": "c",
                "service": "t",
                "title": "C",
                "reason": "C",
                "when": {"fact": "x", "ne": 2},
            },
        ]
    }
    assert [d.rule_id for d in evaluate(parse_rule_set(data), {"x": 1})] == ["a", "c"]
    assert [d.rule_id for d in evaluate(parse_rule_set(data), {"x": 3})] == ["b", "c"]


# The parser, for the admin form.


def broken(path_to_condition: list[Any], condition: Any) -> str:
    data = copy.deepcopy(DEFAULT_RULE_SET)
    target: Any = data
    for step in path_to_condition[:-1]:
        target = target[step]
    target[path_to_condition[-1]] = condition
    with pytest.raises(ValueError) as caught:
        parse_rule_set(data)
    return str(caught.value)


def test_an_unknown_operator_is_named_with_its_path():
    message = broken(["rules", 0, "when", "all", 2, "any", 0], {"fact": "age", "greater": 65})
    assert message == 'rules[0].when.all[2].any[0]: unknown operator "greater"'


@pytest.mark.parametrize(
    "condition, expected",
    [
        ({"fact": "age", "gte": "65"}, 'rules[3].when: "gte" needs a number, not "65"'),
        ({"fact": "age", "in": 3}, 'rules[3].when: "in" needs a non-empty list'),
        ({"fact": "age", "eq": [1]}, 'rules[3].when: "eq" needs a number, string or true/false'),
        ({"fact": "age"}, "rules[3].when: a test needs exactly one operator"),
        ({"fact": "age", "eq": 1, "ne": 2}, "rules[3].when: a test needs exactly one operator"),
        ({"all": []}, 'rules[3].when: "all" needs a non-empty list of conditions'),
        ({"all": [], "fact": "x"}, "rules[3].when: a condition has exactly one of"),
        ({"says": "hello"}, "rules[3].when: a condition needs all, any, not or fact"),
        ("age >= 65", "rules[3].when: a condition must be an object"),
        ({"not": {"fact": "x", "eq": 1, "when": 2}}, 'rules[3].when.not: unknown operator "when"'),
        ({"fact": "Age", "eq": 1}, "rules[3].when.fact: String should match pattern"),
        (
            {"fact": "age", "eq": 1, "says": "aged {age}"},
            'rules[3].when.says: unknown placeholder "{age}" in says',
        ),
        (
            {"fact": "age", "eq": 1, "says": "aged {value.__class__}"},
            'rules[3].when.says: unknown placeholder "{value.__class__}"',
        ),
        (
            {"fact": "age", "eq": 1, "says": "aged {value"},
            "rules[3].when.says: says is not a valid phrase",
        ),
    ],
)
def test_bad_conditions_are_named_with_their_path(condition, expected):
    assert broken(["rules", 3, "when"], condition).startswith(expected)


def test_rule_level_errors_are_named():
    data = copy.deepcopy(DEFAULT_RULE_SET)
    data["rules"][2]["id"] = data["rules"][0]["id"]
    with pytest.raises(ValueError, match=r'^rules\[2\]\.id: duplicate rule id "older_person'):
        parse_rule_set(data)
    data = copy.deepcopy(DEFAULT_RULE_SET)
    del data["rules"][1]["service"]
    data["rules"][3]["reasons"] = "typo"
    data["enhanced_rights"]["vulnerable"] = ["x"]
    with pytest.raises(ValueError) as caught:
        parse_rule_set(data)
    lines = str(caught.value).splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "rules[1].service",
        "rules[3].reasons",
        "enhanced_rights.vulnerable",
    ]


def test_json_text_is_accepted_and_bad_json_is_refused():
    assert parse_rule_set('{"rules": []}').rules == ()
    with pytest.raises(ValueError, match="not valid JSON"):
        parse_rule_set('{"rules": [}')
    with pytest.raises(ValueError, match="rules"):
        parse_rule_set({"rules": "none"})


# Properties over any facts.

codes = st.sampled_from(
    [
        "burglary_residential",
        "burglary_other",
        "theft_from_person",
        "domestic_abuse",
        "sexual_offence",
        "violence",
        "hate_crime",
    ]
)
facts_strategy = st.fixed_dictionaries(
    {},
    optional={
        "offence": codes,
        "age": st.none() | st.integers(0, 110),
        "indicators": st.lists(
            st.sampled_from(
                ["lives_alone", "dementia", "bereaved", "intimidated", "disability", "x"]
            ),
            max_size=4,
        ),
        "modus_operandi": st.lists(
            st.sampled_from(["distraction", "doorstep", "rogue_trader", "artifice"]), max_size=3
        ),
        "financial_loss": st.none() | st.floats(0, 1e6, allow_nan=False),
        "flags": st.lists(
            st.sampled_from(["domestic_abuse", "hate_crime", "honour_based_abuse", "child_victim"]),
            max_size=3,
        ),
        "consent": st.fixed_dictionaries(
            {}, optional={"share_with_partners": st.none() | st.booleans()}
        ),
        "persistently_targeted": st.booleans(),
    },
)


@settings(max_examples=300, deadline=None)
@given(facts=facts_strategy)
def test_rules_hold_for_any_facts(facts):
    decisions = evaluate(RULES, facts)
    by_service = {d.service: d for d in decisions}
    assert len(by_service) == len(decisions)
    for decision in decisions:
        assert decision.reason.endswith(".")
        assert "_" not in decision.reason
        assert "{" not in decision.reason
    # Every victim is offered support; whether it may go is the consent gate's to say.
    assert "victim_support" in by_service
    sensitive = (
        facts.get("offence") in ("sexual_offence", "domestic_abuse")
        or {"domestic_abuse", "honour_based_abuse"} & set(facts.get("flags", []))
        or "bereaved" in facts.get("indicators", [])
    )
    assert (explicit_consent_needed(RULES, facts) is not None) == bool(sensitive)
    age = facts.get("age")
    if age is None or age < MINIMUM_AGE_OLDER_PERSON:
        assert "older_person_liaison" not in by_service
    if facts.get("offence") != "burglary_residential":
        assert "older_person_liaison" not in by_service
    codes_found = [code for code, _ in enhanced_rights(RULES, facts)]
    assert len(codes_found) == len(set(codes_found))
    if age is not None and age < 18:
        assert "under_18" in codes_found
    if facts.get("offence") in ("domestic_abuse", "sexual_offence"):
        assert "most_serious_crime" in codes_found
    if {"domestic_abuse", "hate_crime", "honour_based_abuse"} & set(facts.get("flags", [])):
        assert "most_serious_crime" in codes_found
    if "child_victim" in facts.get("flags", []):
        assert "under_18" in codes_found
