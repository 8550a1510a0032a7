"""Recovery rules: the shipped set, evaluation with reasons, the case's terms, the parser."""

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bluelamp.care.feedback import PHRASES
from bluelamp.recovery.defaults import NEGATIVE_SENTIMENT, default_rule_set
from bluelamp.recovery.rules import (
    PRIORITIES,
    RecoveryRuleSet,
    dump_rule_set,
    evaluate,
    parse_rule_set,
    reason_words,
    terms,
)

RULES = parse_rule_set(default_rule_set())

# A caller who rated the whole experience 2, asked for a call back and wrote nothing.
DISSATISFIED = {
    "whole_experience": 2,
    "outcome": "dissatisfied",
    "callback_requested": False,
    "safeguarding": [],
    "sentiment": None,
    "themes": [],
    "incident_type": "burglary_residential",
    "channel": "999",
    "stage": "first_contact",
    "answers": {"whole_experience": 2},
}


def ids(**changes: Any) -> list[str]:
    return [m.rule_id for m in evaluate(RULES, {**DISSATISFIED, **changes})]


def test_the_shipped_rules_parse_and_round_trip():
    assert dump_rule_set(RULES) == default_rule_set()
    assert parse_rule_set(json.dumps(default_rule_set())) == RULES


def test_a_dissatisfied_score_opens_a_case_due_in_24_hours_saying_why():
    [match] = evaluate(RULES, DISSATISFIED)
    assert match.rule_id == "dissatisfied"
    assert match.reason == "Dissatisfied with the service: rated the whole experience 2 out of 7."
    assert match.deadline_hours == 24
    assert match.priority == "normal"


def test_each_reason_the_lead_named_opens_a_case():
    satisfied = {"whole_experience": 6, "outcome": "satisfied"}
    assert ids(**satisfied) == []
    assert ids(**satisfied, callback_requested=True) == ["callback"]
    assert ids(**satisfied, safeguarding=["scared", "came back"]) == ["safeguarding"]
    assert ids(**satisfied, sentiment=-0.8) == ["negative_comment"]
    assert ids(**satisfied, sentiment=NEGATIVE_SENTIMENT) == ["negative_comment"]
    assert ids(**satisfied, sentiment=-0.59) == []
    assert ids(outcome="neutral", whole_experience=4) == []


def test_safeguarding_comes_first_with_the_words_and_no_follow_up():
    facts = {**DISSATISFIED, "callback_requested": True, "safeguarding": ["came back", "scared"]}
    matches = evaluate(RULES, facts)
    assert [m.rule_id for m in matches] == ["safeguarding", "dissatisfied", "callback"]
    assert matches[0].reason == (
        "Their comment suggests danger or distress: it says came back and scared."
    )
    case = terms(RULES, matches)
    assert (case.deadline_hours, case.priority) == (4, "high")
    assert case.follow_up  # the dissatisfied and call-back rules ask for one
    alone = terms(RULES, evaluate(RULES, {"safeguarding": ["scared"]}))
    assert not alone.follow_up
    assert reason_words(matches).startswith("Their comment suggests danger or distress: ")


def test_missing_facts_open_nothing():
    assert evaluate(RULES, {}) == []
    assert evaluate(RULES, {"outcome": "dissatisfied"}) == []  # no score: not by this rule


def test_a_set_without_follow_up_never_follows_up():
    no_follow_up = parse_rule_set({**default_rule_set(), "follow_up": False})
    matches = evaluate(no_follow_up, DISSATISFIED)
    assert not terms(no_follow_up, matches).follow_up


def test_terms_need_a_match():
    with pytest.raises(ValueError, match="no rule matched"):
        terms(RULES, [])


def test_rules_may_test_answers_by_question_id():
    data = copy.deepcopy(default_rule_set())
    data["rules"].append(
        {
            "id": "treatment",
            "title": "Treated badly",
            "reason": "Unhappy with how they were treated",
            "deadline_hours": 8,
            "priority": "high",
            "when": {"fact": "answers.treatment", "lte": 2, "says": "treatment {value} of 7"},
        }
    )
    rules = parse_rule_set(data)
    facts = {"outcome": "satisfied", "answers": {"treatment": 1}}
    [match] = evaluate(rules, facts)
    assert match.reason == "Unhappy with how they were treated: treatment 1 of 7."


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["rules"][1].update(deadline_hours=0), "rules[1].deadline_hours: Input"),
        (lambda d: d["rules"][0].update(priority="urgent"), "rules[0].priority: Input should be"),
        (
            lambda d: d["rules"][2].update(when={"fact": "outcome", "greater": 3}),
            'rules[2].when: unknown operator "greater"',
        ),
        (lambda d: d["rules"][3].update(id="dissatisfied"), 'duplicate rule id "dissatisfied"'),
        (lambda d: d.update(escalate_to=""), "escalate_to: String should have at least 1"),
        (lambda d: d.update(colour="blue"), "colour: Extra inputs are not permitted"),
        (lambda d: d["rules"][0].pop("title"), "rules[0].title: Field required"),
    ],
)
def test_bad_rules_are_refused_naming_the_path(change, message):
    data = copy.deepcopy(default_rule_set())
    change(data)
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_rule_set(data)


def test_text_that_is_not_json_is_refused():
    with pytest.raises(ValueError, match="Invalid JSON: key must be a string"):
        parse_rule_set("{rules: [")


# Property-based: the set is the sum of its rules, and the terms are the strictest.

scores = st.one_of(st.none(), st.integers(min_value=1, max_value=7))
facts_strategy = st.fixed_dictionaries(
    {
        "whole_experience": scores,
        "outcome": st.sampled_from(["satisfied", "neutral", "dissatisfied", "unanswered"]),
        "callback_requested": st.booleans(),
        "safeguarding": st.lists(st.sampled_from(PHRASES), max_size=3, unique=True),
        "sentiment": st.one_of(st.none(), st.floats(min_value=-1, max_value=1)),
    }
)


@settings(max_examples=300, deadline=None)
@given(facts=facts_strategy)
def test_a_rule_matches_in_the_set_exactly_when_it_matches_alone(facts):
    together = [m.rule_id for m in evaluate(RULES, facts)]
    alone = [
        rule.id for rule in RULES.rules if evaluate(RecoveryRuleSet(rules=(rule,)), facts) != []
    ]
    assert together == alone  # in the set's order, none lost, none added


@settings(max_examples=300, deadline=None)
@given(facts=facts_strategy)
def test_the_shipped_rules_follow_their_plain_meaning(facts):
    opened = set(ids(**facts))
    dissatisfied = facts["outcome"] == "dissatisfied" and facts["whole_experience"] is not None
    assert ("dissatisfied" in opened) == dissatisfied
    assert ("callback" in opened) == facts["callback_requested"]
    assert ("safeguarding" in opened) == bool(facts["safeguarding"])
    negative = facts["sentiment"] is not None and facts["sentiment"] <= NEGATIVE_SENTIMENT
    assert ("negative_comment" in opened) == negative


@settings(max_examples=300, deadline=None)
@given(
    deadlines=st.lists(st.integers(min_value=1, max_value=720), min_size=1, max_size=5),
    priorities=st.lists(st.sampled_from(PRIORITIES), min_size=5, max_size=5),
)
def test_a_case_takes_the_shortest_deadline_and_the_highest_priority(deadlines, priorities):
    rules = parse_rule_set(
        {
            "rules": [
                {"id": f"r{i}", "title": "t", "reason": "r", "deadline_hours": hours,
                 "priority": priorities[i], "when": {"fact": "x", "eq": 1}}
                for i, hours in enumerate(deadlines)
            ]
        }
    )  # fmt: skip
    matches = evaluate(rules, {"x": 1})
    assert len(matches) == len(deadlines)
    found = terms(rules, matches)
    assert found.deadline_hours == min(deadlines)
    assert PRIORITIES.index(found.priority) == min(
        PRIORITIES.index(p) for p in priorities[: len(deadlines)]
    )
