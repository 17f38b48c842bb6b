"""Publishing forgets the Job model (state only): tenants.0004 took it over with its table,
and the publish groups' `last_job` foreign key now names tenants.Job (same table, same
constraint, nothing to change in the database)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('publishing', '0003_live_read_model'),
        ('tenants', '0004_job_moves_here'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='publishgroup',
                    name='last_job',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='tenants.job'),
                ),
                migrations.DeleteModel(name='Job'),
            ],
            database_operations=[],
        ),
    ]
