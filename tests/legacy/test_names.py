"""R20: the legacy file-name convention, parsed without a database."""

import pytest

from assignments.legacy.names import (
    CategoryFile,
    ProductFile,
    Reason,
    Unmatched,
    dimension_order_parse,
    legacy_name_parse,
)

ORDER = ("style", "size", "color")


def parse(path, separator="^", order=ORDER):
    return legacy_name_parse(path=path, separator=separator, dimension_order=order)


def test_master_file_gives_number_and_sequence():
    name = parse("Products/SHIRT-001_000_004.png")
    assert name == ProductFile(
        path="Products/SHIRT-001_000_004.png", number="SHIRT-001", values=(), group=0, sequence=4
    )
    assert name.title == "SHIRT-001 (4)"


def test_variant_file_maps_values_by_the_dimension_order():
    name = parse("Products/SHIRT-001 ^ Slim ^ M ^ Blue ^_000_001.png")
    assert dict(name.values) == {"style": "Slim", "size": "M", "color": "Blue"}
    assert name.title == "SHIRT-001 Blue M Slim (1)"


def test_an_empty_dimension_is_two_spaces_between_carets():
    name = parse("Products/PANTS-001 ^  ^ 32 ^ Grey ^_000_002.jpg")
    assert dict(name.values) == {"size": "32", "color": "Grey"}
    assert name.sequence == 2


def test_configuration_form_has_one_value_and_no_trailing_separator():
    name = parse("Products/LAPTOP-1 ^ Pro_000_001.webp")
    assert name.values == (("configuration", "Pro"),)


def test_separator_and_order_are_options():
    name = parse(
        "Products/SHIRT-001 # Blue # M # Slim #_000_001.png", "#", ("color", "size", "style")
    )
    assert dict(name.values) == {"color": "Blue", "size": "M", "style": "Slim"}


def test_underscores_in_product_numbers_survive():
    assert parse("Products/A_B_1_000_010.png").number == "A_B_1"


@pytest.mark.parametrize("ext", ["JPG", "jpeg", "Png", "GIF", "webp"])
def test_extensions_any_case(ext):
    assert isinstance(parse(f"Products/MUG_000_001.{ext}"), ProductFile)


def test_categories_by_name_and_by_subfolder_path():
    assert parse("Categories/Shirts.png") == CategoryFile("Categories/Shirts.png", "Shirts")
    assert parse("Categories/Men/Shirts.PNG").name == "Men/Shirts"


def test_a_wrapping_folder_is_tolerated():
    assert parse("export-2019/Products/MUG_000_001.png").number == "MUG"


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("Catalogs/1033/Spring.jpg", Reason.CATALOG),
        ("Products/MUG.png", Reason.BAD_NAME),
        ("Products/MUG ^ a ^ b_000_001.png", Reason.BAD_NAME),
        ("Products/ ^ Slim ^ M ^ Blue ^_000_001.png", Reason.BAD_NAME),
        ("Products/MUG ^  ^  ^  ^_000_001.png", Reason.BAD_NAME),
        ("Products/MUG_000_001.tiff", Reason.UNSUPPORTED_EXTENSION),
        ("Products/README", Reason.UNSUPPORTED_EXTENSION),
        ("Misc/MUG_000_001.png", Reason.BAD_NAME),
        ("MUG_000_001.png", Reason.BAD_NAME),
    ],
)
def test_files_naming_nothing_say_why(path, reason):
    name = parse(path)
    assert isinstance(name, Unmatched) and name.reason == reason and name.detail


def test_dimension_order_is_validated():
    assert dimension_order_parse("Color, size") == ("color", "size")
    for bad in ("", "color,colour", "color,color"):
        with pytest.raises(ValueError):
            dimension_order_parse(bad)
