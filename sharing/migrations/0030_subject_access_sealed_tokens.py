"""The listed person's challenges and correction requests keep their token sealed under the token
storage key, as IdentifierToken does: the column widens and the rows already held are sealed."""

from django.db import migrations, models

MODELS = ("IdentifierChallenge", "RectificationRequest")


def seal(apps, schema_editor):
    from hub.keys import token_storage_keys
    from sharing.crypto.tokens import token_seal

    keys = token_storage_keys()
    for name in MODELS:
        model = apps.get_model("sharing", name)
        for row in model.objects.exclude(token__contains=":").only("pk", "token").iterator():
            model.objects.filter(pk=row.pk).update(token=token_seal(row.token, keys=keys))


def unseal(apps, schema_editor):
    from hub.keys import token_storage_keys
    from sharing.crypto.tokens import token_unseal

    keys = token_storage_keys()
    for name in MODELS:
        model = apps.get_model("sharing", name)
        for row in model.objects.filter(token__contains=":").only("pk", "token").iterator():
            model.objects.filter(pk=row.pk).update(token=token_unseal(row.token, keys=keys))


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0029_jurisdiction"),
    ]

    operations = [
        migrations.AlterField(
            model_name="identifierchallenge",
            name="token",
            field=models.CharField(db_index=True, max_length=200),
        ),
        migrations.AlterField(
            model_name="rectificationrequest",
            name="token",
            field=models.CharField(db_index=True, max_length=200),
        ),
        migrations.RunPython(seal, unseal),
    ]
