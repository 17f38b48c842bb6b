"""R19 channel and locale mapping: identical codes by default, explicit SRC=DEST, dropping;
unmapped codes are named before anything is written."""

import pytest
from django.core.management.base import CommandError

from assignments.models import AssignmentDocument, CategoryMedia
from catalog.services import category_create
from tenants.models import Channel, Job
from tests.factories import make_tenant
from tests.publishing import builders as b
from tests.tenant_copy.conftest import snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def initech(source):
    """A destination with channel `online` instead of `web`, and no de-de locale."""
    tenant = make_tenant("initech", channels=("online", "pos"), locales=("en-us", "fr-fr"))
    b.shirt(tenant)
    category_create(
        tenant=tenant, channel=Channel.objects.get(tenant=tenant, code="online"), name="Shirts"
    )
    return tenant


def _contexts(tenant) -> set[tuple[str, str]]:
    return set(
        AssignmentDocument.objects.filter(tenant=tenant).values_list(
            "channel__code", "locale__code"
        )
    )


def test_unmapped_channels_and_locales_are_named_and_nothing_is_written(  # R19
    initech, copy_command
):
    before = snapshot(initech)

    with pytest.raises(CommandError) as refused:
        copy_command(destination="initech")

    message = str(refused.value)
    assert "Unmapped source channels: web" in message
    assert "Unmapped source locales: de-de" in message
    assert snapshot(initech) == before
    assert not Job.objects.filter(tenant=initech).exists()


def test_mapped_and_dropped_codes_copy_into_the_mapped_contexts(  # R19
    initech, source, copy_command
):
    out = copy_command(
        "--map-channel", "web=online", "--drop-locale", "de-de", destination="initech"
    )

    assert "web->online" in out and "dropped: de-de" in out
    assert _contexts(initech) == {("omnichannel", "neutral"), ("online", "en-us")}
    # The category image follows the channel mapping, matched by path.
    assignment = CategoryMedia.objects.get(tenant=initech)
    assert (assignment.category.channel.code, assignment.category.path) == ("online", "Shirts")


def test_a_dropped_channel_copies_none_of_its_documents_or_category_images(  # R19
    other_tenant, source, copy_command
):
    copy_command("--drop-channel", "web")

    assert _contexts(other_tenant) == {("omnichannel", "neutral")}
    assert not CategoryMedia.objects.filter(tenant=other_tenant).exists()


def test_a_dropped_locale_copies_none_of_its_documents(other_tenant, source, copy_command):  # R19
    copy_command("--drop-locale", "en-us")

    assert _contexts(other_tenant) == {("omnichannel", "neutral")}


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--map-channel", "web=nowhere"], "The destination has no channel 'nowhere'"),
        (["--map-channel", "shop=web"], "The source has no channel 'shop'"),
        (["--map-locale", "en-us=fr-fr"], "Source locales en-us, fr-fr all map to 'fr-fr'"),
        (["--map-channel", "omnichannel=web"], "pseudo and real differ"),
        (["--drop-locale", "xx-yy"], "The source has no locale 'xx-yy'"),
        (["--map-channel", "web"], "'web' is not SRC=DEST"),
    ],
)
def test_bad_mappings_are_refused_with_the_reason(  # R19
    other_tenant, source, copy_command, args, reason
):
    before = snapshot(other_tenant)

    with pytest.raises(CommandError, match=reason):
        copy_command(*args)

    assert snapshot(other_tenant) == before
