"""R12 history words and R9/R10 source labels (issue 15), as pure functions: what the
version list, the compare view and the workspace's "from ..." labels say."""

import pytest

from assignments.content import Content, DimensionRow, Slots, Swatch
from assignments.effective import source_label
from assignments.versions import content_compare, content_summary, slots_changes
from catalog.models import combination_key

NAMES = {"omnichannel": "Omnichannel", "neutral": "Neutral", "web": "Web store"}
RED = {"color": "Red"}


def red_row(*primary):
    return {combination_key(RED): DimensionRow(values=RED, slots=Slots(primary=primary))}


@pytest.mark.parametrize(
    ("before", "after", "changes"),
    [
        (Slots(primary=(1, 2)), Slots(primary=(2, 1)), ["primary order changed"]),
        (Slots(primary=(1,)), Slots(primary=(1, 2, 3)), ["2 primary media added"]),
        (
            Slots(additional=((5, "manual"),)),
            Slots(additional=((5, "media-kit"),)),
            ["purpose changed"],
        ),
        (
            Slots(swatches=(Swatch("color", "Red", hex="#ff0000"),)),
            Slots(
                swatches=(
                    Swatch("color", "Red", hex="#aa0000"),
                    Swatch("color", "Blue", hex="#0000ff"),
                )
            ),
            ["1 swatch added", "swatch changed"],
        ),
        (
            Slots(swatches=(Swatch("color", "Red", "#f00"), Swatch("color", "Blue", "#00f"))),
            Slots(),
            ["2 swatches removed"],
        ),
        (None, Slots(primary=(1,)), ["added"]),
        (Slots(primary=(1,)), None, ["removed"]),
        (Slots(primary=(1,)), Slots(primary=(1,)), []),
    ],
)
def test_slots_changes_in_words(before, after, changes):
    assert slots_changes(before, after) == changes


def test_summary_of_a_matrix_change_and_new_scopes():
    before = Content(master=Slots(primary=(1,)))
    after = Content(matrix=("color",), master=Slots(primary=(1,)), dimensions=red_row(3))
    assert content_summary(before, after) == "matrix none → color; color=Red: added"
    assert content_summary(None, before) == "Master: added"
    assert content_summary(before, before) == "No change"
    assert content_summary(before, Content(matrix=())) == "Cleared (reset to default)"


def test_summary_is_capped():
    variants = {f"V-{i}": Slots(primary=(i,)) for i in range(9)}
    summary = content_summary(Content(), Content(variants=variants))
    assert summary.endswith("; and 3 more") and summary.count("variant V-") == 6


def test_compare_orders_master_dimensions_variants():
    a = Content(variants={"V-1": Slots(primary=(1,))}, master=Slots(primary=(2,)))
    b = Content(matrix=("color",), dimensions=red_row(3), master=Slots(primary=(2,)))
    rows = content_compare(a, b)
    assert [r["key"] for r in rows] == [
        "master",
        f"dimension:{combination_key(RED)}",
        "variant:V-1",
    ]
    assert [r["changes"] for r in rows] == [[], ["added"], ["removed"]]
    assert rows[1]["values"] == RED and rows[2]["variant"] == "V-1"


@pytest.mark.parametrize(
    ("origin", "label"),
    [
        ({"scope": "master", "channel": "web", "locale": "en-us"}, "from master"),
        (
            {"scope": "dimension", "values": RED, "channel": "web", "locale": "en-us"},
            "from color=Red",
        ),
        (
            {"scope": "master", "channel": "omnichannel", "locale": "neutral"},
            "from Omnichannel · Neutral",
        ),
        (
            {"scope": "dimension", "values": RED, "channel": "omnichannel", "locale": "neutral"},
            "from color=Red · Omnichannel · Neutral",
        ),
        (
            {"scope": "variant", "variant": "V-1", "channel": "web", "locale": "en-us"},
            "from variant V-1",
        ),
        (None, ""),
    ],
)
def test_source_labels(origin, label):
    assert source_label(origin, requested=("web", "en-us"), names=NAMES) == label
