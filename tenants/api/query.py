"""Query-string filters of list endpoints, validated by a serializer: an unknown parameter
is a 400 naming it (a typo never silently widens a list), a bad value a 400 naming its field."""

from __future__ import annotations

from rest_framework import serializers

from tenants.exceptions import DomainError

PAGING_PARAMS = frozenset({"page", "page_size", "format"})


def query_filters_parse(
    params, serializer_class: type[serializers.Serializer], *, extra: frozenset | set = frozenset()
) -> serializers.Serializer:
    """The validated filters (`.validated_data`); paging parameters and `extra` pass too."""
    allowed = set(serializer_class().fields) | PAGING_PARAMS | set(extra)
    for name in params:
        if name not in allowed:
            raise DomainError(
                f"Unknown parameter '{name}'; use {', '.join(sorted(allowed))}.", field=name
            )
    data = serializer_class(data=params)
    data.is_valid(raise_exception=True)
    return data
