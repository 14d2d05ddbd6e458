"""API clients moved from the checks app to this one: their rows are copied here before the
checks app drops its table, keys and limits unchanged."""

from django.db import migrations

FIELDS = ("name", "description", "key_prefix", "key_digest", "rate", "active", "created_at")


def copy(apps, schema_editor):
    old = apps.get_model("checks", "ApiClient")
    new = apps.get_model("clients", "ApiClient")
    new.objects.bulk_create(
        new(**{name: getattr(row, name) for name in FIELDS}) for row in old.objects.all()
    )


def copy_back(apps, schema_editor):
    old = apps.get_model("checks", "ApiClient")
    new = apps.get_model("clients", "ApiClient")
    old.objects.bulk_create(
        old(**{name: getattr(row, name) for name in FIELDS}) for row in new.objects.all()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0001_initial"),
        ("checks", "0004_text_and_link_validators"),
    ]

    operations = [migrations.RunPython(copy, copy_back)]
