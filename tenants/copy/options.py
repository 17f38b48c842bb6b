"""What a tenant copy is asked to do (R19), parsed once from the command line or an API body.

Both entry points build the same `CopyOptions`, so the job parameters, the validation
messages and the field names in a 400 are identical whichever side started the copy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db import models

from tenants.exceptions import ValidationFailed


class ConflictBehaviour(models.TextChoices):
    """What to do with an item that already exists in the destination."""

    KEEP_DESTINATION = "keep-destination", "Keep destination items"
    REPLACE = "replace", "Replace items in the destination"
    KEEP_LATEST = "keep-latest", "Keep whichever was modified last"


class VersionChoice(models.TextChoices):
    """Which document versions to copy; checked-out working copies never are."""

    PUBLISHED = "published", "Published versions only"
    PUBLISHED_AND_DRAFT = "published-and-draft", "Published versions and the latest draft"


@dataclass(frozen=True)
class CopyOptions:
    source: str
    conflict: str = ConflictBehaviour.KEEP_DESTINATION
    versions: str = VersionChoice.PUBLISHED
    channel_map: Mapping[str, str] = field(default_factory=dict)
    locale_map: Mapping[str, str] = field(default_factory=dict)
    drop_channels: tuple[str, ...] = ()
    drop_locales: tuple[str, ...] = ()
    dry_run: bool = False

    @property
    def with_drafts(self) -> bool:
        return self.versions == VersionChoice.PUBLISHED_AND_DRAFT

    def as_params(self) -> dict:
        """JSON for Job.params: a retry or a re-run reads back exactly these options."""
        return {
            "source": self.source,
            "conflict": str(self.conflict),
            "versions": str(self.versions),
            "channel_map": dict(self.channel_map),
            "locale_map": dict(self.locale_map),
            "drop_channels": list(self.drop_channels),
            "drop_locales": list(self.drop_locales),
            "dry_run": self.dry_run,
        }

    def describe(self) -> str:
        return f"Copy from {self.source} ({self.conflict}, {self.versions})" + (
            " - dry run" if self.dry_run else ""
        )


OPTION_KEYS = {
    "kind",
    "source",
    "conflict",
    "versions",
    "channel_map",
    "locale_map",
    "drop_channels",
    "drop_locales",
    "dry_run",
}


def _code_list(value, name: str, errors: list[tuple[str, str]]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) and v for v in value):
        errors.append((name, "Must be a list of codes."))
        return ()
    return tuple(dict.fromkeys(v.strip().lower() for v in value))


def _code_map(value, name: str, errors: list[tuple[str, str]]) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and k and isinstance(v, str) and v for k, v in value.items()
    ):
        errors.append((name, 'Must map source codes to destination codes: {"web": "online"}.'))
        return {}
    return {k.strip().lower(): v.strip().lower() for k, v in value.items()}


def _choice(value, name: str, choices: type[models.TextChoices], errors, default: str) -> str:
    if value is None or value == "":
        return default
    if value not in choices.values:
        errors.append((name, f"Must be one of {', '.join(choices.values)}."))
        return default
    return value


def copy_options_parse(data: Mapping) -> CopyOptions:
    """Validate an API body (or job params); every bad field is named in one ValidationFailed."""
    if not isinstance(data, Mapping):
        raise ValidationFailed([(None, "The body must be an object.")])
    errors: list[tuple[str, str]] = [
        (str(key), "Unknown field.") for key in data if key not in OPTION_KEYS
    ]
    source = data.get("source")
    if not isinstance(source, str) or not source.strip():
        errors.append(("source", "Name the source tenant by its slug."))
        source = ""
    dry_run = data.get("dry_run", False)
    if not isinstance(dry_run, bool):
        errors.append(("dry_run", "Must be true or false."))
    options = CopyOptions(
        source=source.strip(),
        conflict=_choice(
            data.get("conflict"),
            "conflict",
            ConflictBehaviour,
            errors,
            ConflictBehaviour.KEEP_DESTINATION,
        ),
        versions=_choice(
            data.get("versions"), "versions", VersionChoice, errors, VersionChoice.PUBLISHED
        ),
        channel_map=_code_map(data.get("channel_map"), "channel_map", errors),
        locale_map=_code_map(data.get("locale_map"), "locale_map", errors),
        drop_channels=_code_list(data.get("drop_channels"), "drop_channels", errors),
        drop_locales=_code_list(data.get("drop_locales"), "drop_locales", errors),
        dry_run=dry_run is True,
    )
    if errors:
        raise ValidationFailed(errors, message=errors[0][1])
    return options


def pairs_parse(values: Iterable[str] | None, name: str) -> dict[str, str]:
    """`SRC=DEST` command-line pairs into a map; a malformed or repeated source is refused."""
    result: dict[str, str] = {}
    errors: list[tuple[str, str]] = []
    for raw in values or ():
        source, sep, target = raw.partition("=")
        source, target = source.strip().lower(), target.strip().lower()
        if not sep or not source or not target:
            errors.append((name, f"'{raw}' is not SRC=DEST."))
        elif source in result and result[source] != target:
            errors.append((name, f"'{source}' is mapped twice."))
        else:
            result[source] = target
    if errors:
        raise ValidationFailed(errors, message=errors[0][1])
    return result
