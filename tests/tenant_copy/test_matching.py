"""R19: entries are matched to the destination catalog by variant number, else by dimension
values; what has no match is reported, never invented."""

import pytest

from assignments.models import AssignmentDocument
from assignments.selectors import content_sets_load
from catalog.services import product_create
from tenants.models import Job
from tests.factories import make_tenant
from tests.tenant_copy.conftest import dest_item

pytestmark = pytest.mark.django_db


def _umbrella(colors: list[str], number_of) -> object:
    tenant = make_tenant("umbrella")
    dimensions = {"color": colors, "size": ["S", "M"], "style": ["Slim"]}
    product_create(
        tenant=tenant,
        number="SHIRT-001",
        name="Oxford shirt",
        kind="master",
        dimensions=dimensions,
        variants=[
            {"number": number_of(c, s), "values": {"color": c, "size": s, "style": "Slim"}}
            for c in colors
            for s in ("S", "M")
        ],
    )
    return tenant


def _published(tenant) -> dict:
    document = AssignmentDocument.objects.get(
        tenant=tenant, channel__code="omnichannel", locale__code="neutral"
    )
    return content_sets_load(tenant=tenant, set_ids=[document.published_id])[
        document.published_id
    ].as_dict()


def test_a_variant_with_another_number_is_matched_by_its_dimension_values(  # R19
    source, copy_command
):
    umbrella = _umbrella(["Blue", "Red"], lambda c, s: f"UMB-{c[0]}-{s}")

    copy_command(destination="umbrella")

    variants = _published(umbrella)["variants"]
    assert [v["variant"] for v in variants] == ["UMB-B-S"]
    assert variants[0]["primary"] == [dest_item(umbrella, source.blue).pk]
    assert "unmatched_variants" not in Job.objects.latest("pk").counts


def test_what_has_no_match_is_dropped_and_reported(source, copy_command):  # R19
    umbrella = _umbrella(["Red"], lambda c, s: f"SHIRT-001-{c.upper()}-{s}-SLIM")

    out = copy_command(destination="umbrella")

    content = _published(umbrella)
    # The master's entries need no match and are all there.
    front, back = (dest_item(umbrella, source.front).pk, dest_item(umbrella, source.back).pk)
    assert content["master"]["primary"] == [front, back]
    # Blue exists nowhere in the destination: its combination, variant and swatch are not invented.
    assert content["dimensions"] == [] and content["variants"] == []
    counts = Job.objects.latest("pk").counts
    assert counts["unmatched_combinations"] == 1
    assert counts["unmatched_variants"] == 1  # its Blue swatch goes with it
    assert "variant SHIRT-001-BLUE-S-SLIM has no match in the destination" in out
    assert "dimension combination color=Blue has no match" in out
