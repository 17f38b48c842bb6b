"""What changed between two CONTENTs, in words and per scope (R12 history): the version
list's summaries and the side-by-side compare are computed here, on the server, so every
client reads the same account of a change. Pure: no database access."""

from __future__ import annotations

from .content import Content, Slots, values_label

MAX_SUMMARY_PARTS = 6


def _scopes(content: Content | None) -> dict[str, tuple[str, dict, Slots]]:
    """Scope key -> (label, identity, slots) for every scope with entries (and the master)."""
    if content is None:
        return {}
    out: dict[str, tuple[str, dict, Slots]] = {}
    if not content.master.is_empty:
        out["master"] = ("Master", {"scope": "master"}, content.master)
    for key, row in sorted(content.dimensions.items()):
        out[f"dimension:{key}"] = (
            values_label(row.values),
            {"scope": "dimension", "values": dict(row.values)},
            row.slots,
        )
    for number, slots in sorted(content.variants.items()):
        out[f"variant:{number}"] = (
            f"variant {number}",
            {"scope": "variant", "variant": number},
            slots,
        )
    return out


def _plural(n: int, word: str) -> str:
    """ "1 swatch", "2 swatches"; "media" is its own plural."""
    if n == 1 or word.endswith("media"):
        return f"{n} {word}"
    return f"{n} {word}es" if word.endswith("ch") else f"{n} {word}s"


def slots_changes(before: Slots | None, after: Slots | None) -> list[str]:
    """The changes of one scope's slots: added/removed/reordered primary media, added or
    removed additional media (or a changed purpose), added/removed/changed swatches."""
    if before is None and after is None:
        return []
    if before is None:
        return ["added"]
    if after is None:
        return ["removed"]
    changes: list[str] = []
    old, new = list(before.primary), list(after.primary)
    added = [m for m in new if m not in old]
    removed = [m for m in old if m not in new]
    if added:
        changes.append(f"{_plural(len(added), 'primary media')} added")
    if removed:
        changes.append(f"{_plural(len(removed), 'primary media')} removed")
    kept_old = [m for m in old if m in new]
    kept_new = [m for m in new if m in old]
    if kept_old != kept_new:
        changes.append("primary order changed")
    old_add, new_add = list(before.additional), list(after.additional)
    old_media = {m for m, _ in old_add}
    new_media = {m for m, _ in new_add}
    if new_media - old_media:
        changes.append(f"{_plural(len(new_media - old_media), 'additional media')} added")
    if old_media - new_media:
        changes.append(f"{_plural(len(old_media - new_media), 'additional media')} removed")
    purposes_before = {m: p for m, p in old_add}
    if any(m in purposes_before and purposes_before[m] != p for m, p in new_add):
        changes.append("purpose changed")
    old_sw = {(s.dimension, s.value): s for s in before.swatches}
    new_sw = {(s.dimension, s.value): s for s in after.swatches}
    if set(new_sw) - set(old_sw):
        changes.append(f"{_plural(len(set(new_sw) - set(old_sw)), 'swatch')} added")
    if set(old_sw) - set(new_sw):
        changes.append(f"{_plural(len(set(old_sw) - set(new_sw)), 'swatch')} removed")
    if any(k in old_sw and old_sw[k] != s for k, s in new_sw.items()):
        changes.append("swatch changed")
    return changes


def content_compare(before: Content | None, after: Content | None) -> list[dict]:
    """Per scope present in either content: {"key", "label", "scope", "a", "b", "changes"}
    with `a`/`b` the slots (or None) of each side, in the order master, dimension
    combinations, variants."""
    a, b = _scopes(before), _scopes(after)
    keys = list(a) + [k for k in b if k not in a]
    order = {"master": 0, "dimension": 1, "variant": 2}
    keys.sort(key=lambda k: (order[k.split(":", 1)[0]], k))
    rows = []
    for key in keys:
        label, identity, _ = a.get(key) or b[key]
        slots_a = a[key][2] if key in a else None
        slots_b = b[key][2] if key in b else None
        rows.append(
            {
                "key": key,
                "label": label,
                **identity,
                "a": slots_a.as_dict() if slots_a is not None else None,
                "b": slots_b.as_dict() if slots_b is not None else None,
                "changes": slots_changes(slots_a, slots_b),
            }
        )
    return rows


def content_summary(before: Content | None, after: Content) -> str:
    """One line for the history list: "Master: 2 primary media added; color=Red: added"."""
    parts: list[str] = []
    before_matrix = tuple(before.matrix) if before is not None else ()
    if before_matrix != tuple(after.matrix) and (before is not None or after.matrix):
        old = " × ".join(before_matrix) or "none"
        parts.append(f"matrix {old} → {' × '.join(after.matrix) or 'none'}")
    for row in content_compare(before, after):
        if row["changes"]:
            parts.append(f"{row['label']}: {', '.join(row['changes'])}")
    if not parts:
        return "No change" if before is not None else "Empty"
    if before is not None and not after.has_content:
        return "Cleared (reset to default)"
    if len(parts) > MAX_SUMMARY_PARTS:
        rest = len(parts) - MAX_SUMMARY_PARTS
        parts = [*parts[:MAX_SUMMARY_PARTS], f"and {rest} more"]
    return "; ".join(parts)
