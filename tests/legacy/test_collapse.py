"""R8/R9/R20: legacy images become the fewest assignments that show every variant exactly
what the legacy library showed it (its files, or the master when no file matches it)."""

from itertools import combinations

import pytest

from assignments.legacy.collapse import variants_collapse

DIMENSIONS = ["color", "size", "style"]
VARIANTS = {
    f"{c}-{s}": {"color": c, "size": s, "style": "Slim"}
    for c in ("Blue", "Red", "Green")
    for s in ("S", "M", "L")
}


def collapse(images, master=()):
    return variants_collapse(dimensions=DIMENSIONS, variants=VARIANTS, images=images, master=master)


def test_photographed_per_colour_becomes_a_color_matrix():
    images = {f"{c}-{s}": (c.lower(),) for c in ("Blue", "Red") for s in ("S", "M", "L")}
    layout = collapse(images)
    assert layout.matrix == ("color",)
    assert layout.dimensions == {(("color", "Blue"),): ("blue",), (("color", "Red"),): ("red",)}
    assert layout.variants == {} and layout.master == ()


def test_a_variant_without_files_keeps_the_master_so_its_combination_makes_no_row():
    images = {"Blue-S": ("b",), "Blue-M": ("b",), "Red-S": ("r",), "Red-L": ("r",)}
    layout = collapse(images, master=("m",))
    assert layout.dimensions == {} and layout.matrix == ()
    assert layout.variants == images
    for number in ("Blue-L", "Red-M", "Green-S"):  # no file names them: the master
        assert layout.resolve(VARIANTS[number], number) == ("m",)


def test_a_unique_variant_image_stays_a_variant_assignment():
    images = {f"Blue-{s}": ("b",) for s in ("S", "M", "L")} | {"Red-S": ("r",), "Red-M": ("r",)}
    images["Red-L"] = ("special",)
    layout = collapse(images)
    assert layout.matrix == ("color",)
    assert layout.dimensions[(("color", "Red"),)] == ("r",)
    assert layout.variants == {"Red-L": ("special",)}


def test_order_is_part_of_the_images():
    images = {"Blue-S": ("a", "b"), "Blue-M": ("b", "a")}
    layout = collapse(images)
    assert layout.dimensions == {} and set(layout.variants) == {"Blue-S", "Blue-M"}


def test_one_variant_with_images_is_a_variant_assignment_not_the_master():
    layout = collapse({"Green-M": ("g",)})
    assert layout.matrix == () and layout.master == ()
    assert layout.variants == {"Green-M": ("g",)}


def test_identical_images_everywhere_go_to_the_master_when_it_has_none():
    layout = collapse({number: ("x",) for number in VARIANTS})
    assert layout.master_collapsed and layout.master == ("x",)
    assert not layout.dimensions and not layout.variants


def test_master_files_are_kept_and_equal_variant_images_need_no_row():
    images = {f"Blue-{s}": ("m",) for s in "SML"} | {f"Red-{s}": ("r",) for s in "SML"}
    layout = collapse(images, master=("m",))
    assert layout.master == ("m",) and not layout.master_collapsed
    assert layout.dimensions == {(("color", "Red"),): ("r",)}
    assert layout.variants == {}


def test_every_variant_with_files_resolves_to_exactly_its_files():
    images = {
        "Blue-S": ("1",),
        "Blue-M": ("1",),
        "Blue-L": ("2",),
        "Red-S": ("3",),
        "Red-M": ("3",),
        "Green-S": ("1",),
    }
    layout = collapse(images, master=("m",))
    for number, values in VARIANTS.items():
        assert layout.resolve(values, number) == images.get(number, ("m",)), number


# --- names fixing only some dimensions (issue 16: `M ^ Slim ^  ^ Red ^` is style + colour)

STYLED = {
    f"{c}-{s}-{st}": {"color": c, "size": s, "style": st}
    for c in ("Red", "Blue")
    for s in ("S", "M")
    for st in ("Slim", "Regular")
}


def _named(values: dict) -> tuple:
    order = ("color", "size", "style")
    return tuple((d, values[d]) for d in order if d in values)


def test_a_style_and_colour_name_becomes_exactly_that_combination():
    slim_red = {"style": "Slim", "color": "Red"}
    matching = [n for n, v in STYLED.items() if v["style"] == "Slim" and v["color"] == "Red"]
    layout = variants_collapse(
        dimensions=["color", "size", "style"],
        variants=STYLED,
        images={number: ("slim-red",) for number in matching},
        master=("m",),
        named={_named(slim_red): ("slim-red",)},
    )
    assert layout.matrix == ("color", "style")
    assert layout.dimensions == {(("color", "Red"), ("style", "Slim")): ("slim-red",)}
    assert layout.variants == {}
    for number, values in STYLED.items():  # Red / Regular falls back to the master
        expected = ("slim-red",) if number in matching else ("m",)
        assert layout.resolve(values, number) == expected, number


SUBSETS = [s for size in range(1, 3) for s in combinations(("color", "size", "style"), size)]


@pytest.mark.parametrize("subset", SUBSETS, ids="+".join)
def test_every_proper_subset_becomes_a_matrix_of_exactly_that_subset(subset):
    chosen = {"color": "Red", "size": "S", "style": "Slim"}
    key = _named({d: chosen[d] for d in subset})
    matching = [n for n, v in STYLED.items() if all(v[d] == chosen[d] for d in subset)]
    layout = variants_collapse(
        dimensions=["color", "size", "style"],
        variants=STYLED,
        images={number: ("named",) for number in matching},
        master=("m",),
        named={key: ("named",)},
    )
    assert layout.matrix == tuple(d for d, _ in key)
    assert layout.dimensions == {key: ("named",)} and layout.variants == {}
    for number, values in STYLED.items():
        assert layout.resolve(values, number) == (("named",) if number in matching else ("m",))


def test_names_fixing_different_subsets_pick_one_matrix_and_give_the_rest_to_variants():
    red = _named({"color": "Red"})
    slim_s = _named({"size": "S", "style": "Slim"})
    images = {}
    for number, values in STYLED.items():
        keys = []
        if values["color"] == "Red":
            keys.append("red")
        if values["size"] == "S" and values["style"] == "Slim":
            keys.append("slim-s")
        if keys:
            images[number] = tuple(keys)
    layout = variants_collapse(
        dimensions=["color", "size", "style"],
        variants=STYLED,
        images=images,
        master=("m",),
        named={red: ("red",), slim_s: ("slim-s",)},
    )
    assert layout.matrix in (("color",), ("size", "style"))
    for number, values in STYLED.items():
        assert layout.resolve(values, number) == images.get(number, ("m",)), number
