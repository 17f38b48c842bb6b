import pytest

from tenants.models import AuditEvent
from tests.factories import make_tenant


def _fresh_tenant(slug: str):
    """A test tenant without the rows its setup wrote (tenant.create, channel.create and
    locale.create, as system): each test here counts only the rows of what it does."""
    tenant = make_tenant(slug)
    AuditEvent.objects.filter(tenant=tenant).delete()
    return tenant


@pytest.fixture
def tenant(db):
    return _fresh_tenant("acme")


@pytest.fixture
def other_tenant(db):
    return _fresh_tenant("globex")


@pytest.fixture
def audit_rows():
    """audit_rows(**filters) -> the audit rows, oldest first."""

    def _rows(**filters):
        return list(AuditEvent.objects.filter(**filters).order_by("pk"))

    return _rows


@pytest.fixture
def only_row(audit_rows):
    """only_row(**filters) -> the one audit row matching (fails when not exactly one)."""

    def _one(**filters):
        rows = audit_rows(**filters)
        assert len(rows) == 1, [(r.action, r.object_id) for r in rows]
        return rows[0]

    return _one
