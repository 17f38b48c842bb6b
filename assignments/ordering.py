"""Primary-list operations of the workspace (add, remove, arrows, drag-and-drop) as pure
list functions. The service applies one to the working CONTENT and saves it through the
same whole-document path as PUT, so there is one validation and one write path."""

from __future__ import annotations

from tenants.exceptions import DomainError

OPERATIONS = ("insert", "remove", "move_up", "move_down", "move_to")


def _index_of(entries: list[int], media: int) -> int:
    try:
        return entries.index(media)
    except ValueError:
        raise DomainError(f"Media {media} is not in the primary list.", field="media") from None


def primary_insert(entries: list[int], media: int, position: int | None = None) -> list[int]:
    """Insert at `position` (0-based; end when None or past the end)."""
    if media in entries:
        raise DomainError(f"Media {media} is already in the primary list.", field="media")
    result = list(entries)
    result.insert(len(result) if position is None else max(0, position), media)
    return result


def primary_remove(entries: list[int], media: int) -> list[int]:
    index = _index_of(entries, media)
    return entries[:index] + entries[index + 1 :]


def primary_move_to(entries: list[int], media: int, position: int) -> list[int]:
    """Drag-and-drop: the item ends at `position`, clamped to the list."""
    result = primary_remove(entries, media)
    result.insert(min(max(0, position), len(result)), media)
    return result


def primary_move_up(entries: list[int], media: int) -> list[int]:
    return primary_move_to(entries, media, _index_of(entries, media) - 1)


def primary_move_down(entries: list[int], media: int) -> list[int]:
    return primary_move_to(entries, media, _index_of(entries, media) + 1)


def primary_apply(
    entries: list[int], *, operation: str, media: int, position: int | None = None
) -> list[int]:
    if operation == "insert":
        return primary_insert(entries, media, position)
    if operation == "remove":
        return primary_remove(entries, media)
    if operation == "move_up":
        return primary_move_up(entries, media)
    if operation == "move_down":
        return primary_move_down(entries, media)
    if operation == "move_to":
        if position is None:
            raise DomainError("Give the position to move to.", field="position")
        return primary_move_to(entries, media, position)
    raise DomainError(f"Operation must be one of {', '.join(OPERATIONS)}.", field="operation")
