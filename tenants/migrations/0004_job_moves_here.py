"""The Job row moves from publishing to the ground floor (issue 13) without touching its
table: the model state is created here over the existing `publishing_job` table (and the
publishing app forgets its own in publishing.0004), then the new columns are added, and the
content type follows so admin history and permissions keep pointing at the same rows."""

import django.db.models.deletion
import tenants.models
from django.conf import settings
from django.db import migrations, models


def content_type_move(apps, schema_editor, *, source="publishing", target="tenants"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=target, model="job").exists():
        ContentType.objects.filter(app_label=source, model="job").update(app_label=target)


def content_type_move_back(apps, schema_editor):
    content_type_move(apps, schema_editor, source="tenants", target="publishing")


class Migration(migrations.Migration):

    dependencies = [
        ('tenants', '0003_live_read_model'),
        # The table exists (publishing.0001) with every column publishing's state knows.
        ('publishing', '0003_live_read_model'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Job',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('publish', 'Publish'), ('import', 'Manifest import'), ('export', 'Manifest export'), ('copy', 'Tenant copy'), ('sync', 'Read-model sync')], max_length=16)),
                        ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('succeeded', 'Succeeded'), ('failed', 'Failed')], default='queued', max_length=16)),
                        ('description', models.CharField(blank=True, max_length=500)),
                        ('params', models.JSONField(blank=True, default=dict)),
                        ('progress_done', models.PositiveIntegerField(default=0)),
                        ('progress_total', models.PositiveIntegerField(default=0)),
                        ('counts', models.JSONField(blank=True, default=dict)),
                        ('errors', models.JSONField(blank=True, default=list)),
                        ('result_file', models.FileField(blank=True, max_length=500, upload_to=tenants.models.job_file_upload_to)),
                        ('attempts', models.PositiveIntegerField(default=0)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('heartbeat_at', models.DateTimeField(blank=True, help_text='Last sign of life from the worker running it (start and progress).', null=True)),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tenants.tenant')),
                    ],
                    options={
                        'db_table': 'publishing_job',
                        'ordering': ['-created_at', '-pk'],
                        'indexes': [models.Index(fields=['tenant', 'kind', 'status'], name='publishing__tenant__7f685d_idx')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_move, content_type_move_back, elidable=True),
        migrations.AddField(
            model_name='job',
            name='queued_at',
            field=models.DateTimeField(blank=True, help_text='Last time it was (re)queued: created, retried or re-sent.', null=True),
        ),
        migrations.AddField(
            model_name='job',
            name='worker',
            field=models.CharField(blank=True, help_text='Host and process id running the current attempt.', max_length=200),
        ),
        migrations.AddField(
            model_name='job',
            name='history',
            field=models.JSONField(blank=True, default=list, help_text='What happened to it, oldest first: queued, started, failed, reaped, retried.'),
        ),
        migrations.AlterField(
            model_name='job',
            name='heartbeat_at',
            field=models.DateTimeField(blank=True, help_text='Last sign of life from the worker running it, saved every few seconds.', null=True),
        ),
        migrations.AddIndex(
            model_name='job',
            index=models.Index(fields=['status', 'heartbeat_at'], name='job_status_heartbeat'),
        ),
        migrations.CreateModel(
            name='SchedulerBeat',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=63, unique=True)),
                ('last_seen_at', models.DateTimeField()),
                ('holder', models.CharField(blank=True, help_text='Host and process id of the beat holding the lock.', max_length=200)),
            ],
        ),
    ]
