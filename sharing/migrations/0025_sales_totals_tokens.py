"""Sales totals requests remember the seller's token ids, so a later request for any part of it
(after a merge or a split into any number of parts) in an overlapping period is refused."""

from django.db import migrations, models


def tokens_remember(apps, schema_editor):
    """Requests made before this migration take their seller's tokens as they are now."""
    SalesTotalsRequest = apps.get_model("sharing", "SalesTotalsRequest")
    IdentifierToken = apps.get_model("sharing", "IdentifierToken")
    for request in SalesTotalsRequest.objects.filter(subject__isnull=False):
        request.tokens = sorted(
            IdentifierToken.objects.filter(subject_id=request.subject_id).values_list("pk", flat=True)
        )
        request.save(update_fields=["tokens"])


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0024_transparency_report"),
    ]

    operations = [
        migrations.AddField(
            model_name="salestotalsrequest",
            name="tokens",
            field=models.JSONField(default=list),
        ),
        migrations.RunPython(tokens_remember, migrations.RunPython.noop),
    ]
