"""The hub's one outbox (accounts/mail): OutboundMail replaces ApplicantMail, whose rows move into it
(a queued one stays queued, and the sweep sends it; the address is copied from its application)."""

import django.utils.timezone
from django.db import migrations, models


def applicant_mail_move(apps, schema_editor):
    ApplicantMail = apps.get_model("accounts", "ApplicantMail")
    OutboundMail = apps.get_model("accounts", "OutboundMail")
    OutboundMail.objects.bulk_create(
        OutboundMail(
            to=old.application.contact_email,
            subject=old.subject,
            body=old.body,
            created_at=old.created_at,
            sent_at=old.sent_at,
            attempts=1 if old.sent_at else 0,
            last_attempt_at=old.sent_at,
            about_type="organisationapplication",
            about_id=str(old.application.public_id),
        )
        for old in ApplicantMail.objects.select_related("application").order_by("pk").iterator()
    )


def applicant_mail_restore(apps, schema_editor):
    """Backwards: the outbox's mail about applications goes back to ApplicantMail (other mail is dropped)."""
    ApplicantMail = apps.get_model("accounts", "ApplicantMail")
    OutboundMail = apps.get_model("accounts", "OutboundMail")
    Application = apps.get_model("accounts", "OrganisationApplication")
    applications = {str(a.public_id): a for a in Application.objects.all()}
    ApplicantMail.objects.bulk_create(
        ApplicantMail(
            application=applications[mail.about_id],
            subject=mail.subject,
            body=mail.body,
            created_at=mail.created_at,
            sent_at=mail.sent_at,
        )
        for mail in OutboundMail.objects.filter(about_type="organisationapplication").order_by("pk")
        if mail.about_id in applications
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_invitations"),
    ]

    operations = [
        migrations.CreateModel(
            name="OutboundMail",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("to", models.EmailField(max_length=254)),
                ("subject", models.CharField(max_length=200)),
                ("body", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("sent_at", models.DateTimeField(blank=True, null=True)),
                ("attempts", models.PositiveIntegerField(default=0)),
                ("last_attempt_at", models.DateTimeField(blank=True, null=True)),
                ("last_error_kind", models.CharField(blank=True, max_length=100)),
                ("gave_up_at", models.DateTimeField(blank=True, null=True)),
                ("about_type", models.CharField(blank=True, max_length=50)),
                ("about_id", models.CharField(blank=True, max_length=64)),
            ],
            options={
                "indexes": [
                    models.Index(
                        condition=models.Q(("gave_up_at__isnull", True), ("sent_at__isnull", True)),
                        fields=["created_at"],
                        name="mail_queued",
                    ),
                    models.Index(fields=["about_type", "about_id"], name="mail_about"),
                ],
            },
        ),
        migrations.RunPython(applicant_mail_move, applicant_mail_restore),
        migrations.DeleteModel(
            name="ApplicantMail",
        ),
    ]
