"""Source channels and locales mapped onto the destination's (R19).

By default a code maps to the same code. Every source channel and locale must end up
mapped or dropped before anything is written: a copy that silently lost a channel's
documents would look complete and not be.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tenants.exceptions import ValidationFailed
from tenants.models import Channel, Locale, Tenant

from .options import CopyOptions


@dataclass(frozen=True)
class ContextMapping:
    """Source id -> destination id for channels and locales; dropped ones are absent."""

    channels: Mapping[int, int]
    locales: Mapping[int, int]
    channel_codes: Mapping[str, str]  # source code -> destination code, for reports
    locale_codes: Mapping[str, str]
    dropped_channels: tuple[str, ...]
    dropped_locales: tuple[str, ...]


def _map_kind(
    *,
    what: str,
    source_rows: list[tuple[int, str, bool]],
    dest_rows: list[tuple[int, str, bool]],
    explicit: Mapping[str, str],
    dropped: tuple[str, ...],
    map_field: str,
    drop_field: str,
    errors: list[tuple[str, str]],
) -> tuple[dict[int, int], dict[str, str]]:
    """Map one kind (channels or locales). Rows are (id, code, is_pseudo)."""
    source_by_code = {code: (pk, pseudo) for pk, code, pseudo in source_rows}
    dest_by_code = {code: (pk, pseudo) for pk, code, pseudo in dest_rows}
    for code in [*explicit, *dropped]:
        if code not in source_by_code:
            field = map_field if code in explicit else drop_field
            errors.append((field, f"The source has no {what} '{code}'."))
    for code in explicit:
        if code in dropped:
            errors.append((drop_field, f"The {what} '{code}' is both mapped and dropped."))
    ids: dict[int, int] = {}
    codes: dict[str, str] = {}
    unmapped: list[str] = []
    for code, (pk, pseudo) in source_by_code.items():
        if code in dropped:
            continue
        target = explicit.get(code, code)
        found = dest_by_code.get(target)
        if found is None:
            if code in explicit:
                errors.append((map_field, f"The destination has no {what} '{target}'."))
            else:
                unmapped.append(code)
            continue
        if found[1] != pseudo:
            # Omnichannel and Neutral are where fallback ends (R10): they only map to each other.
            errors.append(
                (
                    map_field,
                    f"The {what} '{code}' cannot map to '{target}': pseudo and real differ.",
                )
            )
            continue
        ids[pk] = found[0]
        codes[code] = target
    if unmapped:
        errors.append(
            (
                map_field,
                f"Unmapped source {what}s: {', '.join(sorted(unmapped))}; "
                "map each to a destination code or drop it.",
            )
        )
    targets: dict[str, list[str]] = {}
    for code, target in codes.items():
        targets.setdefault(target, []).append(code)
    for target, sources in targets.items():
        if len(sources) > 1:
            errors.append(
                (map_field, f"Source {what}s {', '.join(sorted(sources))} all map to '{target}'.")
            )
    return ids, codes


def context_mapping_build(
    *, source: Tenant, destination: Tenant, options: CopyOptions
) -> ContextMapping:
    """Resolve the mapping, or refuse naming every unmapped or bad code (nothing written yet)."""
    errors: list[tuple[str, str]] = []
    channel_ids, channel_codes = _map_kind(
        what="channel",
        source_rows=list(
            Channel.objects.filter(tenant=source).values_list("pk", "code", "is_omnichannel")
        ),
        dest_rows=list(
            Channel.objects.filter(tenant=destination).values_list("pk", "code", "is_omnichannel")
        ),
        explicit=options.channel_map,
        dropped=options.drop_channels,
        map_field="channel_map",
        drop_field="drop_channels",
        errors=errors,
    )
    locale_ids, locale_codes = _map_kind(
        what="locale",
        source_rows=list(
            Locale.objects.filter(tenant=source).values_list("pk", "code", "is_neutral")
        ),
        dest_rows=list(
            Locale.objects.filter(tenant=destination).values_list("pk", "code", "is_neutral")
        ),
        explicit=options.locale_map,
        dropped=options.drop_locales,
        map_field="locale_map",
        drop_field="drop_locales",
        errors=errors,
    )
    if errors:
        raise ValidationFailed(errors, message="; ".join(reason for _, reason in errors))
    return ContextMapping(
        channels=channel_ids,
        locales=locale_ids,
        channel_codes=channel_codes,
        locale_codes=locale_codes,
        dropped_channels=options.drop_channels,
        dropped_locales=options.drop_locales,
    )
