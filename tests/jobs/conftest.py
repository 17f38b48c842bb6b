import pytest

from tenants.jobs import registry


@pytest.fixture
def job_kind():
    """job_kind(**spec) registers a kind for one test (the `sync` kind, which no app
    registers, by default) and restores the registry afterwards."""
    saved = dict(registry._KINDS)

    def _register(**spec):
        spec = {
            "kind": "sync",
            "label": "Read-model sync",
            "queue": "bulk",
            "start_role": "admin",
            **spec,
        }
        return registry.job_kind_register(**spec)

    yield _register
    registry._KINDS.clear()
    registry._KINDS.update(saved)
