"""Bulk TSV manifests (R18) in the commercial suite's column set (see MANIFEST.md).

How an import behaves, in the words a user needs:

- The whole file is validated before anything is written; every bad row is reported with
  its line number (line 1 is the header). `on_error="abort"` (default) writes nothing if
  any row is bad; `"skip"` applies the good rows. A result manifest (the input plus
  Result, ResultTime, ErrorCode, ResultDescription) is always written and can be fixed
  and imported again; its result columns are ignored on import.
- **Assignment rows replace.** All rows for one document (product x EntityChannel x
  EntityLocale) REPLACE that document's content with exactly what they list, checked in
  as a new numbered version (ContentSet + DocumentVersion + check-in DocumentEvent). An
  entry the manifest does not list is gone from the new version (older versions keep
  it). With `skip`, a document any of whose rows failed is left untouched as a whole.
  `Product|DimensionMatrix` rows also set the document's matrix (their dimensions);
  without such rows the matrix is kept.
- EntityAssignmentAction: `Draft` checks in; `PublishNow` also publishes (with the
  unpublished media it uses, R14) and flattens into the read model; `Unpublish` takes the
  listed entries out of the published content (the draft keeps them);
  `UnpublishAndDelete` removes them from the draft as a new version and publishes that.
- EntityCheckedOutAction: `UseExisting` leaves a checked-out document to its holder (rows
  Skipped, ErrorCode CheckedOut); `Overwrite` discards the holder's working copy (audited)
  and writes. EntityVersion + EntityVersionMismatchAction guard against documents changed
  since export.
- Media rows match an item by MediaSourceProvider+MediaSourceId, else InternalMediaId,
  else by the file's bytes (the same bytes are the same item, R5); MediaSourceIfExistsAction,
  MediaVersion/MediaVersionMismatchAction and MediaAction are honoured. Media items have
  no check-out here, so MediaCheckedOutAction is accepted and has nothing to act on.
  MediaCategory, MediaChannel/MediaLocale (checked to exist), CatalogNumber and the
  video properties other than thumbnail/captions/transcript are accepted and not stored.
- Our additions, all optional (docs/manifests.md): SwatchCrop, EntityAssignmentMatrix, the
  entity types Product|DimensionMatrix|Swatch, Product|Variant|Swatch and Category. With
  them an export holds everything a document (and a category image) holds, and export
  marks rows Draft, so an unchanged export imports as a no-op.
- A document with no content of its own starts from what its context inherits, as the
  API's first edit does (`documents_start_sets`): the rows replace only the slots they name.
- Re-importing the same manifest changes nothing: identical content makes no version,
  identical metadata no media update, identical bytes no new item.
- The file format (tsv.py): one physical line is one row, quotes are data except a cell
  wrapped in quotes (inner quotes doubled), where backslash-t, -n, -r and a doubled
  backslash stand for a tab, a line break, a carriage return and a backslash. A cell
  starting with `=`, `+`, `-`, `@`, tab or CR is exported with a leading `'` (formula
  injection, OWASP), as is a value that already starts with `'` and one of those; import
  removes exactly that `'`.
- Bounded memory: the file is read in chunks, what validation learns is kept in a
  temporary SQLite store (store.py), documents are applied a batch at a time and the
  result manifest is written row by row.

Modules: columns (names/values), tsv (line and cell codec), parse (streaming reader),
validate, validate_media, validate_documents (-> plan, kept in store), media_apply,
documents_apply and categories_apply (bulk writes), importer (orchestration), result,
export, files (folder, zip, http(s)), jobs, api, urls, admin, progress.
"""
