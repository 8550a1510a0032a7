"""Flags beside the offence, consent per purpose, proposed judgements, the Code's clocks.

Data moved: crimes recorded under the old types ``domestic_abuse`` and ``hate_crime`` get
the flag (the offence stays: which offence it was is not known, and the type stays readable);
so do their contacts. ``reported_at`` is the linked contact's ``received_at``, else
``recorded_at``. Enhanced Rights and "persistently targeted" become decisions: confirmed by
the person named on the victim, else proposed. Consent ``victim_support`` becomes
``share_with_partners``. A referral exported before (``exported_at``) counts as sent.
"""

import django.db.models.deletion
from django.db import migrations, models

FLAG_TYPES = {"domestic_abuse": "domestic_abuse", "hate_crime": "hate_crime"}
INTERNAL = {"older_person_liaison"}


def forward(apps, schema_editor):
    Crime = apps.get_model("care", "Crime")
    Victim = apps.get_model("care", "Victim")
    Referral = apps.get_model("care", "Referral")
    Contact = apps.get_model("intake", "Contact")
    for crime in Crime.objects.select_related("contact").iterator():
        crime.reported_at = crime.contact.received_at if crime.contact_id else crime.recorded_at
        if crime.reported_at > crime.recorded_at:
            crime.reported_at = crime.recorded_at
        flag = FLAG_TYPES.get(crime.offence_id)
        if flag and flag not in crime.flags:
            crime.flags = sorted({*crime.flags, flag})
        if crime.offence_id == "burglary_residential":
            crime.premises = "home"
        crime.save(update_fields=["reported_at", "flags", "premises"])
    for contact in Contact.objects.filter(incident_type_id__in=FLAG_TYPES).iterator():
        flag = FLAG_TYPES[contact.incident_type_id]
        if flag not in contact.flags:
            contact.flags = sorted({*contact.flags, flag})
            contact.save(update_fields=["flags"])
    for victim in Victim.objects.iterator():
        if victim.old_enhanced:
            victim.enhanced_rights = "confirmed" if victim.enhanced_confirmed_by else "proposed"
        elif victim.enhanced_confirmed_by:
            victim.enhanced_rights = "declined"
        else:
            victim.enhanced_rights = ""
        victim.persistently_targeted = "proposed" if victim.old_persistent else ""
        consent = dict(victim.consent)
        old = consent.pop("victim_support", None)
        moved = {}
        for purpose, value in (("share_with_partners", consent.get("share_with_partners", old)),):
            if isinstance(value, bool):
                moved[purpose] = {"given": value}
        victim.consent = moved
        victim.language = victim.language or ""
        victim.save(update_fields=["enhanced_rights", "persistently_targeted", "consent"])
    Referral.objects.filter(service__in=INTERNAL).update(partner=False, basis="internal")
    Referral.objects.filter(status="open").exclude(sent_at=None).update(status="sent")
    Referral.objects.filter(partner=True, status="open").update(basis="unless_objected")


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0002_needs_review"),
        ("intake", "0002_initial"),
        ("surveys", "0007_taxonomy_v2"),
    ]

    operations = [
        migrations.AddField(
            model_name="crime",
            name="flags",
            field=models.JSONField(blank=True, default=list, help_text="Codes from CRIME_FLAGS"),
        ),
        migrations.AddField(
            model_name="crime",
            name="hate_strands",
            field=models.JSONField(blank=True, default=list, help_text="Codes from HATE_STRANDS"),
        ),
        migrations.AddField(
            model_name="crime",
            name="premises",
            field=models.CharField(
                blank=True, max_length=20, help_text="home, shop, business, public_place, other"
            ),
        ),
        migrations.AddField(
            model_name="crime",
            name="reported_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name="victim",
            name="name_key",
            field=models.CharField(
                blank=True,
                db_index=True,
                max_length=64,
                help_text="Keyed hash of name and birth date",
            ),
        ),
        migrations.RenameField("victim", "enhanced_rights", "old_enhanced"),
        migrations.RenameField("victim", "persistently_targeted", "old_persistent"),
        migrations.AddField(
            model_name="victim",
            name="enhanced_rights",
            field=models.CharField(
                blank=True,
                max_length=10,
                choices=[
                    ("proposed", "Proposed by the rules, not yet confirmed"),
                    ("confirmed", "Confirmed by a person"),
                    ("declined", "Declined by a person"),
                ],
                help_text="Proposed by the rules (the shorter limits apply meanwhile), "
                "confirmed or declined by a person; blank when not proposed",
            ),
        ),
        migrations.AddField(
            model_name="victim",
            name="persistently_targeted",
            field=models.CharField(
                blank=True,
                max_length=10,
                choices=[
                    ("proposed", "Proposed by the rules, not yet confirmed"),
                    ("confirmed", "Confirmed by a person"),
                    ("declined", "Declined by a person"),
                ],
                help_text="The Code's judgement: proposed when the same person was a victim "
                "within 12 months, confirmed or declined by a person; blank when not proposed",
            ),
        ),
        migrations.AddField(
            model_name="victim",
            name="persistent_decided_by",
            field=models.CharField(blank=True, max_length=150),
        ),
        migrations.AddField(
            model_name="victim",
            name="persistent_decided_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="victim",
            name="language",
            field=models.CharField(blank=True, max_length=2, help_text="en, cy; blank: not known"),
        ),
        migrations.AlterField(
            model_name="victim",
            name="consent",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text='Per purpose: {"share_with_partners": {"given": true, "asked_at": '
                '..., "how": ...}}; a purpose missing was not asked',
            ),
        ),
        migrations.AlterField(
            model_name="victim",
            name="repeat_victim",
            field=models.BooleanField(
                default=False,
                help_text="The same person, or the same home, was a victim within the last 12 "
                "months",
            ),
        ),
        migrations.AddField(
            model_name="crimeevent",
            name="reports",
            field=models.ManyToManyField(
                blank=True,
                related_name="reported_by",
                to="care.crimeevent",
                help_text="For victim_updated: the events the victim was told of",
            ),
        ),
        migrations.AddField(
            model_name="crimeevent",
            name="review_eligible",
            field=models.BooleanField(
                default=False,
                help_text="No further action after an interview under caution: the victim may "
                "ask for a review (Victims' Right to Review)",
            ),
        ),
        migrations.AlterField(
            model_name="crimeevent",
            name="kind",
            field=models.CharField(max_length=40),
        ),
        migrations.AlterField(
            model_name="duty",
            name="right",
            field=models.CharField(max_length=20),
        ),
        migrations.AddField(
            model_name="duty",
            name="met_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="duties_met",
                to="care.crimeevent",
                help_text="The event that met it",
            ),
        ),
        migrations.AddField(
            model_name="duty",
            name="missed_reason",
            field=models.TextField(blank=True, help_text="Why it was not met in time"),
        ),
        migrations.AddField(
            model_name="duty",
            name="missed_reason_by",
            field=models.CharField(blank=True, max_length=150),
        ),
        migrations.RenameField("referral", "exported_at", "sent_at"),
        migrations.AddField(
            model_name="referral",
            name="sent_by",
            field=models.CharField(blank=True, max_length=150),
        ),
        migrations.AddField(
            model_name="referral",
            name="partner",
            field=models.BooleanField(default=True, help_text="The service is outside the force"),
        ),
        migrations.AddField(
            model_name="referral",
            name="basis",
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.AddField(
            model_name="referral",
            name="basis_reason",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="referral",
            name="basis_by",
            field=models.CharField(blank=True, max_length=150),
        ),
        migrations.AlterField(
            model_name="referral",
            name="status",
            field=models.CharField(max_length=20),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.RemoveField("victim", "old_enhanced"),
        migrations.RemoveField("victim", "old_persistent"),
        migrations.AlterField(
            model_name="crime",
            name="reported_at",
            field=models.DateTimeField(
                help_text="When the victim reported it: the Victims' Code clocks start here"
            ),
        ),
        migrations.AlterField(
            model_name="crimeevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("attended", "Attended"),
                    ("suspect_arrested", "Suspect arrested"),
                    ("suspect_interviewed", "Suspect interviewed under caution"),
                    ("released_without_charge", "Released without charge"),
                    ("bailed", "Bailed"),
                    ("released_under_investigation", "Released under investigation"),
                    ("bail_conditions_changed", "Bail conditions changed"),
                    ("bail_cancelled", "Bail cancelled"),
                    ("charged", "Charged"),
                    ("caution", "Cautioned"),
                    ("conditional_caution", "Conditional caution"),
                    ("community_resolution", "Community resolution"),
                    ("outcome_22", "Diversionary or intervention activity (outcome 22)"),
                    ("no_further_action", "No further action"),
                    ("decision_not_to_investigate", "Decision not to investigate"),
                    ("outcome_recorded", "Outcome recorded"),
                    ("report_confirmed", "Written confirmation of the report given"),
                    ("vps_offered", "Victim personal statement offered"),
                    ("review_requested", "Review of the decision requested (VRR)"),
                    ("review_acknowledged", "Review request acknowledged"),
                    ("review_decided", "Review decided"),
                    ("complaint_received", "Complaint received (rights not met)"),
                    ("complaint_answered", "Complaint answered"),
                    ("victim_updated", "Victim updated"),
                ],
                max_length=40,
            ),
        ),
        migrations.AlterField(
            model_name="duty",
            name="right",
            field=models.CharField(
                choices=[
                    ("written_confirmation", "Right 3: written confirmation of the report"),
                    ("referral", "Right 4: referral to support"),
                    ("suspect_decision", "Right 6: told of a suspect decision"),
                    ("update", "Right 6: updated as often as agreed"),
                    ("vps_offer", "Right 7: offered a victim personal statement"),
                    ("outcome", "Right 9: told the outcome"),
                    ("review_acknowledge", "Right to Review: request acknowledged"),
                    ("review_decide", "Right to Review: request decided"),
                    ("complaint", "Right 12: complaint answered"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="referral",
            name="basis",
            field=models.CharField(
                blank=True,
                choices=[
                    ("internal", "Within the force"),
                    ("consent", "The victim consented"),
                    ("unless_objected", "The Code refers unless the victim objects"),
                    ("safeguarding", "A safeguarding duty"),
                    ("legal_obligation", "A legal obligation"),
                    ("vital_interests", "To protect someone's life"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="referral",
            name="status",
            field=models.CharField(
                choices=[
                    ("awaiting_consent", "Awaiting the victim's consent or a lawful basis"),
                    ("open", "Open: to be sent"),
                    ("sent", "Sent"),
                    ("accepted", "Accepted"),
                    ("declined", "Declined"),
                    ("closed", "Closed"),
                ],
                max_length=20,
            ),
        ),
    ]
