from django.db import migrations


def create(apps, schema_editor):
    # The one record the back office edits; `chinhthong setup` fills it with the defaults.
    apps.get_model("portal", "SiteIdentity").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_site_identity")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
