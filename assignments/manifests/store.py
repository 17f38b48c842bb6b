"""What an import learns about a manifest, kept on disk between its passes (issue 16).

A 1,000,000-row manifest names up to a million media items, documents and entries; held
as Python objects they take gigabytes. Validation reads the file a chunk at a time and
writes what later chunks and the apply step need here instead: every media item's plan
(by key and by library id), every document's plan, every entry, every error and the new
items' display names. Memory then stays flat whatever the file's size.

The store is a private temporary SQLite database (`sqlite3.connect("")`: on disk, removed
when closed; SQLite is in the standard library, in-process, and fast at bulk inserts and
keyed reads). Records are `marshal`led tuples of plain values: an order of magnitude
faster than pickling dataclasses, and enough for ints, strings, tuples, lists and dicts.
"""

from __future__ import annotations

import marshal
import sqlite3
from collections.abc import Iterable, Iterator, Sequence

from .plan import DocumentPlan, EntryPlan, MediaPlan

PAGE_CACHE_KB = 16 * 1024
ENTRIES_PER_BATCH = 20_000
IN_LIMIT = 900  # values per IN (...), below SQLite's oldest parameter limit

MEDIA_FIELDS = (
    "idx",
    "key",
    "kind_hint",
    "type_name",
    "existing_id",
    "matched_by",
    "path",
    "display_name",
    "fields",
    "tags",
    "source_provider",
    "source_id",
    "if_exists",
    "media_action",
    "companions",
    "checksum",
    "kind",
    "mime_type",
    "size",
    "width",
    "height",
    "update",
    "keep_note",
    "item_id",
    "outcome",
    "first_line",
    "failed",
    "problem",
)
DOCUMENT_FIELDS = (
    "idx",
    "product_id",
    "product_number",
    "channel_id",
    "channel_code",
    "locale_id",
    "locale_code",
    "action",
    "checked_out_action",
    "version_mismatch_action",
    "expected_version",
    "matrix",
    "stated_matrix",
    "stated_matrix_line",
    "first_line",
    "entry_count",
    "bad_lines",
    "failed",
    "skip_text",
    "start_set",
    "started_from",
    "changed",
    "outcome_code",
    "outcome_text",
)
ENTRY_FIELDS = (
    "scope",
    "slot",
    "combination",
    "dimension_values",
    "variant_id",
    "variant_number",
    "order",
    "line",
    "media_idx",
    "media_id",
    "purpose_id",
    "swatch_dimension",
    "swatch_value",
    "swatch_hex",
    "crop",
    "ok",
)


def _record(obj, fields: Sequence[str]) -> bytes:
    """marshal takes exact built-in types only: plans hold plain str, never choices."""
    values = obj.__dict__
    return marshal.dumps(tuple([values[name] for name in fields]))


# Attributes a record leaves out: what a plan holds only while it is in memory.
TRANSIENT = {DocumentPlan: (("entries", list),), EntryPlan: (("media", lambda: None),)}


def _restore(cls, data: bytes, fields: Sequence[str]):
    obj = cls.__new__(cls)
    state = obj.__dict__
    state.update(zip(fields, marshal.loads(data), strict=True))
    for name, make in TRANSIENT.get(cls, ()):
        state[name] = make()
    return obj


def media_key_text(key: tuple) -> str:
    return repr(key)


def document_key_text(key: tuple[int, int, int]) -> str:
    return f"{key[0]}:{key[1]}:{key[2]}"


def _chunks(values: Sequence, size: int | None = None) -> Iterator[Sequence]:
    size = size or IN_LIMIT
    for start in range(0, len(values), size):
        yield values[start : start + size]


class PlanStore:
    """The temporary database of one import; use as a context manager (closes it)."""

    def __init__(self) -> None:
        self.db = sqlite3.connect("", isolation_level=None)
        for pragma in (
            "journal_mode = OFF",
            "synchronous = OFF",
            "locking_mode = EXCLUSIVE",
            "temp_store = FILE",
            f"cache_size = -{PAGE_CACHE_KB}",
        ):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.executescript(
            """
            CREATE TABLE media (
                idx INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, existing_id INTEGER,
                used INTEGER NOT NULL DEFAULT 0, act INTEGER NOT NULL, note TEXT NOT NULL,
                data BLOB NOT NULL);
            CREATE INDEX media_existing ON media (existing_id) WHERE existing_id IS NOT NULL;
            CREATE TABLE documents (
                idx INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, data BLOB NOT NULL);
            CREATE TABLE names (name TEXT PRIMARY KEY, line INTEGER NOT NULL) WITHOUT ROWID;
            CREATE TABLE entries (document INTEGER NOT NULL, data BLOB NOT NULL);
            CREATE TABLE errors (line INTEGER NOT NULL, code TEXT NOT NULL, message TEXT NOT NULL);
            """
        )
        self.db.execute("BEGIN")
        self.indexed = False

    def __enter__(self) -> PlanStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def _select(self, sql: str, values: Sequence) -> Iterator[tuple]:
        for chunk in _chunks(list(values)):
            yield from self.db.execute(sql.format(",".join("?" * len(chunk))), chunk)

    # --- media items ------------------------------------------------------------------

    def media_by_keys(self, keys: Iterable[tuple]) -> dict[tuple, MediaPlan]:
        texts = {media_key_text(k) for k in keys}
        plans = (
            _restore(MediaPlan, data, MEDIA_FIELDS)
            for (data,) in self._select("SELECT data FROM media WHERE key IN ({})", sorted(texts))
        )
        return {plan.key: plan for plan in plans}

    def media_by_items(self, item_ids: Iterable[int]) -> dict[int, MediaPlan]:
        """Plans of existing library items, by item id (the first plan of each)."""
        found: dict[int, MediaPlan] = {}
        sql = "SELECT data FROM media WHERE existing_id IN ({}) ORDER BY idx"
        for (data,) in self._select(sql, sorted(set(item_ids))):
            plan = _restore(MediaPlan, data, MEDIA_FIELDS)
            found.setdefault(plan.existing_id, plan)
        return found

    def media_by_idx(self, idxs: Iterable[int]) -> dict[int, MediaPlan]:
        sql = "SELECT data FROM media WHERE idx IN ({})"
        plans = (
            _restore(MediaPlan, data, MEDIA_FIELDS)
            for (data,) in self._select(sql, sorted(set(idxs)))
        )
        return {plan.idx: plan for plan in plans}

    def media_briefs(self, idxs: Iterable[int]) -> dict[int, MediaPlan]:
        """What a row's result says about its item: the whole plan of items the import
        writes, and for the (usually many) it leaves as they are only their id and why,
        read from columns without unpacking the record."""
        found: dict[int, MediaPlan] = {}
        sql = "SELECT idx, existing_id, act, note, CASE act WHEN 1 THEN data END FROM media "
        for idx, existing_id, act, note, data in self._select(
            sql + "WHERE idx IN ({})", sorted(set(idxs))
        ):
            if act:
                found[idx] = _restore(MediaPlan, data, MEDIA_FIELDS)
            else:
                found[idx] = MediaPlan(key=(), existing_id=existing_id, keep_note=note, idx=idx)
        return found

    def media_add(self, plans: Iterable[MediaPlan]) -> None:
        """New plans, final once their chunk is checked; `act`: something to write."""
        self.db.executemany(
            "INSERT INTO media (idx, key, existing_id, act, note, data) VALUES (?, ?, ?, ?, ?, ?)",
            (
                (
                    p.idx,
                    media_key_text(p.key),
                    p.existing_id,
                    int(p.is_new or p.update),
                    p.keep_note,
                    _record(p, MEDIA_FIELDS),
                )
                for p in plans
            ),
        )

    def media_save(self, plans: Iterable[MediaPlan]) -> None:
        self.db.executemany(
            "UPDATE media SET existing_id = ?, data = ? WHERE idx = ?",
            ((p.existing_id, _record(p, MEDIA_FIELDS), p.idx) for p in plans),
        )

    def media_used(self, counts: dict[int, int]) -> None:
        """Count the rows without errors that use each item (negative: no longer)."""
        self.db.executemany(
            "UPDATE media SET used = used + ? WHERE idx = ?",
            ((count, idx) for idx, count in counts.items()),
        )

    def media_to_apply(self, batch: int = 500) -> Iterator[list[MediaPlan]]:
        """Plans with something to write (a new item, new metadata or status) that some
        row without errors uses, in file order, a batch at a time."""
        last = -1
        while True:
            rows = self.db.execute(
                "SELECT data FROM media WHERE used > 0 AND act = 1 AND idx > ? "
                "ORDER BY idx LIMIT ?",
                (last, batch),
            ).fetchall()
            if not rows:
                return
            plans = [_restore(MediaPlan, data, MEDIA_FIELDS) for (data,) in rows]
            last = plans[-1].idx
            yield plans

    def media_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM media").fetchone()[0]

    def media_counts(self) -> dict[str, int]:
        """How many plans rows use are new or change (a dry run's counts) and how many
        were created, updated or deleted (after the apply step)."""
        counts = {"new": 0, "update": 0, "created": 0, "updated": 0, "deleted": 0}
        for plans in self.media_to_apply(batch=5000):
            for plan in plans:
                counts["new" if plan.existing_id is None else "update"] += 1
                if plan.outcome in ("created", "updated", "deleted"):
                    counts[plan.outcome] += 1
        return counts

    # --- display names of new items -------------------------------------------------

    def names_first(self, names: Iterable[str]) -> dict[str, int]:
        sql = "SELECT name, line FROM names WHERE name IN ({})"
        return dict(self._select(sql, sorted(set(names))))

    def names_add(self, names: dict[str, int]) -> None:
        self.db.executemany("INSERT OR IGNORE INTO names VALUES (?, ?)", names.items())

    # --- documents --------------------------------------------------------------------

    def documents_by_keys(self, keys: Iterable[tuple]) -> dict[tuple, DocumentPlan]:
        texts = sorted({document_key_text(k) for k in keys})
        plans = (
            _restore(DocumentPlan, data, DOCUMENT_FIELDS)
            for (data,) in self._select("SELECT data FROM documents WHERE key IN ({})", texts)
        )
        return {plan.key: plan for plan in plans}

    def documents_save(self, plans: Iterable[DocumentPlan]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO documents (idx, key, data) VALUES (?, ?, ?)",
            ((p.idx, document_key_text(p.key), _record(p, DOCUMENT_FIELDS)) for p in plans),
        )

    def documents(
        self, batch: int = 2000, entries: int | None = None
    ) -> Iterator[list[DocumentPlan]]:
        """Every document plan in file order (of first mention), in batches of at most
        `batch` documents and (but for one large document) `entries` entries: what one
        batch of the apply step holds in memory, whatever the file's shape."""
        entries = entries or ENTRIES_PER_BATCH
        last = -1
        while True:
            rows = self.db.execute(
                "SELECT data FROM documents WHERE idx > ? ORDER BY idx LIMIT ?", (last, batch)
            ).fetchall()
            if not rows:
                return
            # Popped as they are batched: a plan the caller filled with its entries (and
            # their media plans) must not stay referenced here until the next query, or
            # the whole window of `batch` documents holds its entries at once.
            plans = [_restore(DocumentPlan, data, DOCUMENT_FIELDS) for (data,) in reversed(rows)]
            del rows
            last = plans[0].idx
            part: list[DocumentPlan] = []
            size = 0
            while plans:
                plan = plans.pop()
                if part and size + plan.entry_count > entries:
                    yield part
                    part, size = [], 0
                part.append(plan)
                size += plan.entry_count
            if part:
                yield part

    def documents_by_idx(self, idxs: Iterable[int]) -> dict[int, DocumentPlan]:
        sql = "SELECT data FROM documents WHERE idx IN ({})"
        plans = (
            _restore(DocumentPlan, data, DOCUMENT_FIELDS)
            for (data,) in self._select(sql, sorted(set(idxs)))
        )
        return {plan.idx: plan for plan in plans}

    def document_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM documents").fetchone()[0]

    # --- entries ----------------------------------------------------------------------

    def entries_add(self, entries: Iterable[tuple[int, EntryPlan]]) -> None:
        self.db.executemany(
            "INSERT INTO entries (document, data) VALUES (?, ?)",
            ((document, _record(entry, ENTRY_FIELDS)) for document, entry in entries),
        )

    def entries_of(self, document_idxs: Sequence[int]) -> dict[int, list[EntryPlan]]:
        """The entries of these documents, each list in file order."""
        self._index()
        out: dict[int, list[EntryPlan]] = {idx: [] for idx in document_idxs}
        sql = "SELECT document, data FROM entries WHERE document IN ({}) ORDER BY document, rowid"
        for document, data in self._select(sql, sorted(out)):
            out[document].append(_restore(EntryPlan, data, ENTRY_FIELDS))
        return out

    # --- errors -----------------------------------------------------------------------

    def errors_add(self, errors: Iterable[tuple[int, str, str]]) -> None:
        self.db.executemany("INSERT INTO errors VALUES (?, ?, ?)", errors)

    def errors_in_line_order(self) -> Iterator[tuple[int, str, str]]:
        self._index()
        yield from self.db.execute("SELECT line, code, message FROM errors ORDER BY line, rowid")

    def _index(self) -> None:
        """Indexes for the reading passes, built once after the bulk inserts (faster)."""
        if not self.indexed:
            self.db.execute("CREATE INDEX entries_document ON entries (document)")
            self.db.execute("CREATE INDEX errors_line ON errors (line)")
            self.indexed = True
