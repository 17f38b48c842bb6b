"""AUDIT_RETENTION_DAYS: beat's task drops older rows and keeps the rest."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from tenants import audit, tasks
from tenants.audit import audit_record
from tenants.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_prune_drops_rows_older_than_the_retention(tenant, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    old = audit_record(tenant=tenant, user=None, action="media.update")
    edge = audit_record(tenant=tenant, user=None, action="media.update")
    new = audit_record(tenant=tenant, user=None, action="media.update")
    now = timezone.now()
    AuditEvent.objects.filter(pk=old.pk).update(at=now - timedelta(days=31))
    AuditEvent.objects.filter(pk=edge.pk).update(at=now - timedelta(days=29))
    assert tasks.audit_prune() == 1
    assert sorted(AuditEvent.objects.values_list("pk", flat=True)) == [edge.pk, new.pk]
    assert tasks.audit_prune() == 0  # idempotent


def test_prune_works_in_batches(tenant, monkeypatch):
    monkeypatch.setattr(audit, "PRUNE_BATCH", 2)
    for _ in range(5):
        audit_record(tenant=tenant, user=None, action="media.update")
    AuditEvent.objects.update(at=timezone.now() - timedelta(days=400))
    assert audit.audit_prune(days=365) == 5
    assert not AuditEvent.objects.exists()


def test_beat_runs_it_and_the_default_is_a_year():
    assert settings.CELERY_BEAT_SCHEDULE["audit-prune"]["task"] == "tenants.tasks.audit_prune"
    from config.settings import base

    assert base.AUDIT_RETENTION_DAYS == 365 or "AUDIT_RETENTION_DAYS" in __import__("os").environ
