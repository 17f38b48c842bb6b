"""What a migration did (or, in a dry run, would do), for the operator and for tests."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .names import Unmatched


@dataclass
class MigrationReport:
    source: str
    dry_run: bool = False
    files_seen: int = 0
    files_matched: int = 0
    media_created: int = 0
    media_reused: int = 0
    products_assigned: list[str] = field(default_factory=list)
    products_unchanged: list[str] = field(default_factory=list)
    variants_with_files: int = 0
    variant_assignments: int = 0
    dimension_assignments: int = 0
    categories_assigned: list[str] = field(default_factory=list)
    categories_unchanged: list[str] = field(default_factory=list)
    products_published: int = 0
    categories_published: int = 0
    unmatched: list[Unmatched] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (entity, reason)

    @property
    def ok(self) -> bool:
        """Unmatched files are reported, not fatal; an entity that could not be written is."""
        return not self.failures

    def counts(self) -> dict[str, int]:
        return {
            "files_seen": self.files_seen,
            "files_matched": self.files_matched,
            "files_unmatched": len(self.unmatched),
            "media_created": self.media_created,
            "media_reused": self.media_reused,
            "products_assigned": len(self.products_assigned),
            "products_unchanged": len(self.products_unchanged),
            "variants_with_files": self.variants_with_files,
            "variant_assignments": self.variant_assignments,
            "dimension_assignments": self.dimension_assignments,
            "categories_assigned": len(self.categories_assigned),
            "categories_unchanged": len(self.categories_unchanged),
            "products_published": self.products_published,
            "categories_published": self.categories_published,
            "failures": len(self.failures),
        }

    def lines(self) -> list[str]:
        """The human summary the command prints, unmatched files grouped by reason."""
        would = "would be " if self.dry_run else ""
        lines = [
            f"Source: {self.source}{' (dry run: nothing written)' if self.dry_run else ''}",
            f"Files: {self.files_seen} seen, {self.files_matched} matched, "
            f"{len(self.unmatched)} matching no entity.",
            f"Media: {self.media_created} {would}uploaded, {self.media_reused} already in "
            "the library.",
            f"Products: {len(self.products_assigned)} {would}assigned, "
            f"{len(self.products_unchanged)} unchanged; variants with images: "
            f"{self.variants_with_files} ({self.dimension_assignments} dimension-combination "
            f"and {self.variant_assignments} variant assignments).",
            f"Categories: {len(self.categories_assigned)} {would}assigned, "
            f"{len(self.categories_unchanged)} unchanged.",
        ]
        if self.products_published or self.categories_published:
            lines.append(
                f"Published: {self.products_published} products, "
                f"{self.categories_published} categories."
            )
        by_reason = Counter(u.reason for u in self.unmatched)
        for reason, count in sorted(by_reason.items()):
            lines.append(f"Not migrated, {reason}: {count}")
            lines.extend(f"  - {u.path}: {u.detail}" for u in self.unmatched if u.reason == reason)
        for entity, reason in self.failures:
            lines.append(f"FAILED {entity}: {reason}")
        return lines
