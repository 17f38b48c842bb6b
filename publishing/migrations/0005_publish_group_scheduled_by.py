import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def scheduled_runs_keep_their_user(apps, schema_editor):
    """Groups scheduled before this field existed ran as their creator: keep that user, so
    their run is still role-checked (R30) rather than becoming a system action."""
    PublishGroup = apps.get_model("publishing", "PublishGroup")
    PublishGroup.objects.filter(status="scheduled", created_by__isnull=False).update(
        scheduled_by=models.F("created_by")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0004_job_moves_to_tenants"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="publishgroup",
            name="scheduled_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(scheduled_runs_keep_their_user, migrations.RunPython.noop),
    ]
