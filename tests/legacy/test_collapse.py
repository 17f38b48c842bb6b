"""R8/R9/R20: per-variant legacy images collapse into the fewest assignments."""

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


def test_variants_without_files_do_not_break_the_collapse():
    images = {"Blue-S": ("b",), "Blue-M": ("b",), "Red-S": ("r",), "Red-L": ("r",)}
    layout = collapse(images)
    assert layout.matrix == ("color",) and not layout.variants


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
    images = {"Blue-S": ("m",), "Blue-M": ("m",), "Red-S": ("r",), "Red-M": ("r",)}
    layout = collapse(images, master=("m",))
    assert layout.master == ("m",) and not layout.master_collapsed
    assert layout.dimensions == {(("color", "Red"),): ("r",)}


def test_every_variant_with_files_resolves_to_exactly_its_files():
    images = {
        "Blue-S": ("1",),
        "Blue-M": ("1",),
        "Blue-L": ("2",),
        "Red-S": ("3",),
        "Red-M": ("3",),
        "Green-S": ("1",),
    }
    layout = collapse(images)
    for number, expected in images.items():
        values = VARIANTS[number]
        key = tuple((d, values[d]) for d in layout.matrix)
        got = layout.variants.get(number) or layout.dimensions.get(key) or layout.master
        assert got == expected, number
