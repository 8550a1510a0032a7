# Service recovery in full: rules as data, an owner, states, a timeline of actions and
# overdue escalation. Notes become timeline actions; existing cases keep their reasons.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TITLES = {
    "dissatisfied": "Dissatisfied with the service",
    "callback": "Asked for a call back",
}


def forwards(apps, schema_editor):
    RecoveryCase = apps.get_model("recovery", "RecoveryCase")
    CaseAction = apps.get_model("recovery", "CaseAction")
    CaseAction.objects.exclude(status_after="").update(kind="status")
    for case in RecoveryCase.objects.all().iterator():
        hours = int((case.deadline - case.opened_at).total_seconds() // 3600)
        case.rules = [
            {"id": r, "title": TITLES.get(r, r), "reason": TITLES.get(r, r) + ".",
             "deadline_hours": hours, "priority": "normal"}
            for r in case.reasons
        ]
        case.reason = " ".join(rule["reason"] for rule in case.rules)
        first = (
            CaseAction.objects.filter(case=case, status_after="contacted").order_by("at").first()
        )
        case.first_contacted_at = first.at if first else None
        case.save(update_fields=["rules", "reason", "first_contacted_at"])


class Migration(migrations.Migration):

    dependencies = [
        ("forces", "0001_initial"),
        ("recovery", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="RecoveryRuleSetVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.PositiveIntegerField()),
                ("definition", models.JSONField()),
                ("active", models.BooleanField(default=True)),
                ("created_by", models.CharField(blank=True, max_length=150)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("force", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, to="forces.force")),
            ],
            options={
                "verbose_name": "recovery rules version",
                "ordering": ["-version"],
                "constraints": [
                    models.UniqueConstraint(fields=("force", "version"), name="recovery_rule_set_version_unique")
                ],
            },
        ),
        migrations.RenameModel("CaseNote", "CaseAction"),
        migrations.AlterModelOptions(name="caseaction", options={"ordering": ["at", "pk"]}),
        migrations.AlterField(
            model_name="caseaction",
            name="case",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="actions", to="recovery.recoverycase"),
        ),
        migrations.AlterField(
            model_name="caseaction",
            name="at",
            field=models.DateTimeField(),
        ),
        migrations.AlterField(
            model_name="caseaction",
            name="author",
            field=models.ForeignKey(blank=True, help_text="None: Bluelamp itself (the rules or the overdue job)", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name="caseaction",
            name="text",
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name="caseaction",
            name="status_after",
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.AddField(
            model_name="caseaction",
            name="kind",
            field=models.CharField(choices=[("opened", "Opened"), ("note", "Note"), ("contact_attempt", "Call attempt, not reached"), ("status", "Status changed"), ("reassigned", "Reassigned"), ("overdue", "Overdue: escalated"), ("follow_up", "Follow-up survey")], default="note", max_length=20),
        ),
        migrations.AddField(
            model_name="caseaction",
            name="status_before",
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.AddField(
            model_name="caseaction",
            name="owner_before",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name="caseaction",
            name="owner_after",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name="recoverycase",
            name="status",
            field=models.CharField(choices=[("open", "Open"), ("contacted", "Contacted"), ("resolved", "Resolved"), ("could_not_contact", "Could not contact"), ("escalated", "Escalated to professional standards"), ("closed", "Closed")], default="open", max_length=20),
        ),
        migrations.AlterField(
            model_name="recoverycase",
            name="team",
            field=models.ForeignKey(blank=True, help_text="The contact's team", null=True, on_delete=django.db.models.deletion.SET_NULL, to="forces.team"),
        ),
        migrations.AlterField(
            model_name="recoverycase",
            name="reasons",
            field=models.JSONField(default=list, help_text="Ids of the rules that opened it"),
        ),
        migrations.AddField(
            model_name="recoverycase",
            name="owner",
            field=models.ForeignKey(blank=True, help_text="The person who owns the case; none: the team does", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name="recoverycase",
            name="rules",
            field=models.JSONField(default=list, help_text="The rules that opened it: id, title, reason, deadline, priority"),
        ),
        migrations.AddField(
            model_name="recoverycase",
            name="rule_version",
            field=models.PositiveIntegerField(default=0, help_text="0: the shipped rules"),
        ),
        migrations.AddField(
            model_name="recoverycase",
            name="reason",
            field=models.TextField(blank=True, help_text="Why it was opened, in words"),
        ),
        migrations.AddField(
            model_name="recoverycase",
            name="priority",
            field=models.CharField(choices=[("high", "High"), ("normal", "Normal"), ("low", "Low")], default="normal", max_length=8),
        ),
        migrations.AddField(
            model_name="recoverycase",
            name="follow_up",
            field=models.BooleanField(default=False, help_text="Survey the caller once resolved"),
        ),
        migrations.AddField(
            model_name="recoverycase",
            name="first_contacted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="recoverycase",
            name="overdue_escalated_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
