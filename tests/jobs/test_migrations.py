"""The Job row moved from publishing to tenants without touching its table (issue 13): an
existing database keeps its jobs and the publish groups' links to them, and a fresh one
migrates from nothing."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.deploy.helpers import ROOT

BEFORE = [("tenants", "0003_live_read_model"), ("publishing", "0003_live_read_model")]


@pytest.mark.django_db(transaction=True)
def test_an_existing_database_keeps_its_jobs():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    tenant = old.get_model("tenants", "Tenant").objects.create(slug="old", name="Old")
    job = old.get_model("publishing", "Job").objects.create(
        tenant=tenant, kind="publish", status="failed", attempts=1, errors=["boom"]
    )
    group = old.get_model("publishing", "PublishGroup").objects.create(
        tenant=tenant, name="Launch", status="failed", last_job=job
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    from publishing.models import PublishGroup
    from tenants.models import Job

    moved = Job.objects.get(pk=job.pk)
    assert (moved.kind, moved.status, moved.errors, moved.attempts) == (
        "publish",
        "failed",
        ["boom"],
        1,
    )
    assert moved.history == [] and moved.worker == "" and moved.queued_at is None
    assert PublishGroup.objects.get(pk=group.pk).last_job == moved
    assert Job._meta.db_table == "publishing_job"


def test_a_fresh_database_migrates_and_the_models_match(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    for command in (["migrate", "--noinput"], ["makemigrations", "--check", "--dry-run"]):
        result = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
