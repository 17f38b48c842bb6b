"""R20 (issue 16): a legacy name that fixes only some dimensions keeps every value it gives.

`Products/M ^ Slim ^  ^ Red ^_000_001.png` fixes style and colour (size empty): it becomes
the dimension combination {style: Slim, color: Red} of the matrix [color, style], and the
variants no file names (Red / Regular ...) fall back to the master. Run through
`manage.py migrate_legacy_media --publish` on a real folder, for every subset of the
three dimensions, and checked in the document and through the shop read API.
"""

from __future__ import annotations

from io import StringIO
from itertools import combinations

import pytest
from django.core.management import call_command

from assignments.models import AssignmentDocument
from catalog.services import product_create
from media_library.models import MediaItem
from tests.legacy.conftest import png, tree_write

pytestmark = pytest.mark.django_db

ORDER = ("style", "size", "color")  # the command's default --dimension-order
CHOSEN = {"style": "Slim", "size": "S", "color": "Red"}
OTHER = {"style": "Regular", "size": "M", "color": "Blue"}
SUBSETS = [s for size in range(4) for s in combinations(ORDER, size)]
VARIANTS = {
    f"M-{c.upper()}-{s}-{st.upper()}": {"color": c, "size": s, "style": st}
    for c in ("Red", "Blue")
    for s in ("S", "M")
    for st in ("Slim", "Regular")
}


@pytest.fixture
def product_m(tenant):
    """A master with three dimensions of two values each: 8 variants."""
    return product_create(
        tenant=tenant,
        number="M",
        name="Shirt M",
        kind="master",
        dimensions={"color": ["Red", "Blue"], "size": ["S", "M"], "style": ["Slim", "Regular"]},
        variants=[{"number": n, "values": v} for n, v in VARIANTS.items()],
    )


def legacy_name(values: dict[str, str], sequence: int = 1) -> str:
    """`Products/M ^ Slim ^  ^ Red ^_000_001.png`: an empty slot for each dimension not given."""
    slots = " ^ ".join(values.get(d, " ").strip() or " " for d in ORDER)
    return f"Products/M ^ {slots} ^_000_{sequence:03d}.png".replace("^   ^", "^  ^")


def migrate(root, **options) -> str:
    out = StringIO()
    call_command(
        "migrate_legacy_media", str(root), tenant="acme", user="pia", stdout=out, **options
    )
    return out.getvalue()


def media_of(data: bytes) -> int:
    import hashlib

    return MediaItem.objects.get(checksum=hashlib.sha256(data).hexdigest()).pk


def shop_primary(client, number: str) -> tuple[list[int], dict]:
    response = client.get(f"/api/v1/tenants/acme/channels/web/products/{number}/media?locale=en-us")
    assert response.status_code == 200, response.content
    body = response.json()
    return [m["id"] for m in body["primary"]], body["provenance"]["primary"]


def test_the_issue_example_name_is_parsed_as_style_and_colour():
    from assignments.legacy.names import legacy_name_parse

    parsed = legacy_name_parse(
        path="Products/M ^ Slim ^  ^ Red ^_000_001.png", separator="^", dimension_order=ORDER
    )
    assert dict(parsed.values) == {"style": "Slim", "color": "Red"}
    assert legacy_name({"style": "Slim", "color": "Red"}) == (
        "Products/M ^ Slim ^  ^ Red ^_000_001.png"
    )


@pytest.mark.parametrize("subset", SUBSETS, ids=lambda s: "+".join(s) or "master-only")
def test_every_subset_of_three_dimensions_keeps_exactly_the_values_named(
    tenant, product_m, publisher, client_for, tmp_path, subset
):  # R20, R8, R9
    master_bytes = png((1, 1, 1))
    named_bytes = png((200, 10, 10))
    other_bytes = png((10, 10, 200))
    files = {"Products/M_000_001.png": master_bytes}
    if subset:
        # Two combinations of the subset, so a matrix with several rows is covered too.
        files[legacy_name({d: CHOSEN[d] for d in subset})] = named_bytes
        files[legacy_name({d: OTHER[d] for d in subset})] = other_bytes
    root = tree_write(tmp_path / "legacy", files)

    out = migrate(root, publish=True)

    assert "Published: 1 products" in out
    draft = AssignmentDocument.objects.get(product=product_m).draft
    content = {
        (e.scope, tuple(sorted(e.dimension_values.items())), e.variant_id)
        for e in draft.entries.filter(slot="primary")
    }
    matching: dict[str, bytes | None] = dict.fromkeys(VARIANTS)
    for number, values in VARIANTS.items():
        if subset and all(values[d] == CHOSEN[d] for d in subset):
            matching[number] = named_bytes
        elif subset and all(values[d] == OTHER[d] for d in subset):
            matching[number] = other_bytes
    if len(subset) in (1, 2):  # a proper subset: exactly that combination, no variant rows
        canonical = [d for d in ("color", "size", "style") if d in subset]
        assert draft.matrix == canonical
        assert {values for scope, values, _ in content if scope == "dimension"} == {
            tuple(sorted((d, CHOSEN[d]) for d in subset)),
            tuple(sorted((d, OTHER[d]) for d in subset)),
        }
        assert not [c for c in content if c[0] == "variant"]
    elif len(subset) == 3:  # full names: one variant each, nothing invented for the others
        assert draft.matrix == []
        assert len([c for c in content if c[0] == "variant"]) == 2
        assert not [c for c in content if c[0] == "dimension"]
    else:  # master files only
        assert draft.matrix == [] and {c[0] for c in content} == {"master"}

    client = client_for(None)
    for number, expected in matching.items():
        primary, provenance = shop_primary(client, number)
        if expected is None:  # no file names this variant: the master, never a neighbour's
            assert primary == [media_of(master_bytes)], number
            assert provenance["scope"] == "master", number
        else:
            assert primary == [media_of(expected)], number
            assert provenance["scope"] == ("variant" if len(subset) == 3 else "dimension")
            if len(subset) in (1, 2):
                assert provenance["values"] == {d: VARIANTS[number][d] for d in subset}, number


def test_the_issue_example_red_regular_falls_back_to_the_master(
    tenant, product_m, publisher, client_for, tmp_path
):  # R20: the bug of issue 16, through the command
    master_bytes, slim_red = png((3, 3, 3)), png((250, 0, 0))
    root = tree_write(
        tmp_path / "legacy",
        {
            "Products/M_000_001.png": master_bytes,
            "Products/M ^ Slim ^  ^ Red ^_000_001.png": slim_red,
        },
    )
    out = migrate(root, publish=True)
    assert "1 dimension-combination" in out
    draft = AssignmentDocument.objects.get(product=product_m).draft
    assert draft.matrix == ["color", "style"]
    rows = draft.entries.filter(scope="dimension")
    assert [r.dimension_values for r in rows] == [{"style": "Slim", "color": "Red"}]
    client = client_for(None)
    for size in ("S", "M"):
        assert shop_primary(client, f"M-RED-{size}-SLIM")[0] == [media_of(slim_red)]
        for other in (f"M-RED-{size}-REGULAR", f"M-BLUE-{size}-SLIM", f"M-BLUE-{size}-REGULAR"):
            assert shop_primary(client, other)[0] == [media_of(master_bytes)], other
    assert "Products: 0 assigned, 1 unchanged" in migrate(root, publish=True)  # re-run: no-op


def test_names_of_different_subsets_show_every_variant_its_files(
    tenant, product_m, publisher, client_for, tmp_path
):  # R20: one matrix per document, the other subset's images go to the variants it names
    master_bytes, red, slim_s = png((4, 4, 4)), png((240, 0, 0)), png((0, 240, 0))
    root = tree_write(
        tmp_path / "legacy",
        {
            "Products/M_000_001.png": master_bytes,
            legacy_name({"color": "Red"}): red,
            legacy_name({"style": "Slim", "size": "S"}, sequence=2): slim_s,
        },
    )
    migrate(root, publish=True)
    draft = AssignmentDocument.objects.get(product=product_m).draft
    assert draft.matrix in (["color"], ["size", "style"])
    client = client_for(None)
    for number, values in VARIANTS.items():
        expected = []
        if values["color"] == "Red":
            expected.append(media_of(red))
        if values["style"] == "Slim" and values["size"] == "S":
            expected.append(media_of(slim_s))
        assert shop_primary(client, number)[0] == (expected or [media_of(master_bytes)]), number
