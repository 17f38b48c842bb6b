from django.db import migrations, models


def name_the_schedulers(apps, schema_editor):
    """Scheduled groups remember who scheduled them by name too, so that deleting that
    account fails the run with the reason instead of running it unchecked."""
    PublishGroup = apps.get_model("publishing", "PublishGroup")
    for group in PublishGroup.objects.filter(scheduled_by__isnull=False).select_related(
        "scheduled_by"
    ):
        group.scheduled_by_name = group.scheduled_by.get_username()
        group.save(update_fields=["scheduled_by_name"])


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0005_publish_group_scheduled_by"),
    ]

    operations = [
        migrations.AddField(
            model_name="publishgroup",
            name="scheduled_by_name",
            field=models.CharField(blank=True, default="", max_length=150),
        ),
        migrations.RunPython(name_the_schedulers, migrations.RunPython.noop),
    ]
