"""Why was this contact (not) surveyed? In the API and in the app, stage by stage."""

import re

from django.utils import timezone

from bluelamp.surveys.services import invitation_schedule
from tests.conftest import contact_body, post_contact
from tests.helpers import make_contact, send_scheduled


def test_the_api_names_the_rule_and_version_and_what_was_sent(api, force):
    excluded = post_contact(api, contact_body("WHY-1", flags=["suspect_may_share_phone"])).json()
    detail = api.get(f"/api/v1/contacts/{excluded['id']}").json()
    first = detail["invitation"]
    assert first["status"] == "excluded"
    assert first["rule"] == "excluded_flags.suspect_may_share_phone"
    assert first["rules_version"] == 1
    assert "suspect may share" in first["reason_text"]

    sent = post_contact(api, contact_body("WHY-2")).json()
    send_scheduled()
    from bluelamp.intake.models import Contact

    contact = Contact.objects.get(pk=sent["id"])
    invitation_schedule(contact=contact, stage="outcome", now=timezone.now())
    detail = api.get(f"/api/v1/contacts/{sent['id']}").json()
    assert [i["stage"] for i in detail["invitations"]] == ["first_contact", "outcome"]
    first = detail["invitations"][0]
    assert first["status"] == "sent" and first["rule"] == "sampling.everyone"
    assert first["messages"][0]["status"] == "sent"
    assert first["messages"][0]["provider"] == "console"
    outcome = detail["invitations"][1]
    assert outcome["status"] == "scheduled" and outcome["send_at"] > first["sent_at"]


def test_a_supervisor_asks_why_on_the_page_for_their_own_teams_only(login, bob, force, team_a):
    make_contact(force, "PAGE-1", person={"age": 12}, team="team-b")
    make_contact(force, "PAGE-2", team="team-a")
    page = login(bob).get("/contacts/", {"reference": "PAGE-1"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Aged 12, under 16" in text
    assert "The force&#x27;s contact rules, version 1: the minimum age" in text  # words
    assert "minimum_age" not in text
    assert "Test Caller" not in text and "07700" not in text  # no personal data shown
    other = login(bob).get("/contacts/", {"reference": "PAGE-2"})
    assert other.status_code == 404  # another team's contact is not bob's to see


def test_a_repeat_victim_may_get_a_template_of_its_own(force):
    from bluelamp.surveys.services import contact_rules_save

    contact_rules_save(
        force=force, definition={"frequency_days": 0, "repeat_victim_template": "general"},
        user=None,
    )  # fmt: skip
    first = make_contact(force, "REP-1")
    again = make_contact(force, "REP-2", flags=["repeat_victim"])
    assert first.template is not None and first.template.key == "burglary"
    assert again.template is not None and again.template.key == "general"
    assert again.status == "scheduled" and again.rules_version == 2


def test_an_invitation_sent_late_counts_from_when_it_went(force):
    """Found by the property test: the worker was down all day, so yesterday morning's
    invitation and this morning's (a second contact 20 hours later) fell due together. The one
    sent first now counts against the other from the moment it went, not when it was due."""
    import datetime as dt

    from bluelamp.delivery.models import Message
    from bluelamp.delivery.queue import run_due
    from bluelamp.lib import clock
    from bluelamp.surveys.services import contact_rules_save

    contact_rules_save(force=force, definition={"frequency_days": 1, "stages": {
        "first_contact": {"delay_hours": 0}}, "reminder_after_hours": None}, user=None)  # fmt: skip
    night = dt.datetime(2026, 3, 1, 0, 0, tzinfo=dt.UTC)
    evening = night + dt.timedelta(hours=20)
    with clock.frozen_at(night):
        first = make_contact(force, "LATE-1", received_at=night.isoformat())
    with clock.frozen_at(evening):
        second = make_contact(force, "LATE-2", received_at=evening.isoformat())
    # Due at 08:00 on the 1st and 08:00 on the 2nd: just a day apart, so both were scheduled.
    assert (first.status, second.status) == ("scheduled", "scheduled")
    assert second.send_at - first.send_at == dt.timedelta(days=1)
    run_due(now=second.send_at)  # the worker's first turn since the night before
    sent = Message.objects.filter(force=force, purpose="invitation").exclude(status="failed")
    assert sent.count() == 1
    second.refresh_from_db()
    first.refresh_from_db()
    assert sorted([first.status, second.status]) == ["excluded", "sent"]
    assert "frequency_cap" in (first.reason, second.reason)


def test_each_rule_code_reads_as_words():
    from bluelamp.surveys.models import Invitation, rule_words

    assert rule_words("sampling.calls_101_half") == "the sampling rule 'calls 101 half'"
    assert rule_words("excluded_flags.domestic_abuse") == "the flag 'domestic abuse'"
    assert rule_words("frequency_days") == "how often one person may be surveyed"
    shipped = Invitation(rules_version=0, rule="sampling.everyone").decided_by()
    assert shipped.startswith("the contact rules as shipped")
    assert Invitation(rules_version=None).decided_by().startswith("no recorded rules")


def test_the_days_contacts_list_with_their_first_decision_filtered_and_in_pages(
    login, bob, force, team_a
):
    make_contact(force, "LIST-1", person={"age": 12}, team="team-b",
                 received_at="2026-11-27T09:00:00Z")  # fmt: skip
    make_contact(force, "LIST-2", team="team-b", received_at="2026-11-27T10:00:00Z")
    make_contact(force, "LIST-3", team="team-a", received_at="2026-11-27T11:00:00Z")
    make_contact(force, "LIST-4", team="team-b", received_at="2026-11-28T10:00:00Z")
    client = login(bob)

    def listed(**query: str) -> list[str]:
        r = client.get("/contacts/", {"day": "2026-11-27", **query})
        assert r.status_code == 200, re.findall(r"<li>.*?</li>", r.content.decode(), re.S)
        return re.findall(r'data-testid="contact-([A-Z0-9-]+)"', r.content.decode())

    assert listed() == ["LIST-2", "LIST-1"]  # bob's team only, that day, newest first
    assert listed(sort="oldest") == ["LIST-1", "LIST-2"]
    assert listed(decision="excluded") == ["LIST-1"]
    assert listed(decision="surveyed") == ["LIST-2"]
    assert listed(incident_type="robbery_personal") == []
    page = client.get("/contacts/", {"day": "2026-11-27", "decision": "excluded"}).content
    assert "Not surveyed: Aged 12, under 16" in page.decode()
    assert "Test Caller" not in page.decode()  # no personal data shown
    assert (
        "No contact that day with these filters"
        in client.get("/contacts/", {"day": "2026-11-27", "decision": "answered"}).content.decode()
    )
    for query, field in (({"day": "27/11/2026"}, "day"), ({"team": "team-a"}, "team"),
                         ({"decision": "maybe"}, "decision"), ({"page": "9"}, "page")):  # fmt: skip
        r = client.get("/contacts/", query)
        assert r.status_code == 400 and field in r.content.decode(), query
