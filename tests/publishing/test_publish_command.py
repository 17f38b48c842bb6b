"""manage.py publish_media: progress, summary, and a non-zero exit with the reason."""

import pytest
from django.core.management import CommandError, call_command

from tenants.models import Job
from tests.publishing import builders as b

pytestmark = pytest.mark.django_db


@pytest.fixture
def drafted(tenant, editor):
    product = b.mug(tenant)
    b.checkin(tenant, product, editor, {"master": b.slots([b.image(tenant, editor, "photo")])})
    return product


def test_command_refuses_with_the_dependency_list(drafted, capsys):
    with pytest.raises(CommandError, match="not published yet"):
        call_command("publish_media", "--tenant", "acme", "--product", "MUG-001")
    assert not Job.objects.exists()


def test_command_publishes_with_progress_and_summary(drafted, shop, capsys):
    call_command(
        "publish_media", "--tenant", "acme", "--product", "MUG-001", "--publish-dependencies"
    )
    out = capsys.readouterr().out
    assert "1/1 products" in out and "Published (job #" in out and "documents_published" in out
    assert Job.objects.get().status == "succeeded"
    assert shop("MUG-001")["default_image"] is not None


def test_command_all_and_context(tenant, drafted, editor, shop, capsys):
    b.shirt(tenant)
    call_command(
        "publish_media",
        "--tenant",
        "acme",
        "--all",
        "--channel",
        "omnichannel",
        "--locale",
        "neutral",
        "--publish-dependencies",
    )
    assert "2/2 products" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tenant", "nope", "--all"], "Unknown tenant"),
        (["--tenant", "acme", "--product", "NOPE"], "Unknown products"),
        (["--tenant", "acme", "--group", "missing"], "No publish group"),
        (["--tenant", "acme", "--all", "--channel", "mars"], "Unknown channel"),
        (["--tenant", "acme", "--all", "--locale", "en-us"], "--locale needs --channel"),
    ],
)
def test_command_bad_input(drafted, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("publish_media", *args)
