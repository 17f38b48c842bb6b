"""A variant's values in the admin: one select per dimension of its master, instead of the
JSON the model stores (issue 15, item 8). The field only gathers the choices into the dict
the services take; whether they are valid (offered values, every dimension given, a new
combination) is decided by the catalog services, as for the API (R2)."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from .models import Dimension


def dimension_label(dimension: str) -> str:
    return Dimension(dimension).label if dimension in Dimension.values else dimension


class DimensionSelectsWidget(forms.MultiWidget):
    template_name = "catalog/widgets/dimension_selects.html"

    def __init__(self, dimensions: dict[str, list[str]], attrs=None):
        self.dimensions = {name: list(values) for name, values in dimensions.items()}
        widgets = {
            name: forms.Select(choices=[("", "—")] + [(v, v) for v in values])
            for name, values in self.dimensions.items()
        }
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[str]:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                value = {}
        value = value if isinstance(value, dict) else {}
        return [value.get(name, "") for name in self.dimensions]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        labels = [dimension_label(d) for d in self.dimensions]
        context["widget"]["labelled"] = list(
            zip(labels, context["widget"]["subwidgets"], strict=True)
        )
        return context


class VariantValuesField(forms.Field):
    """`{"color": "Blue", "size": "M"}` from the selects; None when none is chosen."""

    def __init__(self, dimensions: dict[str, list[str]], **kwargs):
        kwargs.setdefault("required", False)  # the services say what is missing, in words
        kwargs.setdefault("label", "Values")
        super().__init__(widget=DimensionSelectsWidget(dimensions), **kwargs)
        self.dimensions = list(dimensions)

    def to_python(self, value: Any) -> dict[str, str] | None:
        if isinstance(value, dict):
            return value or None
        chosen = {d: v for d, v in zip(self.dimensions, value or [], strict=False) if v}
        return chosen or None

    def prepare_value(self, value: Any) -> Any:
        return value


def dimensions_with_values(dimensions: dict[str, list[str]], values: Any) -> dict[str, list[str]]:
    """The master's offered values plus what a variant already holds, so showing a variant
    never silently drops one of its values (the services then say what is wrong with it)."""
    merged = {name: list(options) for name, options in dimensions.items()}
    if isinstance(values, dict):
        for name, value in values.items():
            options = merged.setdefault(str(name), [])
            if isinstance(value, str) and value not in options:
                options.append(value)
    return merged
