"""The manifest column set (MANIFEST.md): names, allowed values and how they map to ours.

Kept in one module so the importer, the exporter and the tests agree on every spelling;
files made for the commercial suite use exactly these names (R18).
"""

from __future__ import annotations

from media_library.models import MediaKind

# --- media item columns, in the order an export writes them ------------------------------

MEDIA_COLUMNS: tuple[str, ...] = (
    "InternalMediaId",
    "MediaChannel",
    "MediaLocale",
    "MediaType",
    "MediaVersion",
    "MediaCategory",
    "MediaSourceProvider",
    "MediaSourceId",
    "MediaReferenceUrl",
    "MediaSourceIfExistsAction",
    "MediaAction",
    "MediaCheckedOutAction",
    "MediaVersionMismatchAction",
    "MediaImportPath",
    "ImageAltText",
    "MediaSearchTags",
    "MediaDisplayName",
    "MediaTitle",
    "MediaCaption",
    "MediaDescription",
    "VideoCaptionImportPath",
    "VideoThumbnailImportPath",
    "VideoTranscriptImportPath",
    "VideoAudioTrackImportPath",
    "VideoDescriptiveAudioTrackImportPath",
    "VideoPlaytime",
    "VideoMinimumAge",
    "VideoSubtitle",
    "DocumentForceDownload",
    "MediaCreatedOn",
    "MediaLastModifiedOn",
    "MediaPublished",
    "MediaPublishedOn",
    "MediaPublishedURL",
    "MediaPreviewURL",
    "ImageQuality",
    "ImageWidth",
    "ImageHeight",
    "MediaChecksum",
)

ASSIGNMENT_COLUMNS: tuple[str, ...] = (
    "EntityType",
    "EntityKey",
    "EntityKeyValue",
    "EntityLocale",
    "EntityChannel",
    "CatalogNumber",
    "EntityAssignmentCurrentPublishState",
    "EntityAssignmentAction",
    "EntityCheckedOutAction",
    "EntityVersionMismatchAction",
    "MediaGroup",
    "MediaPurpose",
    "MediaDisplayOrder",
    "SwatchGroup",
    "SwatchDimension",
    "SwatchValue",
    "SwatchCrop",
    "EntityAssignmentMatrix",
    "EntityCreatedOn",
    "EntityLastModifiedOn",
    "EntityVersion",
    "EntityPublishedOn",
)

RESULT_COLUMNS: tuple[str, ...] = ("Result", "ResultTime", "ErrorCode", "ResultDescription")

# Written on export, ignored on import (a result manifest carries them back harmlessly).
READ_ONLY_COLUMNS = frozenset(
    {
        "MediaCreatedOn",
        "MediaLastModifiedOn",
        "MediaPublished",
        "MediaPublishedOn",
        "MediaPublishedURL",
        "MediaPreviewURL",
        "ImageQuality",
        "ImageWidth",
        "ImageHeight",
        "MediaChecksum",
        "EntityAssignmentCurrentPublishState",
        "EntityCreatedOn",
        "EntityLastModifiedOn",
        "EntityVersion",
        "EntityPublishedOn",
    }
)

KNOWN_COLUMNS = frozenset(MEDIA_COLUMNS) | frozenset(ASSIGNMENT_COLUMNS) | frozenset(RESULT_COLUMNS)

# Media rows: mandatory for a new item / for an existing one (MANIFEST.md).
MANDATORY_NEW = ("MediaLocale", "MediaType", "MediaImportPath", "MediaDisplayName")
MANDATORY_EXISTING = (
    "InternalMediaId",
    "MediaChannel",
    "MediaLocale",
    "MediaType",
    "MediaDisplayName",
)
# Assignment manifests: every row names its entity and context.
MANDATORY_ASSIGNMENT = ("EntityType", "EntityKey", "EntityLocale")

# --- values ------------------------------------------------------------------------------

NEUTRAL_LOCALE = "system_neutral"
OMNICHANNEL_NAMES = {"", "omnichannel"}

MEDIA_TYPES = {"Image": MediaKind.IMAGE, "Video": MediaKind.VIDEO, "File": None}
# "File" is any non-image, non-video item (documents, 3D models, archives...).
MEDIA_TYPE_OF_KIND = {
    MediaKind.IMAGE: "Image",
    MediaKind.VIDEO: "Video",
    MediaKind.DOCUMENT: "File",
    MediaKind.OTHER: "File",
}
MEDIA_CATEGORIES = (
    "None",
    "Products",
    "Categories",
    "Customers",
    "Workers",
    "Catalogs",
    "Size",
    "Color",
    "Style",
)
IF_EXISTS_ACTIONS = ("UseExisting", "Overwrite", "TakeLatest", "KeepBoth")
PUBLISH_ACTIONS = ("PublishNow", "Draft", "Unpublish", "UnpublishAndDelete")
CONFLICT_ACTIONS = ("UseExisting", "Overwrite")

ENTITY_MASTER = "Product|Master"
ENTITY_VARIANT = "Product|Variant"
ENTITY_DIMENSION = "Product|DimensionMatrix"
ENTITY_SWATCH = "Product|Master|Swatch"
# Our additions (docs/manifests.md), named like the suite's own: swatches of a dimension
# combination and of a variant, and a category's default image (one per channel).
ENTITY_DIMENSION_SWATCH = "Product|DimensionMatrix|Swatch"
ENTITY_VARIANT_SWATCH = "Product|Variant|Swatch"
ENTITY_CATEGORY = "Category"
ENTITY_TYPES = (
    ENTITY_MASTER,
    ENTITY_VARIANT,
    ENTITY_DIMENSION,
    ENTITY_SWATCH,
    ENTITY_DIMENSION_SWATCH,
    ENTITY_VARIANT_SWATCH,
    ENTITY_CATEGORY,
)
SWATCH_ENTITY_TYPES = frozenset({ENTITY_SWATCH, ENTITY_DIMENSION_SWATCH, ENTITY_VARIANT_SWATCH})
# The scope (R8) each product entity type assigns to.
ENTITY_SCOPES = {
    ENTITY_MASTER: "master",
    ENTITY_SWATCH: "master",
    ENTITY_DIMENSION: "dimension",
    ENTITY_DIMENSION_SWATCH: "dimension",
    ENTITY_VARIANT: "variant",
    ENTITY_VARIANT_SWATCH: "variant",
}
# SwatchCrop: `X:0|Y:0|Width:64|Height:48`, the suite's Key:Value|Key:Value convention.
CROP_KEYS = ("X", "Y", "Width", "Height")

GROUP_PRIMARY = "Primary"
GROUP_ADDITIONAL = "Additional"
MEDIA_GROUPS = (GROUP_PRIMARY, GROUP_ADDITIONAL)

# Columns whose value must be one of a fixed list; an empty cell means the default.
ENUM_COLUMNS: dict[str, tuple[str, ...]] = {
    "MediaType": tuple(MEDIA_TYPES),
    "MediaCategory": MEDIA_CATEGORIES,
    "MediaSourceIfExistsAction": IF_EXISTS_ACTIONS,
    "MediaAction": PUBLISH_ACTIONS,
    "MediaCheckedOutAction": CONFLICT_ACTIONS,
    "MediaVersionMismatchAction": CONFLICT_ACTIONS,
    "EntityType": ENTITY_TYPES,
    "EntityAssignmentAction": PUBLISH_ACTIONS,
    "EntityCheckedOutAction": CONFLICT_ACTIONS,
    "EntityVersionMismatchAction": CONFLICT_ACTIONS,
    "MediaGroup": MEDIA_GROUPS,
}
ENUM_DEFAULTS: dict[str, str] = {
    "MediaCategory": "None",
    "MediaSourceIfExistsAction": "UseExisting",
    "MediaAction": "Draft",
    "MediaCheckedOutAction": "UseExisting",
    "MediaVersionMismatchAction": "UseExisting",
    "EntityAssignmentAction": "Draft",
    "EntityCheckedOutAction": "UseExisting",
    "EntityVersionMismatchAction": "UseExisting",
    "MediaGroup": GROUP_PRIMARY,
}


def dimension_label(dimension: str) -> str:
    """`color` -> `Color`: the manifest spells dimensions capitalised."""
    return dimension[:1].upper() + dimension[1:]


# --- result codes ------------------------------------------------------------------------

SUCCEEDED, FAILED, SKIPPED = "Succeeded", "Failed", "Skipped"


class ErrorCode:
    """The `ErrorCode` values of a result manifest: stable, greppable, documented."""

    UNKNOWN_COLUMN = "UnknownColumn"
    MISSING_COLUMN = "MissingMandatoryColumn"
    MISSING_VALUE = "MissingMandatoryValue"
    BAD_VALUE = "InvalidValue"
    UNKNOWN_PRODUCT = "UnknownProduct"
    UNKNOWN_VARIANT = "UnknownVariant"
    UNKNOWN_DIMENSION = "UnknownDimensionValue"
    UNKNOWN_CHANNEL = "UnknownChannel"
    UNKNOWN_LOCALE = "UnknownLocale"
    UNKNOWN_MEDIA = "UnknownMedia"
    UNKNOWN_PURPOSE = "UnknownPurpose"
    UNKNOWN_CATEGORY = "UnknownCategory"
    MISSING_FILE = "MissingFile"
    FILE_REJECTED = "FileRejected"
    TYPE_MISMATCH = "MediaTypeMismatch"
    DUPLICATE_ORDER = "DuplicateDisplayOrder"
    DUPLICATE = "Duplicate"
    BAD_HEX = "InvalidHexColor"
    NAME_TAKEN = "DisplayNameTaken"
    CONFLICT = "Conflict"
    CHECKED_OUT = "CheckedOut"
    VERSION_MISMATCH = "VersionMismatch"
    NOT_APPLIED = "NotApplied"
    APPLY_FAILED = "ApplyFailed"
