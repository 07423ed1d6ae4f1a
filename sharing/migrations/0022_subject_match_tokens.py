"""A recorded match carries the tokens it matched (a split sends it to the part holding them) and
is written once per organisation, subject, source and reference (the outcome counts read it)."""

from django.db import migrations, models
from django.db.models import Min


def duplicates_merge(apps, schema_editor):
    """Keep one row (the first) of each (organisation, subject, source, reference) before the constraint."""
    SubjectMatch = apps.get_model("sharing", "SubjectMatch")
    groups = (
        SubjectMatch.objects.values("organisation_id", "subject_id", "source", "reference")
        .annotate(first=Min("pk"), rows=models.Count("pk"))
        .filter(rows__gt=1)
    )
    for group in groups:
        same = SubjectMatch.objects.filter(
            organisation_id=group["organisation_id"],
            subject_id=group["subject_id"],
            source=group["source"],
            reference=group["reference"],
        )
        same.exclude(pk=group["first"]).delete()  # the first row is also the earliest match


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0021_feed_collections"),
    ]

    operations = [
        migrations.AddField(
            model_name="subjectmatch",
            name="tokens",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(duplicates_merge, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="subjectmatch",
            constraint=models.UniqueConstraint(
                fields=("organisation", "subject", "source", "reference"), name="subject_match_once"
            ),
        ),
    ]
