"""What a copy did (or, in a dry run, would do): counts per outcome plus what had no match.

The counts go to Job.counts and the notes to Job.errors, so the jobs list shows both; the
command prints the same report as its summary.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from .options import ConflictBehaviour

NOTES_LIMIT = 100

# The outcome of one item that may already exist in the destination.
CREATED = "created"
REPLACED = "replaced"
SKIPPED = "skipped"  # it exists and the conflict behaviour keeps the destination's
UNCHANGED = "unchanged"  # it exists with the same content: nothing to write
HELD = "held"  # a destination document checked out by someone: never overwritten


def conflict_outcome(*, conflict: str, identical: bool, source_newer: bool) -> str:
    """One rule for media, documents and category images: identical content is left alone
    (so a re-run writes nothing), otherwise the conflict behaviour decides."""
    if identical:
        return UNCHANGED
    if conflict == ConflictBehaviour.REPLACE:
        return REPLACED
    if conflict == ConflictBehaviour.KEEP_LATEST and source_newer:
        return REPLACED
    return SKIPPED


@dataclass
class CopyReport:
    counts: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    notes_dropped: int = 0
    progress: Callable[[int], None] | None = None

    def count(self, key: str, n: int = 1) -> None:
        if n:
            self.counts[key] += n

    def outcome(self, what: str, outcome: str) -> None:
        self.count(f"{what}_{outcome}")

    def note(self, message: str) -> None:
        """Something not copied and why (no match, held); kept up to NOTES_LIMIT lines."""
        if len(self.notes) < NOTES_LIMIT:
            self.notes.append(message)
        else:
            self.notes_dropped += 1

    def advance(self, n: int = 1) -> None:
        if self.progress is not None and n:
            self.progress(n)

    def counts_dict(self) -> dict[str, int]:
        return dict(sorted(self.counts.items()))

    def notes_list(self) -> list[str]:
        if self.notes_dropped:
            return [*self.notes, f"... and {self.notes_dropped} more not listed."]
        return list(self.notes)
