"""Turn the audit table into a verifiable log: sequence numbers, leaf hashes, head, checkpoints."""

import django.utils.timezone
from django.db import migrations, models


def backfill(apps, schema_editor):
    from accounts.audit.log import canonical_leaf
    from hubcore.merkle import leaf_hash

    AuditEvent = apps.get_model("accounts", "AuditEvent")
    AuditLogHead = apps.get_model("accounts", "AuditLogHead")
    size = 0
    for event in AuditEvent.objects.order_by("id").iterator():
        event.seq = size
        event.leaf_hash = leaf_hash(canonical_leaf(event)).hex()
        event.save(update_fields=["seq", "leaf_hash"])
        size += 1
    AuditLogHead.objects.create(pk=1, size=size)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_organisation_encryption_key_set_at_and_more")]

    operations = [
        migrations.CreateModel(
            name="AuditLogHead",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("size", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("size", models.BigIntegerField(unique=True)),
                ("root_hash", models.CharField(max_length=64)),
                ("note", models.TextField()),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={"ordering": ["size"]},
        ),
        migrations.AddField(model_name="auditevent", name="seq", field=models.BigIntegerField(null=True)),
        migrations.AddField(
            model_name="auditevent",
            name="leaf_hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(model_name="auditevent", name="seq", field=models.BigIntegerField(unique=True)),
        migrations.AlterModelOptions(name="auditevent", options={"ordering": ["seq"]}),
    ]
