"""One "shared" event per person, bulletin, channel and day (pressing a share button again
shared nothing more: the extra ones only inflated the figures, and are removed here before the
constraint that keeps them out), and who confirmed an installation."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import Min


def drop_repeated_shares(apps, schema_editor):
    ReachEvent = apps.get_model("reach", "ReachEvent")
    shares = ReachEvent.objects.filter(kind="shared")
    first = (
        shares.order_by().values("staff_id", "bulletin_id", "via", "day").annotate(first=Min("id"))
    )
    shares.exclude(id__in=first.values("first")).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("bulletins", "0002_initial"),
        ("reach", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="reachevent",
            name="confirmed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="confirmed by",
            ),
        ),
        migrations.RunPython(drop_repeated_shares, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="reachevent",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "shared")),
                fields=("staff", "bulletin", "via", "day"),
                name="one_share_a_day_per_channel",
            ),
        ),
    ]
